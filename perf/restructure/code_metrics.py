"""Size and structure metrics of the hurtig package (the before/after numbers of issue #11).

Usage: python perf/restructure/code_metrics.py [REPO]
Prints modules per folder, the largest modules, import cycles, imports inside functions,
functions over 60 lines and the number of ``# type: ignore`` comments.
"""

from __future__ import annotations

import ast
import collections
import re
import sys
from pathlib import Path


def module_paths(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module under ``package``."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules one module imports (anywhere in it)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
                for _ in range(node.level - 1):
                    anchor = anchor.rsplit(".", 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            for candidate in [base, *(f"{base}.{a.name}" for a in node.names)]:
                if candidate in modules and candidate != name:
                    found.add(candidate)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules and a.name != name}
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def function_stats(paths: list[Path]) -> tuple[int, int]:
    """(functions over 60 lines, imports inside function bodies)."""
    long_functions = inner_imports = 0
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                long_functions += (node.end_lineno or node.lineno) - node.lineno + 1 > 60
                inner_imports += sum(
                    isinstance(sub, ast.Import | ast.ImportFrom) for sub in ast.walk(node)
                )
    return long_functions, inner_imports


def main() -> int:
    """Print the metrics of the package in the repository given (default: this checkout)."""
    repo = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
    modules = module_paths(repo / "scripts" / "hurtig")
    graph = {name: imports(name, path, modules) for name, path in modules.items()}
    sizes = sorted(((len(p.read_text().splitlines()), n) for n, p in modules.items()), reverse=True)
    folders = collections.Counter(
        str(p.parent.relative_to(repo / "scripts")) for p in modules.values()
    )
    long_functions, inner_imports = function_stats(list(modules.values()))
    ignores = sum(len(re.findall(r"#\s*type:\s*ignore", p.read_text())) for p in modules.values())
    print(f"modules: {len(modules)}, lines: {sum(s for s, _ in sizes)}")
    print(f"modules per folder: {dict(sorted(folders.items()))}")
    print(f"largest: {sizes[:3]}")
    print(f"modules over 600 lines: {[n for s, n in sizes if s > 600]}")
    print(f"import cycles: {cycles(graph)}")
    print(f"imports inside functions: {inner_imports}")
    print(f"functions over 60 lines: {long_functions}")
    print(f"type: ignore comments: {ignores}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
