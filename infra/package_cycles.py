"""Print the import cycles left between Nomade's packages (issue #14 item 1: "package cycles: 0").

Two views of the same import graph (grimp, the library behind import-linter):

* top level: ``kernel`` (the platform), ``backend``, ``sync``, ``notifications``, ``ocr``;
* inside the house: each domain package of ``backend`` on its own, the rest of ``backend`` in the
  layers of the style guide (domain kernel, workflows, server, entry points, demo), ``kernel``,
  ``sync``, ``notifications`` and ``ocr`` whole.

For each pair of groups importing each other it prints the imports of the lighter direction
(the fewer lines to move to break that cycle), then the strongly connected groups and the count.
Usage: ``uv run python infra/package_cycles.py [--quiet]``; exit status 0 (a measure, not a gate:
the gate is ``lint-imports``).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import grimp

ROOTS = ("kernel", "backend", "sync", "notifications", "ocr")
DOMAINS = ("accounts", "missions", "claims", "expenses", "orders", "invoices", "policy", "audit",
           "administration", "documents")
LAYERS = {
    # What every workflow domain asks (decision rules, refusal codes, intents, approvers,
    # which event notifies whom).
    "domain kernel": ("workflow", "workflow_codes", "intents", "approvals", "notification_flows"),
    # Where domains meet.
    "workflows": ("flows", "flow_routes", "flow_intents"),
    "server": ("app", "composition", "serve", "worker", "migrate", "workflow_routes"),
    # The entry points sit above the demo seeders, which use the composition root.
    "entry points": ("asgi", "cli"),
    "demo": ("seed", "workflows_demo"),
}
_LAYER_OF = {f"backend.{m}": layer for layer, modules in LAYERS.items() for m in modules}

Edge = tuple[str, str, int]  # importer, imported, line


def top_level(module: str) -> str:
    return module.split(".")[0]


def house_group(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "backend" or len(parts) == 1:
        return parts[0]
    if parts[1] in DOMAINS:
        return f"backend.{parts[1]}"
    return _LAYER_OF.get(".".join(parts[:2]), ".".join(parts[:2]))


def _edges(graph: grimp.ImportGraph) -> Iterable[Edge]:
    for importer in graph.modules:
        if "piccolo_migrations" in importer:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            for detail in graph.get_import_details(importer=importer, imported=imported) or [
                    {"line_number": 0}]:
                yield importer, imported, int(detail["line_number"])


def _components(nodes: set[str], arrows: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(arrows.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            members = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                members.append(top)
                if top == node:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def report(graph: grimp.ImportGraph, title: str, group: Callable[[str], str],
           quiet: bool) -> tuple[int, int]:
    between: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for importer, imported, line in _edges(graph):
        a, b = group(importer), group(imported)
        if a != b:
            between[(a, b)].append((importer, imported, line))
    nodes = {n for pair in between for n in pair}
    arrows: dict[str, set[str]] = defaultdict(set)
    for a, b in between:
        arrows[a].add(b)
    mutual = sorted((a, b) for (a, b) in between if a < b and (b, a) in between)
    print(f"\n== {title}: {len(mutual)} pairs importing each other")
    for a, b in mutual:
        there, back = between[(a, b)], between[(b, a)]
        light, (src, dst) = (there, (a, b)) if len(there) <= len(back) else (back, (b, a))
        print(f"  {a} ⇄ {b}  ({len(there)} imports one way, {len(back)} the other);"
              f" to break it, move the {len(light)} of {src} -> {dst}:")
        if not quiet:
            for importer, imported, line in sorted(light):
                print(f"      {importer}:{line} -> {imported}")
    components = _components(nodes, arrows)
    for members in components:
        print(f"  strongly connected ({len(members)}): {', '.join(members)}")
    return len(mutual), len(components)


def main(argv: list[str]) -> int:
    quiet = "--quiet" in argv
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    graph = grimp.build_graph(*ROOTS, cache_dir=None)
    top = report(graph, "top-level packages", top_level, quiet)
    house = report(graph, "domain packages and layers", house_group, quiet)
    print(f"\ncycles: top level {top[0]} pairs / {top[1]} strongly connected sets; "
          f"domains and layers {house[0]} pairs / {house[1]} strongly connected sets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
