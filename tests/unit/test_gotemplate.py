"""Go text/template (SQL Runner) -> Jinja2: translate, render, compare the text."""

from __future__ import annotations

import traceback
from datetime import datetime, timedelta, timezone

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sluice.render import gotemplate
from sluice.render.gotemplate import (
    GO_TEMPLATE_GLOBALS,
    GoTemplateError,
    go_time_layout_to_strftime,
    translate,
)
from sluice.secrets import redact

FIXED = datetime(2024, 3, 5, 14, 7, 9, 120000, tzinfo=timezone(timedelta(hours=-7), "MST"))


def render(source: str, **variables: object) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals.update(GO_TEMPLATE_GLOBALS)
    return env.from_string(translate(source, "q.sql")).render(variables)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gotemplate, "_now", lambda: FIXED)


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        ("{{.x}}", {"x": "a"}, "a"),
        ("{{ .x }}!", {"x": 3}, "3!"),
        ("{{.cfg.schema}}", {"cfg": {"schema": "s"}}, "s"),
        ("{{.in}} {{.self}}", {"in": 1, "self": 2}, "1 2"),
        ('{{"a\\tb\\x41\\u00e9\\101"}}', {}, "a\tbAéA"),
        ("{{`raw \\n {{ }}`}}", {}, "raw \\n {{ }}"),
        ('{{"}}"}}', {}, "}}"),
        ("{{42}} {{-7}} {{true}} {{false}}", {}, "42 -7 true false"),
        ("a  {{- .x -}}  b", {"x": "X"}, "aXb"),
        ("a\n{{- .x}}\nb", {"x": "X"}, "aX\nb"),
        ("a {{.x -}}\n\n b", {"x": "X"}, "a Xb"),
        ("x{{/* gone */}}y", {}, "xy"),
        ("x {{- /* gone */ -}} \n y", {}, "xy"),
        ("x{{/* spans\nlines {{.nope}} */}}y", {}, "xy"),
        ("{% raw %} {# c #} 100% %} #} { }", {}, "{% raw %} {# c #} 100% %} #} { }"),
        ("{%{{.x}}{#", {"x": "-"}, "{%-{#"),
        ("{{if .flag}}yes{{else}}no{{end}}", {"flag": "false"}, "yes"),
        ("{{if .flag}}yes{{else}}no{{end}}", {"flag": ""}, "no"),
        ("{{if .flag}}yes{{else}}no{{end}}", {"flag": 0}, "no"),
        ("{{if .flag}}yes{{else}}no{{end}}", {"flag": []}, "no"),
        ("{{if .flag}}yes{{else}}no{{end}}", {"flag": None}, "no"),
        ("{{if .flag}}yes{{else}}no{{end}}", {"flag": True}, "yes"),
        ('{{if eq .x "a" "b" "c"}}in{{else}}out{{end}}', {"x": "b"}, "in"),
        ('{{if eq .x "a" "b" "c"}}in{{else}}out{{end}}', {"x": "d"}, "out"),
        ('{{eq .x "a"}} {{ne .x "a"}} {{not .x}}', {"x": "a"}, "true false false"),
        ("{{and .a .b}}|{{and .a .c}}|{{or .c .a}}", {"a": 1, "b": 2, "c": 0}, "2|0|1"),
        ('{{if and (eq .a "x") (ne .b "y")}}T{{else}}F{{end}}', {"a": "x", "b": "z"}, "T"),
        ('{{if not (eq .a "x")}}T{{else}}F{{end}}', {"a": "x"}, "F"),
        ("{{if eq .n 1}}one{{else if eq .n 2}}two{{else if eq .n 3}}3{{else}}many{{end}}", {"n": 3}, "3"),
        ("{{if eq .n 1}}one{{else if eq .n 2}}two{{else}}many{{end}}", {"n": 9}, "many"),
        ("{{if .a}}A{{if .b}}B{{else}}b{{end}}{{else}}a{{end}}", {"a": 1, "b": 0}, "Ab"),
        ("{{if .a}}A{{if .b}}B{{end}}{{else}}a{{if .b}}B{{end}}{{end}}", {"a": 0, "b": 1}, "aB"),
        ("{{- if .a -}}\n  yes\n{{- end -}}\n", {"a": 1}, "yes"),
        ('{{nowWithFormat "2006_01_02"}}', {}, "2024_03_05"),
    ],
)
def test_render(source: str, variables: dict, expected: str) -> None:
    assert render(source, **variables) == expected


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        ("{{or .x 6}}", {}, "6"),
        ("{{or .x 6}}", {"x": ""}, "6"),
        ("{{or .x 6}}", {"x": None}, "6"),
        ("{{or .x 6}}", {"x": "24"}, "24"),
        ('{{or .x .y "z"}}', {"y": "Y"}, "Y"),
        ("{{or .x .y}}", {}, ""),
        ("{{or .cfg.x 1}}", {"cfg": {}}, "1"),
        ('{{if or .x (eq .y "a")}}T{{else}}F{{end}}', {"y": "a"}, "T"),
    ],
)
def test_or_falls_back_on_missing_or_empty(source: str, variables: dict, expected: str) -> None:
    assert render(source, **variables) == expected


@pytest.mark.parametrize(
    "source",
    ["{{.x}}", "{{if .x}}{{end}}", '{{if eq .x "a"}}{{end}}', "{{not .x}}", "{{and .x 1}}",
     '{{or (eq .x "a") 1}}', "{{.in}}", "{{.cfg.nope}}"],
)  # fmt: skip
def test_missing_variable_raises_outside_or(source: str) -> None:
    with pytest.raises(jinja2.UndefinedError):
        render(source, cfg={})


def test_eq_refuses_to_compare_a_string_with_a_number() -> None:
    with pytest.raises(jinja2.TemplateRuntimeError, match="incompatible types"):
        render('{{eq .x "1"}}', x=1)


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ("2006_01_02", "2024_03_05"),
        ("06-1-2 _2|__2|002", "24-3-5  5| 65|065"),
        ("15:04:05 03:04:05 PM 3:4:5 pm", "14:07:09 02:07:09 PM 2:7:9 pm"),
        ("Mon Monday Jan January MST", "Tue Tuesday Mar March MST"),
        ("-0700 -07:00 -07 Z07:00 -07:00:00", "-0700 -07:00 -07 -07:00 -07:00:00"),
        ("05.000 05.000000 05,999 05.999999999 05.0", "09.120 09.120000 09,12 09.12 09.1"),
        ("at %: 2006%", "at %: 2024%"),  # "1" in "100%" would be the month, as in Go
        ("_2006", "_2024"),
    ],
)
def test_now_with_format(layout: str, expected: str) -> None:
    assert render(f'{{{{nowWithFormat "{layout}"}}}}') == expected


def test_now_with_format_utc_and_trailing_zero_fraction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gotemplate, "_now", lambda: datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert render('{{nowWithFormat "Z07:00 Z0700 -0700 05.999"}}') == "Z Z +0000 05"


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ("2006_01_02", "%Y_%m_%d"),
        ("2006-01-02T15:04:05.000Z07:00", "%Y-%m-%dT%H:%M:%S.%f%:z"),
        ("Mon Jan _2 3:4:5 PM MST -0700 %", "%a %b %e %-I:%-M:%-S %p %Z %z %%"),
        ("January Monday 06 1 2 pm 002", "%B %A %y %-m %-d %P %j"),
    ],
)
def test_go_time_layout_to_strftime(layout: str, expected: str) -> None:
    assert go_time_layout_to_strftime(layout) == expected


def test_system_env_reads_and_registers_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLUICE_TEST_PASSWORD", "hunter2-secret")
    monkeypatch.delenv("SLUICE_TEST_UNSET", raising=False)
    assert render('{{systemEnv "SLUICE_TEST_PASSWORD"}}|{{systemEnv "SLUICE_TEST_UNSET"}}|') == (
        "hunter2-secret||"
    )
    assert redact("login hunter2-secret") == "login ****"


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ('SELECT 1;\n{{printf "%d" 1}}', 2, 'function "printf" not defined'),
        ("a\n\n{{if .x}}\nb\n", 3, "never closed"),
        ("{{if .x}}{{end}}\n{{end}}", 2, "{{end}} without an open {{if}}"),
        ("{{else}}", 1, "{{else}} without an open {{if}}"),
        ("{{if .a}}{{else}}{{else}}{{end}}", 1, "{{else}} after {{else}}"),
        ("x\ny\n{{.x", 3, "unclosed action"),
        ("{{.x | html}}", 1, "pipes"),
        ("{{range .x}}{{end}}", 1, "unsupported action {{range}}"),
        ("{{$x := 1}}", 1, "template variables"),
        ("{{.}}", 1, "whole data"),
        ("{{}}", 1, "missing value"),
        ("{{if}}{{end}}", 1, "missing condition"),
        ('{{"abc}}', 1, "unterminated quoted string"),
        ('{{"\\q"}}', 1, "unknown escape"),
        ("{{not 1 2}}", 1, "wrong number of args for not: want 1 got 2"),
        ("{{eq .x}}", 1, "want at least 2 got 1"),
        ("{{.x .y}}", 1, "can't give argument to non-function"),
        ("{{(eq .x 1}}", 1, "unclosed left paren"),
        ("a\n{{/* never closed", 2, "unclosed comment"),
        ("{{/* c */ .x}}", 1, "comment ends before closing delimiter"),
        ("{{.x ; }}", 1, "unexpected ';'"),
    ],
)
def test_errors_name_origin_and_line(source: str, line: int, fragment: str) -> None:
    with pytest.raises(GoTemplateError) as caught:
        translate(source, "q.sql")
    message = str(caught.value)
    assert message.startswith(f"q.sql:{line}: ")
    assert fragment in message
    assert "\n" not in message
    assert (caught.value.origin, caught.value.line) == ("q.sql", line)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a\n{{/* one\ntwo\nthree */}}\nb\n", "a\n\nb\n"),
        ('{{if eq .x\n "b"}}\n{{else if\n.y}}Y{{end\n}}\n', "Y\n"),
        ("{{`multi\nline\nraw`}}\n{{- .x -}}\n\n", "multi\nline\nrawa"),
        ('{{ "a\\nb" }}\n', "a\nb\n"),
    ],
)
def test_newlines_stay_in_place(source: str, expected: str) -> None:
    assert translate(source).count("\n") == source.count("\n")
    assert render(source, x="a", y=1) == expected


def test_jinja_error_line_points_at_the_original_line() -> None:
    source = "SELECT 1;\n{{/* a\ncomment */}}\n{{if .a}}\n{{.missing}}\n{{end}}\n"
    with pytest.raises(jinja2.UndefinedError) as caught:
        render(source, a=1)
    lines = [f.lineno for f in traceback.extract_tb(caught.value.__traceback__) if f.filename == "<template>"]
    assert lines[-1] == 5


SNOWPLOW = """\
{{/* Creates the staging table once per model version */}}
{{if eq .model_version "1.0.0" "1.0.1"}}
CREATE TABLE IF NOT EXISTS {{.scratch_schema}}.events_staged{{.entropy}} (...);
{{else}}-- nothing{{end}}
SELECT {{or .lookback_window_hours 6}} AS lookback, '{{nowWithFormat "2006_01_02"}}' AS d;
"""


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (
            {"model_version": "1.0.0", "scratch_schema": "scr", "entropy": "_t", "lookback_window_hours": ""},
            "\n\nCREATE TABLE IF NOT EXISTS scr.events_staged_t (...);\n\n"
            "SELECT 6 AS lookback, '2024_03_05' AS d;\n",
        ),
        (
            {"model_version": "0.9", "scratch_schema": "s", "entropy": "", "lookback_window_hours": "48"},
            "\n-- nothing\nSELECT 48 AS lookback, '2024_03_05' AS d;\n",
        ),
    ],
)
def test_snowplow_style_sql(variables: dict, expected: str) -> None:
    assert render(SNOWPLOW, **variables) == expected


@given(st.text(alphabet="{}%#-+ ab'\"\n\t\\", max_size=40).filter(lambda text: "{{" not in text))
def test_literal_text_renders_verbatim(text: str) -> None:
    assert render(text) == text
