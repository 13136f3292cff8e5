"""SQL Runner's Go text/template subset, translated into Jinja2 source.

SQL Runner renders SQL with Go's text/template; Sluice renders with Jinja2. `translate` turns
each Go action into a Jinja tag calling the helpers in GO_TEMPLATE_GLOBALS, newline for newline,
so Jinja's line numbers still point at the original file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NoReturn

import jinja2
from jinja2.utils import missing

from sluice.secrets import register


class GoTemplateError(ValueError):
    """A Go action that is malformed or outside the supported subset."""

    def __init__(self, origin: str, line: int, message: str) -> None:
        self.origin, self.line = origin, line
        self.message = " ".join(message.splitlines())  # the CLI prints errors as one line
        super().__init__(f"{origin}:{line}: {self.message}")


def _now() -> datetime:
    """Local time with its zone, so zone tokens work; tests monkeypatch this."""
    return datetime.now().astimezone()


def _go_truth(value: Any) -> bool:
    # bool() is Go's IsTrue for what variables hold (nil, "", 0, empty collections), and
    # StrictUndefined raises on it, so a missing name stays loud.
    return bool(value)


def _kind(value: Any) -> str:
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    kinds = ((bool, "bool"), ((int, float), "number"), (str, "string"), (type(None), "nil"))
    return next((name for types, name in kinds if isinstance(value, types)), type(value).__name__)


def _go_eq(first: Any, *others: Any) -> bool:
    """True if `first` equals any of the others; like Go, comparing mixed kinds is an error."""
    for other in others:
        kinds = {_kind(first), _kind(other)}
        if len(kinds) > 1 and "nil" not in kinds:
            raise jinja2.TemplateRuntimeError(
                f"eq: incompatible types for comparison: {' and '.join(sorted(kinds))}"
            )
        if first == other:
            return True
    return False


def _go_and(*args: Any) -> Any:
    """The first empty argument, else the last (Go 1.18+ short-circuits the same way)."""
    return next((arg for arg in args[:-1] if not _go_truth(arg)), args[-1])


def _go_or(*args: Any) -> Any:
    """The first non-empty argument, else the last: SQL Runner's way of writing defaults."""
    return next((arg for arg in args[:-1] if _go_truth(arg)), args[-1])


@jinja2.pass_context
def _go_var(context: jinja2.runtime.Context, *path: str, strict: bool = False) -> Any:
    """A variable by name: None when missing (for `or`), or StrictUndefined when `strict`."""
    value = context.resolve_or_missing(path[0])
    for key in path[1:]:
        value = value.get(key, missing) if isinstance(value, Mapping) else missing
    if value is missing:
        return context.environment.undefined(name=".".join(path)) if strict else None
    return value


def _go_str(value: Any) -> str:
    # Go prints booleans in lower case; a nil from `or` prints nothing rather than "<no value>".
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _go_now_with_format(layout: Any) -> str:
    return _format_go_time(_now(), _go_str(layout))


def _go_system_env(name: Any) -> str:
    value = os.environ.get(_go_str(name), "")  # os.Getenv: unset reads as ""
    register(value)  # SQL Runner playbooks pass credentials this way: never print them
    return value


GO_TEMPLATE_GLOBALS: dict[str, Callable[..., Any]] = {
    helper.__name__: helper
    for helper in (_go_truth, _go_eq, _go_and, _go_or, _go_var, _go_str, _go_now_with_format, _go_system_env)
}

# Alternatives in the order Go's time.nextStdChunk tries them at one position.
_LAYOUT_TOKEN = re.compile(
    r"January|Jan|Monday|Mon|MST|0[1-6]|002|15|1|2006|2|__2|_2(?!006)|3|4|5|PM|pm"
    r"|[-Z]07(?::00:00|0000|:00|00)?|[.,](?:0+|9+)(?!\d)"
)
_STRFTIME: dict[str, tuple[str, Callable[[datetime], str] | None]] = {
    "January": ("%B", None), "Jan": ("%b", None), "Monday": ("%A", None), "Mon": ("%a", None),
    "MST": ("%Z", None), "01": ("%m", None), "02": ("%d", None), "03": ("%I", None),
    "04": ("%M", None), "05": ("%S", None), "06": ("%y", None), "002": ("%j", None),
    "15": ("%H", None), "2006": ("%Y", None),
    # No portable strftime directive for these (the %-x forms are glibc's), so render by hand.
    "1": ("%-m", lambda d: str(d.month)), "2": ("%-d", lambda d: str(d.day)),
    "_2": ("%e", lambda d: f"{d.day:2d}"), "__2": ("%j", lambda d: f"{d.timetuple().tm_yday:3d}"),
    "3": ("%-I", lambda d: str(d.hour % 12 or 12)), "4": ("%-M", lambda d: str(d.minute)),
    "5": ("%-S", lambda d: str(d.second)), "PM": ("%p", lambda d: "PM" if d.hour >= 12 else "AM"),
    "pm": ("%P", lambda d: "pm" if d.hour >= 12 else "am"),
}  # fmt: skip


def _zone(dt: datetime, token: str) -> str:
    offset = dt.utcoffset()
    seconds = int(offset.total_seconds()) if offset else 0
    if token[0] == "Z" and seconds == 0:
        return "Z"
    hours, rest = divmod(abs(seconds), 3600)
    fields = [f"{hours:02d}", f"{rest // 60:02d}", f"{rest % 60:02d}"]
    count = (len(token) - 1 - token.count(":")) // 2  # -07 -> 1, -0700 -> 2, -070000 -> 3
    return ("-" if seconds < 0 else "+") + (":" if ":" in token else "").join(fields[:count])


def _fraction(dt: datetime, token: str) -> str:
    digits = f"{dt.microsecond:06d}000"[: len(token) - 1]  # Python stops at µs, Go at ns
    if token[1] == "9":  # .999: trailing zeros dropped, and the separator when nothing is left
        digits = digits.rstrip("0")
        return token[0] + digits if digits else ""
    return token[0] + digits


def _convert_layout(layout: str, text: Callable[[str], str], token: Callable[[str], str]) -> str:
    out, pos = [], 0
    for match in _LAYOUT_TOKEN.finditer(layout):
        out += [text(layout[pos : match.start()]), token(match.group())]
        pos = match.end()
    return "".join([*out, text(layout[pos:])])


def go_time_layout_to_strftime(layout: str) -> str:
    """Go layout -> strftime format, with glibc's %-m/%e/%P and Python 3.12's %:z; fractional
    seconds of any width become %f (strftime has no width for them)."""

    def directive(token: str) -> str:
        if token[0] in "-Z":
            return "%:z" if ":" in token else "%z"
        return token[0] + "%f" if token[0] in ".," else _STRFTIME[token][0]

    return _convert_layout(layout, lambda text: text.replace("%", "%%"), directive)


def _format_go_time(dt: datetime, layout: str) -> str:
    """What Go's Time.Format prints, without relying on platform strftime extensions."""

    def render(token: str) -> str:
        if token[0] in "-Z":
            return _zone(dt, token)
        if token[0] in ".,":
            return _fraction(dt, token)
        directive, by_hand = _STRFTIME[token]
        return by_hand(dt) if by_hand else dt.strftime(directive)

    return _convert_layout(layout, lambda text: text, render)


_ACTION_TOKEN = re.compile(
    r"""(?P<field>(?:\.[^\W\d]\w*)+) | (?P<number>[+-]?\d+(?:\.\d+)?(?![\w.]))
      | (?P<string>"(?:[^"\\\n]|\\.)*") | (?P<raw>`[^`]*`) | (?P<ident>[^\W\d]\w*) | (?P<punct>[()])
      | (?P<other>\|\|?|\$\w*|:?=|\.|'(?:[^'\\]|\\.)*'|["`])""",
    re.X,
)
_UNSUPPORTED = {"|": "pipes ('|')", "$": "template variables ($x)", ":": "assignments",
                "=": "assignments", ".": "'.' (the whole data)", "'": "character constants",
                '"': "an unterminated quoted string", "`": "an unterminated raw string"}  # fmt: skip
_KEYWORDS = {"range", "with", "define", "template", "block", "break", "continue", "if", "else", "end"}
# Names Jinja parses as operators or constants, or binds itself: looked up through _go_var.
_JINJA_RESERVED = {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none",
                   "True", "False", "None", "self"}  # fmt: skip
_FUNCTIONS = {  # name: (helper, least, most arguments)
    "eq": ("_go_eq", 2, None), "ne": ("_go_eq", 2, 2), "not": ("_go_truth", 1, 1),
    "and": ("_go_and", 1, None), "or": ("_go_or", 1, None),
    "nowWithFormat": ("_go_now_with_format", 1, 1), "systemEnv": ("_go_system_env", 1, 1),
}  # fmt: skip
_GO_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{3}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")
_SIMPLE_ESCAPES = dict(zip('abfnrtv\\"', '\a\b\f\n\r\t\v\\"', strict=True))
_COMMENT_OPEN, _COMMENT_CLOSE = re.compile(r"\s*/\*"), re.compile(r"(\s+-)?\s*}}")
_JINJA_OPENER, _SPACE = re.compile(r"\{(?=[%#])"), re.compile(r"\s*")


def _jinja_str(value: str) -> str:
    # Only printable ASCII stays as is, so no newline or odd character reaches Jinja's lexer.
    body = "".join("\\" + c if c in "\\'" else c if " " <= c <= "~" else f"\\U{ord(c):08x}" for c in value)
    return f"'{body}'"


def _go_unquote(body: str) -> str:
    """A Go interpreted string's body; \\x and octal escapes are bytes, as in Go."""
    out, pos = bytearray(), 0
    for match in _GO_ESCAPE.finditer(body):
        out += body[pos : match.start()].encode()
        pos, esc = match.end(), match.group(1)
        if esc in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[esc].encode()
        elif len(esc) == 3 and (esc[0] == "x" or int(esc, 8) < 256):
            out.append(int(esc[1:], 16) if esc[0] == "x" else int(esc, 8))
        elif esc[0] in "uU" and len(esc) > 1:
            out += chr(int(esc[1:], 16)).encode()  # a surrogate raises, as Go rejects it
        else:
            raise ValueError(f"unknown escape sequence \\{esc}")
    return (out + body[pos:].encode()).decode("utf-8", "replace")


def _field(path: list[str], lenient: bool) -> str:
    if lenient or path[0] in _JINJA_RESERVED:
        names = ", ".join(_jinja_str(name) for name in path)
        return f"_go_var({names})" if lenient else f"_go_var({names}, strict=True)"
    return path[0] + "".join(f"[{_jinja_str(name)}]" for name in path[1:])


class _Action:
    """Parses the tokens of one action into Jinja."""

    def __init__(self, tokens: list[tuple[str, str]], origin: str, line: int, text: str) -> None:
        self.tokens, self.pos, self.origin, self.line, self.text = tokens, 0, origin, line, text

    def fail(self, message: str) -> NoReturn:
        raise GoTemplateError(self.origin, self.line, f"{message} in {self.text}")

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("eof", "")

    def take(self) -> tuple[str, str]:
        self.pos += 1
        return self.tokens[self.pos - 1] if self.pos <= len(self.tokens) else ("eof", "")

    def at_stop(self) -> bool:
        return self.peek() in (("eof", ""), ("punct", ")"))

    def expect_end(self) -> None:
        if self.peek()[0] != "eof":
            self.fail(f"unexpected {self.peek()[1]!r}")

    def translate(self, stack: list[list[int]]) -> tuple[str, str]:
        """("{" or "%", the tag's body); `stack` holds [line, seen else] per open if."""
        kind, word = self.peek()
        if kind == "eof":
            self.fail("missing value for command")
        if kind == "ident" and word in ("if", "else", "end"):
            self.take()
            return "%", getattr(self, "_" + word)(stack)
        if kind == "ident" and word in _KEYWORDS:
            self.fail(f"unsupported action {{{{{word}}}}}")
        expr, plain = self.command()
        self.expect_end()
        return "{", expr if plain else f"_go_str({expr})"

    def _if(self, stack: list[list[int]]) -> str:
        stack.append([self.line, 0])
        return f"if {self.condition()}"

    def _else(self, stack: list[list[int]]) -> str:
        if not stack or stack[-1][1]:
            self.fail("{{else}} after {{else}}" if stack else "{{else}} without an open {{if}}")
        if self.peek() == ("ident", "if"):
            self.take()
            return f"elif {self.condition()}"
        self.expect_end()
        stack[-1][1] = 1
        return "else"

    def _end(self, stack: list[list[int]]) -> str:
        self.expect_end()
        if not stack:
            self.fail("{{end}} without an open {{if}}")
        stack.pop()
        return "endif"

    def condition(self) -> str:
        if self.at_stop():
            self.fail("missing condition")
        expr, _ = self.command()
        self.expect_end()
        return f"_go_truth({expr})"

    def command(self) -> tuple[str, bool]:
        """(Jinja expression, whether it is a bare variable reference)."""
        kind, name = self.peek()
        if kind == "ident" and name in _FUNCTIONS:
            self.take()
            args = []
            while not self.at_stop():
                args.append(self.operand(lenient=name == "or"))
            return self.call(name, args), False
        expr = self.operand(lenient=False)
        if not self.at_stop():
            self.fail(f"can't give argument to non-function {name}")
        return expr, kind == "field"

    def operand(self, lenient: bool) -> str:
        kind, text = self.take()
        if kind == "field":
            return _field(text[1:].split("."), lenient)
        if kind == "string":
            try:
                return _jinja_str(_go_unquote(text[1:-1]))
            except ValueError as exc:
                self.fail(str(exc))
        if kind == "raw":
            return _jinja_str(text[1:-1].replace("\r", ""))  # Go drops CRs from raw strings
        if kind == "number":
            return repr(float(text) if "." in text else int(text))
        if kind == "ident" and text in ("true", "false", "nil"):
            return "none" if text == "nil" else text
        if text == "(":
            expr, _ = self.command()
            if self.take() != ("punct", ")"):
                self.fail("unclosed left paren")
            return expr
        if kind == "ident" and text in _FUNCTIONS:
            return self.call(text, [])  # Go calls a bare function operand with no arguments
        self.fail(f'function "{text}" not defined' if kind == "ident" else f"unexpected {text!r}")

    def call(self, name: str, args: list[str]) -> str:
        helper, least, most = _FUNCTIONS[name]
        if len(args) < least or (most is not None and len(args) > most):
            want = least if least == most else f"at least {least}"
            self.fail(f"wrong number of args for {name}: want {want} got {len(args)}")
        expr = f"{helper}({', '.join(args)})"
        return f"(not {expr})" if name in ("ne", "not") else expr


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _lex(source: str, pos: int, origin: str, line: int) -> tuple[list[tuple[str, str]], int, bool]:
    """Tokens of the action at `pos`, the position after its }}, and whether it trims right."""
    tokens: list[tuple[str, str]] = []
    begin = pos
    while True:
        start, pos = pos, _SPACE.match(source, pos).end()  # type: ignore[union-attr]
        if pos > start and source.startswith("-}}", pos):
            return tokens, pos + 3, True
        if source.startswith("}}", pos):
            return tokens, pos + 2, False
        match = _ACTION_TOKEN.match(source, pos)
        if not match:
            unclosed = source.find("}}", pos) < 0
            what = "unclosed action" if unclosed else f"unexpected {source[pos]!r}"
            raise GoTemplateError(origin, line, f"{what} in {{{{{_snippet(source[begin : pos + 40])}")
        if match.lastgroup == "other":
            what = _UNSUPPORTED[match.group()[0]]
            raise GoTemplateError(origin, line, f"{what} not supported: {match.group()!r}")
        tokens.append((match.lastgroup or "", match.group()))
        pos = match.end()


def _comment(source: str, start: int, origin: str, line: int, left_trim: bool) -> tuple[str, int]:
    """A {{/* */}} comment becomes a Jinja comment holding the same newlines."""
    close = source.find("*/", start)
    end = _COMMENT_CLOSE.match(source, close + 2) if close >= 0 else None
    if not end:
        problem = "unclosed comment" if close < 0 else "comment ends before closing delimiter"
        raise GoTemplateError(origin, line, problem)
    newlines = "\n" * source.count("\n", start, end.end())
    return f"{{#{'-' * left_trim} {newlines}{'-' * bool(end.group(1))}#}}", end.end()


def _action(source: str, start: int, origin: str, line: int, stack: list[list[int]]) -> tuple[str, int]:
    """The Jinja tag for the action at `start`, and the position after it."""
    left_trim = source[start + 2 : start + 3] == "-" and source[start + 3 : start + 4].isspace()
    pos = start + 2 + left_trim
    if opening := _COMMENT_OPEN.match(source, pos):
        return _comment(source, opening.end(), origin, line, left_trim)
    tokens, end, right_trim = _lex(source, pos, origin, line)
    kind, body = _Action(tokens, origin, line, _snippet(source[start:end])).translate(stack)
    newlines = "\n" * source.count("\n", start, end)
    close = "}}" if kind == "{" else "%}"
    return f"{{{kind}{'-' * left_trim} {body} {newlines}{'-' * right_trim}{close}", end


def translate(source: str, origin: str = "<template>") -> str:
    """Go text/template subset -> Jinja2 source, newline for newline.

    Raises GoTemplateError(origin, line, message) on unsupported or malformed actions."""
    out: list[str] = []
    stack: list[list[int]] = []
    pos, line = 0, 1
    while (start := source.find("{{", pos)) >= 0:
        out.append(_JINJA_OPENER.sub("{{ '{' }}", source[pos:start]))  # Jinja must print {% and {#
        line += source.count("\n", pos, start)
        tag, pos = _action(source, start, origin, line, stack)
        out.append(tag)
        line += tag.count("\n")
    out.append(_JINJA_OPENER.sub("{{ '{' }}", source[pos:]))
    if stack:
        raise GoTemplateError(origin, stack[-1][0], "{{if}} is never closed by {{end}}")
    return "".join(out)
