"""Dependencies point one way. Each package of the runner may import only the packages below
it; a lower layer that imports a higher one is a design error this test names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[2] / "runner"
#: package (or core module) -> what it may import from sluice, besides itself
ALLOWED = {
    "errors": set(),
    "secrets": {"errors"},
    "resources": set(),
    "typed": {"errors"},
    "targets": {"errors", "typed", "secrets"},
    "output": {"secrets", "targets"},
    "output_terminal": {"output"},
    "output_handlers": {"output", "output_terminal"},
    "config": {"errors", "typed", "targets", "__init__"},
    "render": {"errors", "resources", "secrets"},
    "families": {"config", "errors", "render", "resources"},
    "sqlrunner": {"errors", "config", "typed", "render", "targets", "output", "resources", "__init__"},
    "lifecycle": {"errors", "config", "typed", "render", "targets", "output", "resources", "families", "sqlrunner",
                  "__init__"},
    "events": {"errors", "config", "families", "render", "targets", "output", "resources"},
    "scaffold": {"errors", "config", "events", "families", "lifecycle", "output", "targets"},
    "report": {"api", "config", "errors", "families", "lifecycle", "render", "resources", "sqlrunner", "targets",
               "typed"},
    # the Airflow DAGs drive modules through the Python API alone, never the lifecycle
    "airflow": {"api", "errors", "output"},
}


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            if parts[0] == "sluice":
                if len(parts) == 1:  # `from sluice import x`
                    found |= {a.name if (RUNNER / a.name).exists() or (RUNNER / f"{a.name}.py").exists()
                              else "__init__" for a in node.names}
                else:
                    found.add(parts[1])
    return found


def layer_of(path: Path) -> str:
    relative = path.relative_to(RUNNER)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


@pytest.mark.parametrize("path", sorted(p for p in RUNNER.rglob("*.py") if layer_of(p) in ALLOWED),
                         ids=lambda p: str(p.relative_to(RUNNER)))
def test_imports_point_down(path):
    layer = layer_of(path)
    wrong = imports_of(path) - ALLOWED[layer] - {layer}
    assert not wrong, f"{path.relative_to(RUNNER)} ({layer}) imports {sorted(wrong)}"
