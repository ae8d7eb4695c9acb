"""The README's two commands install every program the workflow starts (issue #12, item 1).

``bash scripts/demo.sh`` and ``bash scripts/test.sh`` install what they need through
``scripts/install.sh`` (Debian packages, a pinned venv, the editable hurtig package). This test
collects every executable the workflow can start and checks that the install path of each script
provides it:

* the command words of every ``shell:`` directive in ``workflow/rules/**/*.smk`` (the directive's
  Python expression is evaluated to every string it can produce: string concatenation, ``a if c
  else b``, f-strings and upper-case constants of the .smk files; anything else fails the test);
* the programs the Python steps start (``subprocess.run/Popen/...`` and ``shutil.which`` in
  ``scripts/hurtig``), traced through local variables, parameters with a default, the call sites
  of wrapper functions and the return values of command-building functions; a call whose program
  cannot be traced fails the test unless :data:`TRACED_ELSEWHERE` says where it comes from.

Each executable is then mapped to what provides it: an ``ALWAYS_PRESENT`` shell builtin or
Essential/required Debian program, a Debian package (:data:`APT_PROVIDER`, checked against the
packages ``install.sh`` prints for the script's own flags, ``--print-packages``) or the venv
(:data:`VENV_PROVIDER`). An executable in none of them fails the test: add it to the map and to
``install.sh``.
"""

from __future__ import annotations

import ast
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hurtig.report.provenance import TOOL_COMMANDS

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "workflow" / "rules"
PACKAGE = REPO / "scripts" / "hurtig"
INSTALL = REPO / "scripts" / "install.sh"

# fmt: off
SHELL_BUILTINS = frozenset({
    "[", "[[", ":", ".", "cd", "echo", "eval", "exec", "exit", "export", "false", "printf", "pwd",
    "read", "return", "set", "shift", "test", "trap", "true", "type", "ulimit", "umask", "unset",
    "wait",
})
"""Builtins of bash and dash (the shells Snakemake runs ``shell:`` commands with)."""

SHELL_KEYWORDS = frozenset({
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time",
})
"""Reserved words that can stand where a command starts; the word after them is a command."""

ESSENTIAL_PROGRAMS = frozenset({
    # coreutils, diffutils, findutils, grep, sed, gzip, tar, bash, dash: Essential: yes on Debian;
    # awk is mawk (Priority: required). test_always_present_programs_are_essential checks it.
    "awk", "basename", "bash", "cat", "chmod", "cmp", "comm", "cp", "cut", "date", "df", "diff",
    "dirname", "du", "env", "expr", "find", "grep", "gzip", "head", "ln", "ls", "md5sum", "mkdir",
    "mktemp", "mv", "nproc", "od", "paste", "readlink", "realpath", "rm", "rmdir", "sed", "seq",
    "sh", "sha256sum", "sleep", "sort", "split", "stat", "sync", "tail", "tar", "tee", "timeout",
    "touch", "tr", "truncate", "uniq", "wc", "xargs", "zcat",
})
# fmt: on
"""Programs present on every Debian system (Essential or Priority: required packages)."""

ALWAYS_PRESENT = SHELL_BUILTINS | SHELL_KEYWORDS | ESSENTIAL_PROGRAMS

APT_PROVIDER: dict[str, str] = {
    "bcftools": "bcftools",
    "bgzip": "tabix",
    "bwa": "bwa",
    "chromium": "chromium",
    "cnvkit": "cnvkit",
    "delly": "delly",
    "fastp": "fastp",
    "git": "git",
    "minimap2": "minimap2",
    "mosdepth": "mosdepth",
    "multiqc": "multiqc",
    "samtools": "samtools",
    "tabix": "tabix",
    "tiddit": "tiddit",
    "wgsim": "samtools",
}
"""Executable → the Debian package that provides it (``dpkg -S``)."""

VENV_PROVIDER: dict[str, str] = {"snakemake": "snakemake"}
"""Executable → the pin of requirements.lock that puts it into ``.venv/bin``.

``python``/``python3`` (the venv itself) and ``hurtig`` (the editable package) are checked in
:func:`venv_provides` against the lines of install.sh that create them."""

TRACED_ELSEWHERE: dict[tuple[str, str], str] = {
    ("report/provenance.py", "tool_version"): "argv from TOOL_COMMANDS (collected directly)",
}
"""Subprocess calls whose program the tracer cannot follow, and where it is collected instead."""

INSTALLING_SCRIPTS = ("scripts/demo.sh", "scripts/test.sh")
"""The README's commands; each runs install.sh with its own flags."""

INSTALL_CALL = re.compile(r'^[^#\n]*scripts/install\.sh"?((?:[ \t]+[^\s;&|#]+)*)', re.M)
DIRECTIVE = re.compile(r"^(?P<indent>[ \t]+)shell:[ \t]*(?P<rest>.*)$")
CONSTANT = re.compile(r"^(?P<name>[A-Z][A-Z0-9_]*) = ")
SUBPROCESS_FUNCS = frozenset({"run", "Popen", "call", "check_call", "check_output"})


# --------------------------------------------------------------------------- shell: directives


def smk_files() -> list[Path]:
    """Every rule file, the Snakefile first."""
    return [REPO / "Snakefile", *sorted(RULES.rglob("*.smk"))]


def _block(lines: list[str], start: int, indent: int) -> list[str]:
    """Lines after ``start`` indented deeper than ``indent`` (blank lines included)."""
    out: list[str] = []
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        out.append(line)
    return out


def shell_directives() -> Iterator[tuple[str, ast.expr]]:
    """``(file:line, expression)`` of every ``shell:`` directive of the workflow."""
    for path in smk_files():
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            match = DIRECTIVE.match(line)
            if not match:
                continue
            body = [match["rest"], *_block(lines, number, len(match["indent"]))]
            source = "(\n" + "\n".join(part.strip() for part in body) + "\n)"
            yield f"{path.relative_to(REPO)}:{number + 1}", ast.parse(source, mode="eval").body


def _first_statement(lines: list[str]) -> ast.Module:
    """The Python statement the first of ``lines`` starts (as many lines as it takes)."""
    for end in range(1, len(lines) + 1):
        try:
            return ast.parse("\n".join(lines[:end]))
        except SyntaxError:
            continue
    raise AssertionError(f"no complete statement from: {lines[0]}")


def smk_constants() -> dict[str, ast.expr]:
    """Top-level ``NAME = expression`` assignments of the .smk files (upper-case names)."""
    constants: dict[str, ast.expr] = {}
    for path in smk_files():
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if CONSTANT.match(line):
                for node in _first_statement(lines[number:]).body:
                    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                        constants[node.targets[0].id] = node.value
    return constants


def command_strings(node: ast.expr, constants: dict[str, ast.expr]) -> set[str]:
    """Every string a ``shell:`` expression can evaluate to (placeholders kept as ``{x}``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.JoinedStr):
        texts = {""}
        for part in node.values:
            pieces = command_strings(part, constants) if isinstance(part, ast.Constant) else {"{x}"}
            texts = {a + b for a in texts for b in pieces}
        return texts
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = command_strings(node.left, constants), command_strings(node.right, constants)
        return {a + b for a in left for b in right}
    if isinstance(node, ast.IfExp):
        return command_strings(node.body, constants) | command_strings(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return command_strings(constants[node.id], constants)
    raise AssertionError(f"shell: expression not understood by this test: {ast.unparse(node)}")


def _starts_command(token: str) -> bool:
    """Whether the word after ``token`` is in command position (``|``, ``&&``, ``;``, ``(``...)."""
    if token in SHELL_KEYWORDS:
        return True
    operator = set(token) <= set("();<>|&")
    return operator and not (set(token) & set("<>")) and token[-1] in "(|;&"


def command_words(command: str) -> set[str]:
    """The command words of a shell command line (assignments ``X=...`` skipped).

    The first word of each pipeline segment and the word after ``&&``, ``||``, ``;``, ``(``,
    ``$(``, ``|`` and the keywords ``then``, ``do``, ``else``...; the keywords themselves too.
    """
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words: set[str] = set()
    at_start = True
    for token in lexer:
        if at_start and re.fullmatch(r"\w+=.*", token):
            continue  # VAR=value before the command (algo=$(...) leaves "algo=$")
        if at_start and not set(token) <= set("();<>|&"):
            words.add(token)
            at_start = token in SHELL_KEYWORDS
            continue
        at_start = _starts_command(token)
    return words


def rule_executables() -> dict[str, set[str]]:
    """Executable → the ``shell:`` directives (file:line) that start it."""
    constants = smk_constants()
    found: dict[str, set[str]] = {}
    for where, node in shell_directives():
        for command in command_strings(node, constants):
            for word in command_words(command):
                assert "{" not in word, f"{where}: command word from a placeholder: {word}"
                found.setdefault(word, set()).add(where)
    return found


# --------------------------------------------------------------------------- Python steps


class ModuleTracer:
    """Follows the first argument of subprocess and ``shutil.which`` calls to a program name."""

    def __init__(self, path: Path) -> None:
        """Parse one module and index its functions and module-level assignments."""
        self.path = path
        self.tree = ast.parse(path.read_text())
        self.functions = {
            node.name: node for node in ast.walk(self.tree) if isinstance(node, ast.FunctionDef)
        }
        self.parents: dict[ast.AST, ast.FunctionDef] = {}
        for function in self.functions.values():
            for child in ast.walk(function):
                self.parents.setdefault(child, function)

    def starting_calls(self) -> Iterator[tuple[ast.Call, ast.FunctionDef | None]]:
        """Calls that start or look up a program, with their enclosing function."""
        for node in ast.walk(self.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else ""
            attribute = node.func.attr
            if (name, attribute in SUBPROCESS_FUNCS) == ("subprocess", True) or (
                name,
                attribute,
            ) == ("shutil", "which"):
                yield node, self.parents.get(node)

    def programs(self, node: ast.expr, scope: ast.FunctionDef | None, depth: int = 0) -> set[str]:
        """Program names ``node`` (a command or a program) can hold; empty when untraceable."""
        if depth > 8:
            return set()
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            return self.programs(node.elts[0], scope, depth + 1)
        if isinstance(node, ast.Subscript) and ast.literal_eval(node.slice) == 0:
            return self.programs(node.value, scope, depth + 1)
        if isinstance(node, ast.Call):
            return self._call_programs(node, scope, depth)
        if isinstance(node, ast.Name):
            return self._name_programs(node.id, scope, depth)
        return set()

    def _call_programs(self, node: ast.Call, scope: ast.FunctionDef | None, depth: int) -> set[str]:
        """``shutil.which(x)`` → x; ``build(...)`` of this module → what its returns hold."""
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "which" and node.args:
            return self.programs(node.args[0], scope, depth + 1)
        if isinstance(func, ast.Name) and func.id in self.functions:
            target = self.functions[func.id]
            returns = [n.value for n in ast.walk(target) if isinstance(n, ast.Return) and n.value]
            return set().union(*(self.programs(r, target, depth + 1) for r in returns))
        return set()

    def _name_programs(self, name: str, scope: ast.FunctionDef | None, depth: int) -> set[str]:
        """A local assignment, a parameter's default, or the parameter at the call sites."""
        if scope is None:
            return set()
        assigned = [
            node.value
            for node in ast.walk(scope)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        ]
        if assigned:
            return set().union(*(self.programs(value, scope, depth + 1) for value in assigned))
        params = [a.arg for a in scope.args.args]
        if name not in params:
            return set()
        defaults = dict(zip(reversed(params), reversed(scope.args.defaults), strict=False))
        if name in defaults:
            return self.programs(defaults[name], scope, depth + 1)
        return self._call_site_programs(scope, params.index(name), name, depth)

    def _call_site_programs(
        self, function: ast.FunctionDef, index: int, name: str, depth: int
    ) -> set[str]:
        """What the callers of ``function`` in this module pass as its parameter ``name``."""
        found: set[str] = set()
        for node in ast.walk(self.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id != function.name:
                continue
            passed = [k.value for k in node.keywords if k.arg == name]
            passed += node.args[index : index + 1]
            for value in passed:
                found |= self.programs(value, self.parents.get(node), depth + 1)
        return found


def python_executables() -> tuple[dict[str, set[str]], list[str]]:
    """Executable → the modules that start it, and the calls that could not be traced."""
    found: dict[str, set[str]] = {}
    untraced: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tracer = ModuleTracer(path)
        where = str(path.relative_to(PACKAGE))
        for call, scope in tracer.starting_calls():
            programs = tracer.programs(call.args[0], scope) if call.args else set()
            if not programs:
                key = (where, scope.name if scope else "")
                if key not in TRACED_ELSEWHERE:
                    untraced.append(f"{where}:{call.lineno}: {ast.unparse(call)[:80]}")
            for program in programs:
                found.setdefault(Path(program).name, set()).add(where)
    for argv, _pattern in TOOL_COMMANDS.values():
        found.setdefault(argv[0], set()).add("report/provenance.py (TOOL_COMMANDS)")
    return found, untraced


# --------------------------------------------------------------------------- install path


def install_flags(script_text: str) -> list[str]:
    """The options a script passes to ``scripts/install.sh`` (fails when it does not call it)."""
    calls = INSTALL_CALL.findall(script_text)
    assert len(calls) == 1, f"expected one call of scripts/install.sh, found {len(calls)}"
    return shlex.split(calls[0])


def apt_packages(flags: list[str]) -> set[str]:
    """The Debian packages ``install.sh`` installs with these options (``--print-packages``)."""
    done = subprocess.run(
        ["bash", str(INSTALL), *flags, "--print-packages"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def venv_provides() -> set[str]:
    """Executables the venv step provides: pinned requirements and the editable package."""
    lock = (REPO / "requirements.lock").read_text()
    pinned = set(re.findall(r"^([A-Za-z0-9_.-]+)==", lock, re.M))
    provided = {exe for exe, requirement in VENV_PROVIDER.items() if requirement in pinned}
    install = INSTALL.read_text()
    if 'python3 -m venv "$VENV"' in install:
        provided |= {"python", "python3"}
    console_script = 'hurtig = "hurtig.cli:console"' in (REPO / "pyproject.toml").read_text()
    if console_script and '--no-deps --no-build-isolation -e "$REPO"' in install:
        provided.add("hurtig")
    return provided


def all_executables() -> dict[str, set[str]]:
    """Every executable the workflow starts → where (rule directive or Python module)."""
    found = rule_executables()
    python, untraced = python_executables()
    assert not untraced, "program of a subprocess call not traced:\n" + "\n".join(untraced)
    for exe, places in python.items():
        found.setdefault(exe, set()).update(places)
    return found


def uncovered(script_text: str) -> list[str]:
    """Executables the workflow starts that the script's install path does not provide."""
    apt = apt_packages(install_flags(script_text))
    venv = venv_provides()
    problems = []
    for exe, places in sorted(all_executables().items()):
        if exe in ALWAYS_PRESENT or exe in venv:
            continue
        where = ", ".join(sorted(places))
        if exe not in APT_PROVIDER:
            problems.append(f"{exe} ({where}): no provider in APT_PROVIDER/VENV_PROVIDER")
        elif APT_PROVIDER[exe] not in apt:
            problems.append(f"{exe} ({where}): Debian package {APT_PROVIDER[exe]} not installed")
    return problems


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("script", INSTALLING_SCRIPTS)
def test_install_path_provides_every_executable(script: str) -> None:
    assert uncovered((REPO / script).read_text()) == []


def test_demo_without_browser_is_caught() -> None:
    """The bug of issue #12: demo.sh ran install.sh without --with-browser (no Chromium)."""
    demo = (REPO / "scripts" / "demo.sh").read_text()
    old = demo.replace('install.sh" --with-browser', 'install.sh"')
    assert old != demo
    problems = uncovered(old)
    assert len(problems) == 1 and problems[0].startswith("chromium (report/pdf.py)"), problems


def test_collects_the_known_executables() -> None:
    """The parsers find what the rules and steps are known to start (so an empty scan fails)."""
    found = all_executables()
    expected = {"bwa", "minimap2", "samtools", "bcftools", "fastp", "mosdepth", "multiqc"}
    expected |= {"hurtig", "bgzip", "tabix", "wgsim", "chromium", "git", "awk", "mv", "["}
    assert expected <= set(found)
    assert "workflow/rules/reference.smk" in " ".join(found["awk"])  # from algo=$(awk ...)
    assert "annotation/engine.py" in found["bcftools"]  # cmd = _producer(job)


def test_command_words() -> None:
    line = (
        "(mkdir -p {output.d} && fastp --in1 {input.r1} | tee x; if [ -e a ]; then mv a b;"
        " fi && algo=$(awk '{{n += $2}} END {{print n}}' f) && bwa index -a $algo x) 2> {log}"
    )
    assert command_words(line) == {"mkdir", "fastp", "tee", "if", "[", "then", "mv", "fi"} | {
        "awk",
        "bwa",
    }


def test_apt_provider_matches_dpkg() -> None:
    """The map executable → package is what dpkg says (on this Debian machine)."""
    if shutil.which("dpkg") is None:
        pytest.skip("dpkg not available")
    for exe, package in APT_PROVIDER.items():
        path = shutil.which(exe)
        if path is None:
            continue  # not installed here (e.g. Chromium): the map entry is not checked
        owner = subprocess.run(
            ["dpkg", "-S", str(Path(path).resolve())], capture_output=True, text=True, check=False
        ).stdout
        assert owner.split(":")[0] == package, (exe, owner)


def test_always_present_programs_are_essential() -> None:
    """Each ESSENTIAL_PROGRAMS entry comes from an Essential or Priority: required package."""
    if shutil.which("dpkg-query") is None:
        pytest.skip("dpkg not available")
    for exe in sorted(ESSENTIAL_PROGRAMS):
        path = shutil.which(exe)
        assert path is not None, exe
        real = Path(path).resolve()
        candidates = [str(real), str(Path("/bin") / real.name), str(Path("/usr/bin") / real.name)]
        owner = subprocess.run(
            ["dpkg", "-S", *candidates], capture_output=True, text=True, check=False
        ).stdout
        package = owner.split(":")[0].split(",")[0].strip()
        fields = subprocess.run(
            ["dpkg-query", "-W", "-f=${Essential} ${Priority}", package],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert fields in {"yes required", "no required"}, (exe, package, fields)
