"""The lifecycle graph: which module step may run after which.

Each module contributes two nodes, `<module>:main` and `<module>:complete`. Edges come from
what modules consume and produce; `check` reports what would
make the graph unsound before anything runs, and `render` draws it for `sluice graph`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from sluice.errors import ConfigError
from sluice.lifecycle.modules import Module

PHASES = ("main", "complete")
FORMATS = ("text", "dot", "mermaid", "json")
THIS_RUN_SUFFIX = "_this_run"


@dataclass(frozen=True)
class Problem:
    """One thing `sluice check` reports about the graph, printed as one line."""

    module: str
    message: str

    def __str__(self) -> str:
        return f"module '{self.module}': {self.message}"


def node(module: str, phase: str) -> str:
    """A node's name: `module:phase`."""
    return f"{module}:{phase}"


def module_and_phase(name: str) -> tuple[str, str]:
    """The module and the phase a node's name (`node`) stands for."""
    module, _, phase = name.rpartition(":")
    return module, phase


def build_graph(modules: Mapping[str, Module]) -> nx.DiGraph:
    """Nodes in declaration order (main before complete), since `order` breaks ties by it."""
    graph = nx.DiGraph()
    for module in modules.values():
        for phase in PHASES:
            graph.add_node(node(module.name, phase), module=module.name, phase=phase)
        graph.add_edge(node(module.name, "main"), node(module.name, "complete"), table=None)
    producers = _producers(modules)
    for consumer in modules.values():
        for table in consumer.consumes:
            for producer in producers.get(table, []):
                # Consuming one's own output is reported by `check`; as edges it would
                # only show up again, less clearly, as a cycle.
                if producer.name != consumer.name:
                    _link(graph, producer, consumer.name, table)
    return graph


def _producers(modules: Mapping[str, Module]) -> dict[str, list[Module]]:
    producers: dict[str, list[Module]] = {}
    for module in modules.values():
        for table in dict.fromkeys(module.produces):
            producers.setdefault(table, []).append(module)
    return producers


def _link(graph: nx.DiGraph, producer: Module, consumer: str, table: str) -> None:
    if table in producer.this_run or table.endswith(THIS_RUN_SUFFIX):
        # A `_this_run` table exists only between its producer's main and complete,
        # so the consumer's main must fit in that window.
        _add_edge(graph, node(producer.name, "main"), node(consumer, "main"), table)
        _add_edge(graph, node(consumer, "main"), node(producer.name, "complete"), table)
    else:
        # Staged and production tables are read as committed batches: after complete.
        _add_edge(graph, node(producer.name, "complete"), node(consumer, "main"), table)


def _add_edge(graph: nx.DiGraph, source: str, target: str, table: str) -> None:
    # A DiGraph holds one edge per pair; keep every table that asked for it.
    previous = graph.edges[source, target]["table"] if graph.has_edge(source, target) else None
    tables = [*(previous.split(", ") if previous else []), table]
    graph.add_edge(source, target, table=", ".join(dict.fromkeys(tables)))


def downstream(graph: nx.DiGraph, modules: Iterable[str]) -> list[str]:
    """The named modules and every module that reads what they produce, directly or not, in
    lifecycle order."""
    reached = set(modules)
    for name in modules:
        reached |= {graph.nodes[n]["module"] for n in nx.descendants(graph, node(name, "main"))}
    ordered = [module_and_phase(n) for n in order(graph)]
    return [module for module, phase in ordered if phase == "main" and module in reached]


def waits_for(graph: nx.DiGraph, nodes: Iterable[str]) -> dict[str, set[str]]:
    """For each of `nodes`, those among them that must finish before it starts: its ancestors
    in the graph (through nodes left out as well)."""
    chosen = set(nodes)
    return {n: nx.ancestors(graph, n) & chosen for n in chosen}


def check(modules: Mapping[str, Module]) -> list[Problem]:
    """Every problem, per module in declaration order, then cycles."""
    producers = _producers(modules)
    sources = {s for m in modules.values() for s in m.sources}
    known = sorted(set(producers) | sources)
    problems: list[Problem] = []
    for module in modules.values():
        problems += _own_output(module)
        problems += _unproduced(module, producers, sources, known)
        problems += _second_producer(module, producers)
    problems += [_cycle_problem(graph_cycle) for graph_cycle in _cycles(build_graph(modules))]
    return problems


def _own_output(module: Module) -> list[Problem]:
    return [Problem(module.name, f"consumes '{t}', which it produces itself")
            for t in dict.fromkeys(module.consumes) if t in module.produces]


def _unproduced(module: Module, producers: Mapping[str, list[Module]], sources: set[str],
                known: list[str]) -> list[Problem]:
    problems = []
    for table in dict.fromkeys(module.consumes):
        if table in producers or table in sources:
            continue
        close = difflib.get_close_matches(table, known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(Problem(module.name, f"consumes '{table}', which no module produces{hint}"))
    return problems


def _second_producer(module: Module, producers: Mapping[str, list[Module]]) -> list[Problem]:
    # Reported once, on every producer after the first, naming the first.
    problems = []
    for table in dict.fromkeys(module.produces):
        first = producers[table][0].name
        if first != module.name:
            problems.append(Problem(module.name, f"produces '{table}', which module '{first}' also produces"))
    return problems


def _cycles(graph: nx.DiGraph) -> list[list[str]]:
    """One cycle per strongly connected knot, each starting at its earliest-declared node."""
    rank = _rank(graph)
    cycles = []
    knots = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    for knot in sorted(knots, key=lambda c: min(rank[n] for n in c)):
        start = min(knot, key=rank.__getitem__)
        edges = nx.find_cycle(graph.subgraph(knot), source=start)
        nodes = [source for source, _ in edges]
        first = nodes.index(min(nodes, key=rank.__getitem__))
        cycles.append(nodes[first:] + nodes[:first])
    return cycles


def _cycle_problem(cycle: list[str]) -> Problem:
    return Problem(cycle[0].rsplit(":", 1)[0], f"cycle: {_describe(cycle)}")


def _describe(cycle: list[str]) -> str:
    return " -> ".join([*cycle, cycle[0]])


def _rank(graph: nx.DiGraph) -> dict[str, int]:
    # build_graph adds nodes in declaration order, so insertion order is that order.
    return {n: i for i, n in enumerate(graph)}


def order(graph: nx.DiGraph, selected: Iterable[str] | None = None) -> list[str]:
    """A topological order that, among ready nodes, runs the earliest-declared first.

    With `selected` module names, only their nodes, in the order the full graph implies.
    """
    rank = _rank(graph)
    try:
        nodes = list(nx.lexicographical_topological_sort(graph, key=rank.__getitem__))
    except nx.NetworkXUnfeasible:
        cycle = _cycles(graph)[0]
        raise ConfigError(f"the module graph has a cycle: {_describe(cycle)}") from None
    if selected is None:
        return nodes
    wanted = set(selected)
    present = {graph.nodes[n]["module"] for n in graph}
    unknown = sorted(wanted - present)
    if unknown:
        raise ConfigError(f"unknown module '{unknown[0]}' (modules: {', '.join(sorted(present)) or 'none'})")
    return [n for n in nodes if graph.nodes[n]["module"] in wanted]


def render(graph: nx.DiGraph, fmt: str) -> str:
    renderers = {"text": _text, "dot": _dot, "mermaid": _mermaid, "json": _json}
    if fmt not in renderers:
        raise ConfigError(f"unknown graph format '{fmt}' (formats: {', '.join(FORMATS)})")
    return renderers[fmt](graph)


def _predecessors(graph: nx.DiGraph, target: str, rank: Mapping[str, int]) -> list[str]:
    return sorted(graph.predecessors(target), key=rank.__getitem__)


def _text(graph: nx.DiGraph) -> str:
    rank = _rank(graph)
    lines = []
    for target in order(graph):
        preds = [_with_table(p, graph.edges[p, target]["table"])
                 for p in _predecessors(graph, target, rank)]
        lines.append(f"{target}  <- {', '.join(preds)}" if preds else target)
    return "\n".join(lines) + "\n"


def _with_table(source: str, table: str | None) -> str:
    return f"{source} ({table})" if table else source


def _dot(graph: nx.DiGraph) -> str:
    lines = ["digraph sluice {", "  rankdir=LR;"]
    lines += [f"  {_quote(n)};" for n in graph]
    for source, target, table in graph.edges(data="table"):
        label = f" [label={_quote(table)}]" if table else ""
        lines.append(f"  {_quote(source)} -> {_quote(target)}{label};")
    return "\n".join([*lines, "}"]) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mermaid(graph: nx.DiGraph) -> str:
    ids = _mermaid_ids(graph)
    lines = ["flowchart LR"]
    lines += [f'    {ids[n]}["{_mermaid_text(n)}"]' for n in graph]
    for source, target, table in graph.edges(data="table"):
        arrow = f'-->|"{_mermaid_text(table)}"|' if table else "-->"
        lines.append(f"    {ids[source]} {arrow} {ids[target]}")
    return "\n".join(lines) + "\n"


def _mermaid_ids(graph: nx.DiGraph) -> dict[str, str]:
    # Mermaid ids must be plain words and must not be keywords such as `end`; a prefix
    # and the position keep them safe and unique whatever a module is called.
    return {n: f"n{i}_{re.sub(r'[^A-Za-z0-9_]', '_', n)}" for i, n in enumerate(graph)}


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def _json(graph: nx.DiGraph) -> str:
    edges = [{"from": s, "to": t, "table": table} for s, t, table in graph.edges(data="table")]
    data = {"nodes": sorted(graph), "edges": sorted(edges, key=lambda e: (e["from"], e["to"]))}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
