"""Rendering SQL templates: the Jinja renderer with its dialect macros, template variables and
their precedence, and the checks on values that land in identifiers."""
