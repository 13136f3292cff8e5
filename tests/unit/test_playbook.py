"""Playbook parsing: native and SQL Runner formats, validation messages, SQL roots."""

from __future__ import annotations

from pathlib import Path

import pytest

from sluice.errors import PlaybookError
from sluice.render.renderer import Renderer
from sluice.sqlrunner.playbook import default_sqlroot, load_playbook, sqlrunner_target_settings

NATIVE = """\
variables: {output_schema: derived, lookback: 6}
steps:
  - name: build
    queries:
      - {name: a, file: a.sql}
      - {name: b, file: b.sql, transaction: false}
  - name: publish
    queries:
      - {name: c, file: c.sql}
"""

SQLRUNNER = """\
:targets:
  - :name: warehouse
    :type: postgres
    :host: {{.host}}
    :port: 5433
    :database: analytics
    :username: loader
    :password: {{.pw}}
    :ssl: true
:variables:
  :input_schema: atomic
  :timeFormat: "2006_01_02"
:steps:
  - :name: 01-setup
    :queries:
      - :name: schema
        :file: a.sql
        :template: true
  - :name: 02-main
    :queries:
      - :name: plain
        :file: b.sql
"""


def load(tmp_path: Path, text: str, cli_vars: dict | None = None, files=("a.sql", "b.sql", "c.sql")):
    for name in files:
        (tmp_path / name).write_text("select 1;\n")
    path = tmp_path / "pb.yml"
    path.write_text(text)
    return load_playbook(path, cli_vars or {}, Renderer(None))


def shape(book) -> list[tuple[str, list[tuple[str, str, bool, bool]]]]:
    return [(s.name, [(q.name, q.file.name, q.template, q.transaction) for q in s.queries]) for s in book.steps]


def test_native_playbook(tmp_path):
    book = load(tmp_path, NATIVE)
    assert shape(book) == [
        ("build", [("a", "a.sql", True, True), ("b", "b.sql", True, False)]),
        ("publish", [("c", "c.sql", True, True)]),
    ]
    assert book.variables == {"output_schema": "derived", "lookback": 6}
    assert (book.targets, book.go_templates) == (None, False)
    assert book.steps[0].queries[0].file == (tmp_path / "a.sql").resolve()


def test_sqlrunner_playbook_filled_from_vars(tmp_path):
    book = load(tmp_path, SQLRUNNER, {"host": "db.internal", "pw": "s3cret"})
    assert shape(book) == [("01-setup", [("schema", "a.sql", True, True)]),
                           ("02-main", [("plain", "b.sql", False, True)])]
    assert book.variables == {"input_schema": "atomic", "timeFormat": "2006_01_02"}
    assert book.go_templates
    assert book.targets == {"warehouse": {"type": "postgres", "host": "db.internal", "port": 5433,
                                          "dbname": "analytics", "user": "loader", "password": "s3cret",
                                          "sslmode": "require"}}


def test_native_playbook_filled_from_vars(tmp_path):
    text = NATIVE.replace("file: c.sql", "file: '{{ last }}.sql'")
    assert load(tmp_path, text, {"last": "a"}).steps[1].queries[0].file.name == "a.sql"


@pytest.mark.parametrize(("entry", "expected"), [
    ({"name": "r", "type": "Redshift", "host": "h", "port": 5439, "database": "d", "username": "u",
      "password": "", "ssl": True},
     {"type": "redshift", "host": "h", "port": 5439, "dbname": "d", "user": "u"}),
    ({"type": "postgres", "host": "h", "ssl": False}, {"type": "postgres", "host": "h"}),
    ({"type": "postgres", "ssl": True, "sslmode": "verify-full"}, {"type": "postgres", "sslmode": "verify-full"}),
])
def test_sqlrunner_target_settings(entry, expected):
    assert sqlrunner_target_settings(entry) == expected


@pytest.mark.parametrize(("text", "needles"), [
    ("steps: [unclosed\n", ["pb.yml:2", "not valid YAML"]),
    ("variables: {a: 1}\nsteps:\n\t- name: s\n", ["pb.yml:3", "not valid YAML"]),
    ("- just\n- a list\n", ["pb.yml", "mapping"]),
    ("variables: {}\n", ["has no steps"]),
    ("steps: []\n", ["has no steps"]),
    (NATIVE + "extra: 1\n", ["pb.yml", "unknown key(s) extra"]),
    (NATIVE.replace("- name: publish", "- name: publish\n    when: always"), ["step 2", "unknown key(s) when"]),
    (NATIVE.replace("file: c.sql}", "file: c.sql, tmpl: true}"), ["step 'publish' query 1", "tmpl"]),
    (NATIVE.replace("name: publish", "name: build"), ["step 'build' appears twice"]),
    ("steps:\n  - name: empty\n    queries: []\n", ["step 'empty' has no queries"]),
    ("steps:\n  - name: empty\n", ["step 'empty' has no queries"]),
    ("steps:\n  - name: s\n    queries: [{name: q}]\n", ["query 'q' names no file"]),
    ("steps:\n  - name: s\n    queries: [{name: q, file: missing.sql}]\n",
     ["query 'q'", "missing.sql", "does not exist"]),
    ("variables: [a, b]\nsteps: []\n", ["'variables' must be a mapping"]),
    (SQLRUNNER.replace(":steps:", ":schedule: daily\n:steps:"), ["pb.yml", "unknown key(s) schedule"]),
    (SQLRUNNER.replace(":ssl: true", ":sll: true"), ["target 1", "unknown key(s) sll"]),
    (SQLRUNNER.replace("{{.host}}", "{{.hostname}}"), ["pb.yml:4", "variable 'hostname' is not defined"]),
    ("steps:\n  - name: c\n    checks: [{name: x, file: a.sql, severity: critical}]\n    queries: []\n",
     ["step 'c' has both queries and checks"]),
    ("steps:\n  - name: c\n    checks: []\n", ["step 'c' has no checks"]),
    ("steps:\n  - name: c\n    checks: [{name: x, file: a.sql, severity: fatal}]\n",
     ["check 1", "severity must be one of critical, warn, not 'fatal'"]),
    ("steps:\n  - name: c\n    checks: [{name: x, file: a.sql, builtin: volume, severity: warn}]\n",
     ["check 1", "either 'file' or 'builtin'", "freshness, volume"]),
    ("steps:\n  - name: c\n    checks: [{name: x, builtin: volumes, severity: warn}]\n",
     ["no built-in check 'volumes'"]),
    ("steps:\n  - name: c\n    checks: [{name: Bad-Name, file: a.sql, severity: warn}]\n",
     ["name 'Bad-Name' must be lower-case"]),
    ("steps:\n  - name: c\n    checks: [{name: x, file: a.sql, severity: warn, when: 1}]\n",
     ["check 1", "unknown key(s) when"]),
])
def test_invalid_playbooks(tmp_path, text, needles):
    with pytest.raises(PlaybookError) as caught:
        load(tmp_path, text, {"host": "h", "pw": "x"})
    message = str(caught.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message
    assert caught.value.exit_code == 7


def test_playbook_that_cannot_be_read(tmp_path):
    with pytest.raises(PlaybookError, match="nope.yml: cannot read playbook"):
        load_playbook(tmp_path / "nope.yml", {}, Renderer(None))


@pytest.mark.parametrize(("playbook", "expected"), [
    ("playbooks/standard/01-base/01-base-main.yml", "sql/standard/01-base"),
    ("playbooks/custom/journeys/main.yml", "sql/custom/journeys"),
    ("playbooks/top.yml", "sql"),
    ("elsewhere/pb.yml", "elsewhere"),  # outside playbooks/: beside the playbook, as SQL Runner
])
def test_default_sqlroot_mirrors_playbooks(tmp_path, playbook, expected):
    assert default_sqlroot(tmp_path / playbook, tmp_path) == (tmp_path / expected).resolve()


def test_mirrored_sqlroot_resolves_query_files(tmp_path):
    sql = tmp_path / "sql/standard/01-base/01-main"
    sql.mkdir(parents=True)
    (sql / "01-x.sql").write_text("select 1;\n")
    path = tmp_path / "playbooks/standard/01-base/x.yml"
    path.parent.mkdir(parents=True)
    path.write_text("steps:\n  - name: s\n    queries: [{name: q, file: 01-main/01-x.sql}]\n")
    book = load_playbook(path, {}, Renderer(None), project_root=tmp_path)
    assert book.steps[0].queries[0].file == (sql / "01-x.sql").resolve()
    explicit = load_playbook(path, {}, Renderer(None), sqlroot=sql.parent, project_root=tmp_path)
    assert explicit.steps[0].queries[0].file == (sql / "01-x.sql").resolve()
