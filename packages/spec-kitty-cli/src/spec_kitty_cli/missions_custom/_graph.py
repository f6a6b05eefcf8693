"""The `depends_on` graph of a definition's steps: unknown steps and cycles (issue codes
MISSION_STEP_DEPENDENCY_UNKNOWN and MISSION_STEP_DEPENDENCY_CYCLE)."""

from __future__ import annotations

from collections.abc import Sequence

from ._definition import Step


def unknown_dependencies(steps: Sequence[Step]) -> list[tuple[str, str]]:
    """(step_id, depends_on) for every dependency naming no step, in file order."""
    ids = {s.id for s in steps}
    return [(s.id, d) for s in steps for d in s.depends_on if d not in ids]


def find_cycles(steps: Sequence[Step]) -> list[list[str]]:
    """Every elementary cycle found by a depth-first walk, each as a closed path [a, b, a].

    Each step is on at most one reported cycle; a self-dependency is [a, a]. Iterative (no
    recursion limit on long chains); unknown dependencies are ignored here.
    """
    graph = {s.id: list(s.depends_on) for s in steps}
    white, grey, black = 0, 1, 2
    color = dict.fromkeys(graph, white)
    cycles: list[list[str]] = []
    on_cycle: set[str] = set()
    for start in graph:
        if color[start] != white:
            continue
        path: list[str] = [start]
        iters = [iter(graph[start])]
        color[start] = grey
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                color[path.pop()] = black
                iters.pop()
                continue
            if nxt not in graph:
                continue
            if color[nxt] == grey:
                loop = [*path[path.index(nxt) :], nxt]
                if not on_cycle.intersection(loop):
                    cycles.append(loop)
                    on_cycle.update(loop)
            elif color[nxt] == white:
                color[nxt] = grey
                path.append(nxt)
                iters.append(iter(graph[nxt]))
    return cycles
