"""The annotation package is layered: each module imports only modules of lower layers.

Every module of ``scripts/hurtig/annotation`` is parsed (``ast``, nothing is imported) and must
be declared in :data:`LAYERS`; an import of a module of the same or a higher layer fails, so
does an import inside a function body (the old way around a cycle) and any import cycle. A
``TYPE_CHECKING`` import counts like any other: a lower module that needs the type of a higher
one declares a Protocol instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "hurtig.annotation"
ROOT = Path(__file__).resolve().parents[2] / "scripts" / "hurtig" / "annotation"

LAYERS: list[list[str]] = [
    ["__init__", "sources.__init__"],  # package docstrings: import nothing of the package
    ["text_blocks", "contigs", "tbi_build", "gene_split", "libdeflate"],  # ...; GFF3 cut; ctypes
    # allele keys; BGZF writer and reader; prepared consequences (format, lookup, writing the
    # lines) and csq's FORMAT/BCSQ whatever its run started with
    ["keys", "bgzf_out", "bgzf_in", "csq_cache"],
    ["csq_feed"],  # csq fed the records near genes (and not those with prepared consequences)
    ["csq_prepare"],  # building the prepared consequences
    ["inhouse_db"],  # the in-house SQLite database (schema, writer, `hurtig inhouse`)
    ["source"],  # Source base, SourceSpec, INFO value and header helpers
    ["sources.gnomad", "sources.clinvar", "sources.scores", "sources.inhouse"],  # one per kind
    ["registry"],  # kind → class, specs from the command-line options
    ["prepared_cache"],  # the prepared cache: builder and reader of one format, prepare-source
    ["join_files", "join_cache"],  # streamed join / cached join of one source
    ["join"],  # the join of a shard's blocks against all sources
    ["engine"],  # shards, bcftools csq pipe, header, index merge
    ["cli"],  # `hurtig annotate`
]
"""Lowest layer first; a module may import modules of strictly lower layers only."""

LAYER_OF = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    """``sources.gnomad`` for ``ROOT/sources/gnomad.py``."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def package_of(name: str) -> str:
    """The package a module's relative imports start from (``sources.__init__``: ``sources``)."""
    return ".".join([PACKAGE, *name.split(".")][:-1])


def resolve(name: str, node: ast.ImportFrom) -> list[str]:
    """Full names a ``from ... import ...`` may refer to (the module, or its submodules)."""
    if node.level:
        base = package_of(name).split(".")
        base = base[: len(base) - node.level + 1]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    return [module, *(f"{module}.{alias.name}" for alias in node.names)]


def annotation_imports(name: str, tree: ast.Module) -> dict[str, int]:
    """Modules of the package that ``name`` imports → line of the first such import."""
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            targets = resolve(name, node)
        else:
            continue
        for target in targets:
            if not target.startswith(PACKAGE + "."):
                continue
            local = target.removeprefix(PACKAGE + ".")
            if local in MODULES:
                found.setdefault(local, node.lineno)
            elif f"{local}.__init__" in MODULES:
                found.setdefault(f"{local}.__init__", node.lineno)
    return found


def imports_in_functions(tree: ast.Module) -> list[int]:
    """Lines of the import statements that sit inside a function body."""
    lines = set()
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(func):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    lines.add(node.lineno)
    return sorted(lines)


def graph() -> dict[str, dict[str, int]]:
    """Module → the package modules it imports (with the line)."""
    return {name: annotation_imports(name, ast.parse(p.read_text())) for name, p in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    undeclared = sorted(set(MODULES) - set(LAYER_OF))
    assert not undeclared, f"add these modules to LAYERS in {__file__}: {undeclared}"
    gone = sorted(set(LAYER_OF) - set(MODULES))
    assert not gone, f"LAYERS names modules that do not exist: {gone}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down(name: str) -> None:
    upward = [
        f"line {line}: {target} (layer {LAYER_OF.get(target)})"
        for target, line in graph()[name].items()
        if LAYER_OF.get(target, len(LAYERS)) >= LAYER_OF.get(name, -1)
    ]
    assert not upward, f"{name} (layer {LAYER_OF.get(name)}) imports upward or sideways: {upward}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_inside_a_function(name: str) -> None:
    lines = imports_in_functions(ast.parse(MODULES[name].read_text()))
    assert not lines, f"{name}: imports inside a function body at lines {lines}"


def test_no_import_cycle() -> None:
    edges = {name: set(targets) for name, targets in graph().items()}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycle = [*path[path.index(name) :], name]
            raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
        if name in done:
            return
        for target in sorted(edges.get(name, ())):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(edges):
        visit(name, [])


def test_the_checks_can_fail() -> None:
    """The parser sees upward, relative, TYPE_CHECKING and in-function imports."""
    code = (
        "from typing import TYPE_CHECKING\n"
        "from hurtig.annotation import engine\n"
        "from . import join\n"
        "if TYPE_CHECKING:\n"
        "    from hurtig.annotation.cli import main\n"
        "def f() -> None:\n"
        "    import hurtig.annotation.registry\n"
    )
    tree = ast.parse(code)
    assert set(annotation_imports("keys", tree)) == {"engine", "join", "cli", "registry"}
    assert imports_in_functions(tree) == [7]
    assert set(annotation_imports("sources.gnomad", ast.parse("from ..source import Source"))) == {
        "source"
    }
