"""Making projects: `sluice init` (a new project folder a user owns) and `sluice demo` (one,
filled with sample events and the model built over them)."""
