"""`sluice init DIR`: a new project folder.

It holds only what the user owns: `sluice.yml` (the embedded DuckDB target, the other
warehouses commented out, the chosen model families enabled) and empty `playbooks/custom/`
and `sql/custom/` folders for the user's own modules. The standard modules are not copied:
they come from the installed package.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sluice.config import PROJECT_FILE
from sluice.errors import ConfigError
from sluice.families import family

SLUICE_YML = """\
# {name}: a Sluice project. `sluice check` validates it; `sluice run --catch-up` runs it.
default_target: local

targets:
  local:                      # embedded, zero setup: a file under .sluice/
    type: duckdb
    path: .sluice/sluice.duckdb
    lock_timeout: 30          # seconds to wait for another process holding the file
  # pg:
  #   type: postgres
  #   host: localhost
  #   port: 5432
  #   dbname: analytics
  #   user: sluice
  #   password: env:SLUICE_PG_PASSWORD       # secrets come from the environment
  # redshift:                                # needs: pip install "sluice[redshift]"
  #   type: redshift
  #   host: example-cluster.abc123.eu-west-1.redshift.amazonaws.com
  #   port: 5439
  #   dbname: analytics
  #   user: sluice
  #   password: env:SLUICE_REDSHIFT_PASSWORD

# The model families this project runs; their standard modules come with Sluice.
models: [{models}]

vars:                         # global variables: above module defaults, below modules.<name>.vars and --var
  input_schema: atomic
  scratch_schema: scratch
  output_schema: derived

modules: {{}}                  # per module: enabled, schedule (cron), vars

# parallel_modules: 2         # modules with no path between them run side by side, this many at
                              # once; pays on DuckDB, not yet on PostgreSQL (Sluice's
                              # docs/operators.md); 1, the default: one at a time
"""

CUSTOM_NOTE = """\
# Custom modules

Each folder here is one module: a `module.yml` declaring what it consumes and produces, a
main and a complete playbook. Its SQL goes at the same path under `sql/custom/`. `sluice
check` validates it, `sluice graph` shows where it sits in the lifecycle, and `sluice
backfill MODULE --since DATE` replays history into it. The section "Writing a custom module"
of Sluice's README has a complete example.
"""

GITIGNORE = ".sluice/\n*.rejects.tsv\n"


def init_project(folder: Path, models: Sequence[str] = ("snowplow-web",)) -> list[Path]:
    """Create the project's files in `folder` (made if missing); refuse to overwrite a project."""
    for name in models:
        family(name, "--model")
    config = folder / PROJECT_FILE
    if config.exists():
        raise ConfigError(f"{config} already exists: sluice init does not overwrite a project")
    try:
        written = [_write(config, SLUICE_YML.format(name=folder.resolve().name, models=", ".join(models)))]
        for tree in ("playbooks", "sql"):
            (folder / tree / "custom").mkdir(parents=True, exist_ok=True)
        written.append(_write(folder / "playbooks" / "custom" / "README.md", CUSTOM_NOTE))
        if not (folder / ".gitignore").exists():
            written.append(_write(folder / ".gitignore", GITIGNORE))
    except OSError as exc:
        raise ConfigError(f"cannot create the project in {folder}: {exc.strerror}") from None
    return written


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
