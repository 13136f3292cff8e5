"""Variables and rendering: --var parsing, precedence, identifier checks, strict templates."""

from __future__ import annotations

import pytest

from sluice.errors import ArgumentError, TemplateError
from sluice.render.identifiers import check_identifiers
from sluice.render.renderer import Renderer
from sluice.render.variables import merge_variables, parse_var_assignments


@pytest.mark.parametrize(("args", "expected"), [
    (["a=1"], {"a": 1}),
    (["a=1", "b=x"], {"a": 1, "b": "x"}),
    (["k1=v1,k2=v2"], {"k1": "v1", "k2": "v2"}),
    (["k1=v1, k2=v2", "k3=v3"], {"k1": "v1", "k2": "v2", "k3": "v3"}),
    (["a=1", "a=2"], {"a": 2}),  # the later one wins
    (["flag=true", "off=FALSE"], {"flag": True, "off": False}),
    (["n=-3", "f=0.5"], {"n": -3, "f": 0.5}),
    # values that only look numeric stay exactly what was typed
    (["z=007", "v=1.10", "u=1_000", "e=1e5", "x=nan", "y=inf"],
     {"z": "007", "v": "1.10", "u": "1_000", "e": "1e5", "x": "nan", "y": "inf"}),
    (["start=2024-01-01", "empty="], {"start": "2024-01-01", "empty": ""}),
    (["list=a,b,c"], {"list": "a,b,c"}),  # a comma not followed by key= belongs to the value
    (["expr=a=b"], {"expr": "a=b"}),
    ([], {}),
])
def test_parse_var_assignments(args, expected):
    assert parse_var_assignments(args) == expected
    assert all(type(v) is type(expected[k]) for k, v in parse_var_assignments(args).items())


@pytest.mark.parametrize("bad", [["novalue"], ["=v"], ["a=1", "oops"], [" =1"]])
def test_var_without_key_or_equals_is_an_argument_error(bad):
    with pytest.raises(ArgumentError, match="expected KEY=VALUE") as caught:
        parse_var_assignments(bad)
    assert caught.value.exit_code == 1


def test_variable_precedence():
    playbook = {"a": "playbook", "b": "playbook", "c": "playbook", "d": "playbook", "only_pb": 1}
    project = {"b": "global", "c": "global", "d": "global"}
    module = {"c": "module", "d": "module"}
    cli = {"d": "cli"}
    merged = merge_variables(playbook, project, module, cli)
    assert merged == {"a": "playbook", "b": "global", "c": "module", "d": "cli", "only_pb": 1}
    assert playbook["d"] == "playbook"  # inputs are not mutated
    assert merge_variables(None, {"a": 1}, None) == {"a": 1}


@pytest.mark.parametrize(("variables", "declared"), [
    ({"output_schema": "derived", "entropy": ""}, ()),
    ({"schema": "s1", "events_table": "events", "entropy": "_dev2"}, ()),
    ({"entropy": 2, "name_suffix": "_x", "tbl_prefix": "p_"}, ()),
    ({"target_name": "ok_name"}, ("target_name",)),
    ({"label": "x; drop table y"}, ()),  # not an identifier variable: left alone
])
def test_identifiers_accepted(variables, declared):
    check_identifiers(variables, declared, "pb.yml")


@pytest.mark.parametrize(("variables", "declared", "name"), [
    ({"output_schema": "x; drop table y"}, (), "output_schema"),
    ({"schema": "a.b"}, (), "schema"),
    ({"events_table": "1events"}, (), "events_table"),
    ({"events_table": ""}, (), "events_table"),
    ({"entropy": "_x y"}, (), "entropy"),
    ({"entropy": "-dev"}, (), "entropy"),
    ({"scratch_schema": True}, (), "scratch_schema"),
    ({"target_name": "bad name"}, ("target_name",), "target_name"),
])
def test_identifiers_rejected(variables, declared, name):
    with pytest.raises(TemplateError) as caught:
        check_identifiers(variables, declared, "pb.yml")
    assert str(caught.value).startswith(f"pb.yml: variable '{name}'")
    assert caught.value.exit_code == 7


@pytest.mark.parametrize(("source", "variables", "expected"), [
    ("select * from {{ schema }}.t", {"schema": "s"}, "select * from s.t"),
    ("{% if flag %}a{% else %}b{% endif %}", {"flag": False}, "b"),
    ("select * from {{ table('s', 'events') }}", {"entropy": "_t1"}, "select * from s.events_t1"),
    ("select * from {{ table('s', 'events') }}", {}, "select * from s.events"),
    ('select {{.x}} -- {{if eq .y "a"}}A{{else}}B{{end}}', {"x": 1, "y": "a"}, "select 1 -- A"),
])
def test_render(source, variables, expected):
    go = "{{." in source
    assert Renderer(None).render(source, variables, "q.sql", go_template=go) == expected


@pytest.mark.parametrize(("source", "go", "needles"), [
    ("select 1;\nselect {{ missing_var }};\n", False, ["q.sql:2", "variable 'missing_var' is not defined"]),
    ("select 1;\nselect {{.missing_var}};\n", True, ["q.sql:2", "missing_var"]),
    ("select {{ a.b }}", False, ["q.sql", "'b'"]),
    ("select {% if %}", False, ["q.sql:1", "template syntax"]),
    ("select {{ table('s', 'x;y') }}", False, ["q.sql", "'x;y' is not a valid identifier"]),
])
def test_render_errors_name_the_file_and_variable(source, go, needles):
    with pytest.raises(TemplateError) as caught:
        Renderer(None).render(source, {"a": {}}, "q.sql", go_template=go)
    message = str(caught.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message


@pytest.mark.parametrize(("dialect", "expected"), [("duckdb", "duckdb"), ("postgres", "postgres"),
                                                   ("redshift", "redshift")])
def test_renderer_knows_its_dialect(dialect, expected):
    assert Renderer(dialect).render("{{ dialect }}", {}, "q.sql") == expected


def test_unknown_dialect():
    with pytest.raises(TemplateError, match="no macros for dialect 'oracle'"):
        Renderer("oracle")


def test_compiled_templates_serve_every_renderer_of_the_process_and_the_next(tmp_path, monkeypatch):
    source = "SELECT {{ n + 1 }} -- a text no other test renders"
    first = Renderer("duckdb", cache_dir=tmp_path / "cache")
    assert first.render(source, {"n": 1}, "a.sql") == "SELECT 2 -- a text no other test renders"
    assert list((tmp_path / "cache").iterdir())  # kept for the next process
    compiled = []
    monkeypatch.setattr(first.env.__class__, "compile", lambda *args, **kwargs: compiled.append(args))
    unwritable = tmp_path / "file"
    unwritable.write_text("")  # a cache folder that cannot be made costs compiling, not the run
    for second in (Renderer("postgres"), Renderer("duckdb", cache_dir=unwritable / "cache")):
        assert second.render(source, {"n": 2}, "a.sql") == "SELECT 3 -- a text no other test renders"
    assert compiled == []
