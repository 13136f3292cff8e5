"""What a module's SQL templates see: every variable in its one precedence order, checked and
folded for the target's dialect, and the names of the run (`run_id`, `batch_id`, `module`,
`unconsumed(...)`). `sluice run`, `sluice check` and the dry run all build it here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sluice.config import CLEANUP_MODES, LIFECYCLE_DEFAULTS, Project
from sluice.errors import ConfigError
from sluice.families import family_variables
from sluice.lifecycle.modules import Module
from sluice.render.identifiers import check_identifier, check_identifiers
from sluice.render.variables import merge_variables
from sluice.sqlrunner.playbook import Playbook

#: the batch range a run reads from one staged table: (consumed, head]
BatchRange = tuple[int, int]
#: `schema.table` -> its columns, in order; none when it does not exist
ColumnLookup = Callable[[str], list[str]]


def module_variables(project: Project, module: Module, book: Playbook, cli_vars: Mapping[str, Any],
                     dialect: str | None) -> dict[str, Any]:
    """Lowest first: lifecycle defaults, the enabled families' defaults, module.yml, the
    playbook, sluice.yml, sluice.yml's settings for this module, --var."""
    variables = merge_variables(LIFECYCLE_DEFAULTS, family_variables(project), module.variables, book.variables,
                                project.vars, project.module_vars(module.name), cli_vars)
    variables = check_identifiers(variables, book.identifiers, str(book.path), dialect)
    if variables["cleanup_mode"] not in CLEANUP_MODES:
        raise ConfigError(f"module '{module.name}': cleanup_mode must be one of {', '.join(CLEANUP_MODES)}, "
                          f"not {variables['cleanup_mode']!r}")
    variables["dialect"] = dialect
    return variables


def run_names(module: Module, run_id: str, batch_id: int | None, inputs: Mapping[str, BatchRange],
              variables: Mapping[str, Any], columns: ColumnLookup | None = None) -> dict[str, Any]:
    """The names a run adds to a module's variables.

    `columns(relation)` lists a table's columns as the warehouse has them when the template
    renders (none for a table that does not exist, and none when nothing is connected, as in
    `sluice check`), so SQL can add what an output lacks where the warehouse has no
    `ADD COLUMN IF NOT EXISTS` (Redshift). A module's outputs are its own, and it holds its
    lock from rendering to running, so the answer stays true while its SQL runs."""
    columns = columns or (lambda relation: [])
    return {"run_id": run_id, "batch_id": batch_id if batch_id is not None else 0, "module": module.name,
            "unconsumed": unconsumed_reader(module, inputs, variables, columns), "columns": columns}


def unconsumed_reader(module: Module, inputs: Mapping[str, BatchRange], variables: Mapping[str, Any],
                      columns: ColumnLookup) -> Callable[..., str | None]:
    """`FROM {{ unconsumed('events_staged') }}`: the rows of the batches this run reads, the
    same SQL on every target, as a FROM item aliased by the table's name (or `alias`).

    `newest_per='domain_sessionid'` keeps, for each value of the key, only the rows of the
    newest batch that holds it: a session re-staged by a later batch is read once, whole, as
    it stands now. It is one window over the unconsumed rows, so the plan cannot turn into a
    nested loop however stale the statistics.

    `if_created=True` gives none instead while the table does not exist yet (its producer has
    not run), so SQL can read it or an empty relation of the same shape in its place."""
    # the variables are folded already (module_variables), and table names are lower case
    schema, entropy = variables["scratch_schema"], variables.get("entropy", "")
    batches = f"{variables['output_schema']}.staged_batches{entropy}"

    def unconsumed(table: str, alias: str | None = None, newest_per: str | None = None,
                   if_created: bool = False) -> str | None:
        if table not in inputs:
            raise ConfigError(f"module '{module.name}' reads {table} but does not declare it in consumes")
        after, upto = inputs[table]
        staged = f"{schema}.{check_identifier(table)}{entropy}"
        if if_created and not columns(staged):
            return None
        rows = (f"SELECT s.* FROM {staged} AS s WHERE s.batch_id > {int(after)} AND s.batch_id <= {int(upto)} "
                f"AND s.batch_id IN (SELECT batch_id FROM {batches} WHERE staged_table = '{table}' "
                f"AND state <> 'pending' AND (consumer IS NULL OR consumer = '{module.name}'))")
        if newest_per is not None:
            key = check_identifier(newest_per)
            rows = (f"SELECT n.* FROM (SELECT r.*, MAX(r.batch_id) OVER (PARTITION BY r.{key}) AS newest_batch_id "
                    f"FROM ({rows}) AS r) AS n WHERE n.batch_id = n.newest_batch_id")
        return f"({rows}) AS {check_identifier(alias or table)}"

    return unconsumed
