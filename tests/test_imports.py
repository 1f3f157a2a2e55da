"""The package's import graph: no cycles anywhere, and persistence above the estimators.

The graph is read from the source by grimp (the engine behind import-linter) and
includes imports made inside functions, so a cycle hidden in a method body fails
here too. The layer contract itself is checked by ``lint-imports`` (pyproject.toml).
"""

from __future__ import annotations

import grimp
import pytest

from talentgap._registry import all_estimators


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("talentgap", cache_dir=None)


def strongly_connected(nodes, edges) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module (or a self-loop)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in edges.get(node, ()):
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(strongly_connected(edges, edges)) == [["a", "b", "c"], ["e"]]
    assert strongly_connected({"a": {"b"}, "b": set()}, {"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_the_package(graph):
    edges = {module: graph.find_modules_directly_imported_by(module)
             for module in graph.modules}
    cycles = strongly_connected(edges, edges)
    assert cycles == [], f"import cycles: {cycles}"


def test_the_graph_sees_imports_inside_functions(graph):
    # talentgap.models.gbm imports skops only inside a function; a graph without
    # function-level imports would miss every lazy import and so every hidden cycle
    imported = graph.find_modules_directly_imported_by("talentgap.models._codec")
    assert "talentgap._registry" in imported
    details = graph.get_import_details(importer="talentgap.models.persistence",
                                       imported="talentgap._registry")
    assert details


@pytest.mark.parametrize("saver", ["talentgap.models.persistence", "talentgap.models._codec"])
def test_no_estimator_imports_persistence(graph, saver):
    modules = {cls.__module__ for _, cls in all_estimators()} | {"talentgap.models.base"}
    for module in sorted(modules):
        chain = graph.find_shortest_chain(importer=module, imported=saver)
        assert chain is None, f"{module} reaches {saver}: {' -> '.join(chain)}"
