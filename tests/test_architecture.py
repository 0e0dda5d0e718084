"""The shape of the code base: no import circles (function-level imports included), small modules."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parent.parent / "scrubber"
MAX_LINES = 500


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), i.e. import circles."""
    adjacency = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in adjacency[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(adjacency)))
    for module in adjacency:
        if module not in index:
            visit(module)
    return found


def test_no_import_circles() -> None:
    graph = grimp.build_graph("scrubber")
    assert _cycles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    """Guards the test above: two modules importing each other are reported."""
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(graph) == [["pkg.a", "pkg.b"]]


def test_modules_stay_small() -> None:
    sizes = {
        path.relative_to(PACKAGE.parent).as_posix(): len(path.read_text().splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {}


def test_command_modules_keep_real_annotations() -> None:
    """typer reads each command's signature on every run; string annotations (the __future__
    import) made it compile and evaluate them each time, 8 ms of every ``scrubber`` process."""
    lazy = [
        path.name
        for path in (PACKAGE / "cli").glob("*.py")
        if "from __future__ import annotations" in path.read_text()
    ]
    assert lazy == []
