"""The depends_on graph checks: unknown steps and every cycle, iteratively."""

from __future__ import annotations

from spec_kitty_cli.missions_custom._definition import Step
from spec_kitty_cli.missions_custom._graph import find_cycles, unknown_dependencies


def steps(**deps: list[str]) -> list[Step]:
    return [Step(id=k, title=k, depends_on=tuple(v)) for k, v in deps.items()]


def test_acyclic_graph_has_no_cycle_or_unknown() -> None:
    graph = steps(a=[], b=["a"], c=["a", "b"])
    assert find_cycles(graph) == [] and unknown_dependencies(graph) == []


def test_self_dependency_two_disjoint_cycles_and_unknowns() -> None:
    graph = steps(a=["a"], b=["c", "ghost"], c=["b"], d=["e"], e=["d"], f=["b"])
    cycles = find_cycles(graph)
    assert ["a", "a"] in cycles
    assert sorted(map(sorted, cycles)) == [["a", "a"], ["b", "b", "c"], ["d", "d", "e"]]
    assert all(c[0] == c[-1] for c in cycles)
    assert unknown_dependencies(graph) == [("b", "ghost")]


def test_long_chain_needs_no_recursion() -> None:
    n = 5000
    graph = [
        Step(id=f"s{i}", title="t", depends_on=(f"s{i + 1}",) if i < n - 1 else ("s0",))
        for i in range(n)
    ]
    [cycle] = find_cycles(graph)
    assert len(cycle) == n + 1
