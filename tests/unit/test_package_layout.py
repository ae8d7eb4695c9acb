"""Layout of the hurtig package: no import cycles, devtools apart, a small top, short modules.

The import graph is read with ``ast`` from every module under ``scripts/hurtig``, including
imports inside functions and ``if TYPE_CHECKING:`` blocks (a cycle hidden there is still a
cycle in the design). ``from hurtig.a import b`` is an edge to ``hurtig.a.b`` when that is a
module, else to ``hurtig.a``; relative imports are resolved against the importing module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "scripts"
PACKAGE = "hurtig"
TOP_LEVEL_MODULES = {"__init__", "__main__", "cli", "errors"}
DEVTOOLS = f"{PACKAGE}.devtools"
MAX_MODULE_LINES = 650


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``root`` by dotted name (a package is its __init__)."""
    modules: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _is_package(name: str, modules: Mapping[str, Path]) -> bool:
    return name in modules and modules[name].name == "__init__.py"


def _base_of(node: ast.ImportFrom, importer: str, modules: Mapping[str, Path]) -> str:
    """The absolute module a ``from ... import`` reads from."""
    if node.level == 0:
        return node.module or ""
    package = importer if _is_package(importer, modules) else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imported_modules(importer: str, tree: ast.AST, modules: Mapping[str, Path]) -> set[str]:
    """The modules of the package that one module's code imports, anywhere in its body."""
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _base_of(node, importer, modules)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in modules else base)
    return {target for target in targets if target in modules and target != importer}


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module name to the package modules it imports."""
    modules = module_files(root, package)
    return {
        name: imported_modules(name, ast.parse(path.read_text(), str(path)), modules)
        for name, path in modules.items()
    }


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
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
                    if len(component) > 1:
                        components.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return sorted(components)


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(PACKAGE_ROOT, PACKAGE)


def test_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    # A cycle closed by an import inside a function and one under TYPE_CHECKING, plus a
    # relative import: the checks below must not miss them.
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f() -> None:\n    from . import c\n")
    (pkg / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n"
    )
    (pkg / "d.py").write_text("from pkg.sub.c import name\nfrom pkg import a\n")
    found = import_graph(tmp_path, "pkg")
    assert found == {
        "pkg": set(),
        "pkg.a": {"pkg.sub.b"},
        "pkg.d": {"pkg.a", "pkg.sub.c"},
        "pkg.sub": set(),
        "pkg.sub.b": {"pkg.sub.c"},
        "pkg.sub.c": {"pkg.a"},
    }
    assert strongly_connected(found) == [["pkg.a", "pkg.sub.b", "pkg.sub.c"]]


def test_graph_reads_the_real_package(graph: dict[str, set[str]]) -> None:
    assert f"{PACKAGE}.cli" in graph and f"{PACKAGE}.errors" in graph
    assert any(f"{PACKAGE}.errors" in targets for targets in graph.values())


def test_no_import_cycles(graph: dict[str, set[str]]) -> None:
    cycles = strongly_connected(graph)
    rings = "; ".join(", ".join(cycle) for cycle in cycles)
    assert cycles == [], f"modules that import each other, directly or in a ring: {rings}"


def test_clinical_code_does_not_import_devtools(graph: dict[str, set[str]]) -> None:
    def in_devtools(name: str) -> bool:
        return name == DEVTOOLS or name.startswith(f"{DEVTOOLS}.")

    offenders = sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        if not in_devtools(name)
        for target in targets
        if in_devtools(target)
    )
    assert offenders == []


def test_top_level_holds_only_the_package_face() -> None:
    top = {path.stem for path in (PACKAGE_ROOT / PACKAGE).glob("*.py")}
    assert top - TOP_LEVEL_MODULES == set(), "move these into a stage subpackage"


def test_no_module_is_too_long() -> None:
    lengths = {
        name: len(path.read_text().splitlines())
        for name, path in module_files(PACKAGE_ROOT, PACKAGE).items()
    }
    too_long = {name: n for name, n in sorted(lengths.items()) if n > MAX_MODULE_LINES}
    assert too_long == {}, f"modules over {MAX_MODULE_LINES} lines"


# Stage layers, lowest first: a module may import its own layer and lower ones, never higher.
# The run model sits above panels/ (checking a run looks its panels up in the registry); the rest
# of run/ is the base every stage reads (pedigree, genome build, sheets).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("hurtig", "hurtig.errors"),
    (
        "hurtig.io",
        "hurtig.run.layout",
        "hurtig.run.genome_build",
        "hurtig.run.schemas",
        "hurtig.run.ped",
    ),
    ("hurtig.run.pedigree", "hurtig.run.sheets", "hurtig.genes", "hurtig.calling"),
    ("hurtig.annotation", "hurtig.sv"),
    ("hurtig.panels", "hurtig.qc", "hurtig.phenotype"),
    ("hurtig.prioritise",),
    ("hurtig.report", "hurtig.handoff", "hurtig.run.model", "hurtig.run.check", "hurtig.run"),
    ("hurtig.devtools",),
    ("hurtig.cli", "hurtig.__main__"),
)


def layer_of(module: str) -> tuple[int, str]:
    """The layer index and the stage (longest declared prefix) of a module."""
    best: tuple[int, str] | None = None
    for index, stages in enumerate(LAYERS):
        for stage in stages:
            prefixed = module == stage or module.startswith(stage + ".")
            if prefixed and stage != "hurtig" and (best is None or len(stage) > len(best[1])):
                best = (index, stage)
    if best is None and module == "hurtig":
        return 0, "hurtig"
    assert best is not None, f"{module} is in no declared layer: add it to LAYERS"
    return best


def test_no_stage_imports_a_higher_layer(graph: dict[str, set[str]]) -> None:
    upward = []
    for importer, targets in graph.items():
        level, stage = layer_of(importer)
        for target in targets:
            target_level, target_stage = layer_of(target)
            if target_stage != stage and target_level > level:
                upward.append(f"{importer} -> {target}")
    assert upward == [], "imports of a higher layer:\n" + "\n".join(sorted(upward))
