"""The lifecycle graph: edges, order, problems and renderings, on hand-built modules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sluice.errors import ConfigError
from sluice.lifecycle.graph import Problem, build_graph, check, order, render
from sluice.lifecycle.modules import Module


def module(name: str, consumes: tuple[str, ...] = (), staged: tuple[str, ...] = (),
           this_run: tuple[str, ...] = (), tables: tuple[str, ...] = (),
           sources: tuple[str, ...] = ()) -> Module:
    return Module(name=name, kind="custom", folder=Path("x"), main=Path("x"), complete=Path("x"),
                  consumes=consumes, staged=staged, this_run=this_run, tables=tables, sources=sources)


def modules(*items: Module) -> dict[str, Module]:
    return {m.name: m for m in items}


BASE = module("base", sources=("events",), staged=("events_staged",), this_run=("events_this_run",))
PAGE_VIEWS = module("page_views", consumes=("events_staged",), staged=("page_views_staged",),
                    tables=("page_views",))
SESSIONS = module("sessions", consumes=("events_staged",), tables=("sessions",))
LIVE = module("live", consumes=("events_this_run",), tables=("live",))
USERS = module("users", consumes=("page_views_staged", "sessions"), tables=("users",))

PROJECT = modules(BASE, PAGE_VIEWS, SESSIONS, LIVE, USERS)


def test_nodes_carry_module_and_phase():
    graph = build_graph(modules(BASE))
    assert dict(graph.nodes(data=True)) == {
        "base:main": {"module": "base", "phase": "main"},
        "base:complete": {"module": "base", "phase": "complete"},
    }
    assert graph.edges["base:main", "base:complete"]["table"] is None


@pytest.mark.parametrize(("declared", "edges"), [
    ((BASE, PAGE_VIEWS), {("base:complete", "page_views:main", "events_staged")}),
    ((BASE, LIVE), {("base:main", "live:main", "events_this_run"),
                    ("live:main", "base:complete", "events_this_run")}),
    ((PAGE_VIEWS, SESSIONS, USERS), {("page_views:complete", "users:main", "page_views_staged"),
                                     ("sessions:complete", "users:main", "sessions")}),
])
def test_edges_name_their_table(declared, edges):
    graph = build_graph(modules(*declared))
    found = {(s, t, table) for s, t, table in graph.edges(data="table") if table}
    assert found == edges


def test_one_edge_for_two_tables_keeps_both_names():
    consumer = module("c", consumes=("a_staged", "b_staged"))
    graph = build_graph(modules(module("p", staged=("a_staged", "b_staged")), consumer))
    assert graph.edges["p:complete", "c:main"]["table"] == "a_staged, b_staged"


@pytest.mark.parametrize(("declared", "expected"), [
    # a producer and two consumers: both consumers wait for the committed batch
    ((BASE, PAGE_VIEWS, SESSIONS),
     ["base:main", "base:complete", "page_views:main", "page_views:complete",
      "sessions:main", "sessions:complete"]),
    # declaration order breaks ties, whatever order the consumers come in
    ((SESSIONS, PAGE_VIEWS, BASE),
     ["base:main", "base:complete", "sessions:main", "sessions:complete",
      "page_views:main", "page_views:complete"]),
    # a `_this_run` consumer runs between its producer's main and complete
    ((BASE, LIVE), ["base:main", "live:main", "base:complete", "live:complete"]),
    # ... and, once both mains ran, the earlier-declared module completes first
    ((LIVE, BASE), ["base:main", "live:main", "live:complete", "base:complete"]),
])
def test_order(declared, expected):
    assert order(build_graph(modules(*declared))) == expected


@pytest.mark.parametrize(("selected", "expected"), [
    (["users"], ["users:main", "users:complete"]),
    (["users", "base"], ["base:main", "base:complete", "users:main", "users:complete"]),
    (["live", "base"], ["base:main", "live:main", "base:complete", "live:complete"]),
    ([], []),
])
def test_order_restricted_to_selected_modules(selected, expected):
    assert order(build_graph(PROJECT), selected) == expected


def test_order_of_the_whole_project_respects_every_edge():
    graph = build_graph(PROJECT)
    position = {n: i for i, n in enumerate(order(graph))}
    assert set(position) == set(graph)
    assert all(position[s] < position[t] for s, t in graph.edges)


@pytest.mark.parametrize(("selected", "message"), [
    (["nope"], "unknown module 'nope'"),
])
def test_order_rejects_unknown_modules(selected, message):
    with pytest.raises(ConfigError, match=message):
        order(build_graph(PROJECT), selected)


def test_order_reports_a_cycle_in_one_line():
    graph = build_graph(modules(module("a", consumes=("b_staged",), staged=("a_staged",)),
                                module("b", consumes=("a_staged",), staged=("b_staged",))))
    with pytest.raises(ConfigError) as caught:
        order(graph)
    assert str(caught.value) == ("the module graph has a cycle: "
                                 "a:main -> a:complete -> b:main -> b:complete -> a:main")


@pytest.mark.parametrize(("declared", "expected"), [
    (tuple(PROJECT.values()), []),
    # an external input declared by some module is fine, even read by another one
    ((BASE, module("raw", consumes=("events",))), []),
    ((module("page_views", consumes=("events_stagd",)), BASE),
     ["module 'page_views': consumes 'events_stagd', which no module produces "
      "(did you mean 'events_staged'?)"]),
    ((module("lonely", consumes=("zzz",)),),
     ["module 'lonely': consumes 'zzz', which no module produces"]),
    ((BASE, module("copy", staged=("events_staged",))),
     ["module 'copy': produces 'events_staged', which module 'base' also produces"]),
    ((module("loop", consumes=("loop_staged",), staged=("loop_staged",)),),
     ["module 'loop': consumes 'loop_staged', which it produces itself"]),
    ((module("a", consumes=("b_staged",), staged=("a_staged",)),
      module("b", consumes=("a_staged",), staged=("b_staged",))),
     ["module 'a': cycle: a:main -> a:complete -> b:main -> b:complete -> a:main"]),
    # two modules each needing the other's `_this_run` table inside its own window
    ((module("a", consumes=("b_this_run",), this_run=("a_this_run",)),
      module("b", consumes=("a_this_run",), this_run=("b_this_run",))),
     ["module 'a': cycle: a:main -> b:main -> a:main"]),
    # problems come per module in declaration order, cycles last
    ((module("x", consumes=("nothing",)), module("y", consumes=("y_t",), tables=("y_t",)),
      module("z", tables=("y_t",))),
     ["module 'x': consumes 'nothing', which no module produces",
      "module 'y': consumes 'y_t', which it produces itself",
      "module 'z': produces 'y_t', which module 'y' also produces"]),
])
def test_check(declared, expected):
    problems = check(modules(*declared))
    assert [str(p) for p in problems] == expected
    assert all("\n" not in str(p) for p in problems)


def test_problem_is_a_frozen_value():
    problem = Problem("m", "says")
    assert problem == Problem("m", "says")
    with pytest.raises(AttributeError):
        problem.module = "n"  # type: ignore[misc]


SMALL = modules(BASE, PAGE_VIEWS, LIVE)


def test_render_text():
    assert render(build_graph(SMALL), "text") == (
        "base:main\n"
        "live:main  <- base:main (events_this_run)\n"
        "base:complete  <- base:main, live:main (events_this_run)\n"
        "page_views:main  <- base:complete (events_staged)\n"
        "page_views:complete  <- page_views:main\n"
        "live:complete  <- live:main\n"
    )


def test_render_json_round_trips():
    graph = build_graph(SMALL)
    data = json.loads(render(graph, "json"))
    assert data["nodes"] == sorted(graph)
    assert {(e["from"], e["to"], e["table"]) for e in data["edges"]} == set(graph.edges(data="table"))
    assert data["edges"] == sorted(data["edges"], key=lambda e: (e["from"], e["to"]))


def test_render_dot_has_every_edge():
    graph = build_graph(SMALL)
    dot = render(graph, "dot")
    assert dot.startswith("digraph sluice {") and dot.rstrip().endswith("}")
    for source, target, table in graph.edges(data="table"):
        label = f' [label="{table}"]' if table else ""
        assert f'  "{source}" -> "{target}"{label};' in dot


def test_render_mermaid():
    graph = build_graph(modules(*SMALL.values(), module("end", consumes=("page_views",))))
    text = render(graph, "mermaid")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '["end:main"]' in text and "|\"events_staged\"|" in text
    # node ids are plain words, never a bare Mermaid keyword
    ids = {line.split("[", 1)[0].strip() for line in lines[1:] if "[" in line}
    assert len(ids) == len(graph) and all(i.replace("_", "").isalnum() and i != "end" for i in ids)
    assert sum("-->" in line for line in lines) == graph.number_of_edges()


@pytest.mark.parametrize("fmt", ["svg", "", "JSON"])
def test_render_rejects_unknown_formats(fmt):
    with pytest.raises(ConfigError, match="unknown graph format"):
        render(build_graph(SMALL), fmt)
