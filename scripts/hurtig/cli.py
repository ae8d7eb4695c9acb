"""The ``hurtig`` command: one entry point, one subcommand per job the workflow's rules run.

``hurtig <command> [options]`` (or ``python -m hurtig <command> ...``). Each command is the
``main(argv)`` of the module that owns that step; a bad input ends with one ``hurtig error:``
line on stderr and exit code 2 (:func:`hurtig.errors.run_cli`).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple, cast

from hurtig import __version__
from hurtig.errors import run_cli


class Command(NamedTuple):
    """A subcommand: the module and function (``main`` unless named) that run it, and its help."""

    module: str
    help: str
    function: str = "main"


COMMANDS: dict[str, Command] = {
    "check": Command("hurtig.run.check", "validate a run: config, sheets, files, panels"),
    "make-shards": Command("hurtig.calling.shards", "cut the reference into balanced shards"),
    "panel-shards": Command("hurtig.calling.regions", "list the shards a panel's regions need"),
    "fast-regions": Command(
        "hurtig.panels.fast_regions", "the panel fast path's calling and read regions"
    ),
    "panel-kmers": Command(
        "hurtig.panels.read_screen",
        "k-mers of the reference in the fast path's read regions",
        "kmers_main",
    ),
    "screen-reads": Command(
        "hurtig.panels.read_screen", "the read pairs sharing k-mers with the panel regions"
    ),
    "prepare-source": Command(
        "hurtig.annotation.prepared_cache",
        "prepare gnomAD/ClinVar/score sources once (binary cache)",
    ),
    "annotate": Command("hurtig.annotation.cli", "consequences and annotation of a VCF/BCF"),
    "inhouse": Command("hurtig.annotation.inhouse_db", "the in-house frequency database"),
    "sv-merge": Command("hurtig.sv.merge", "merge Delly/TIDDIT/CNVkit calls: one SV VCF a family"),
    "cnv-coverage": Command(
        "hurtig.sv.cnv_coverage", "CNVkit's per-bin read depth of a sample (one CRAM decode)"
    ),
    "sv-annotate": Command("hurtig.sv.annotate", "genes, exons and run counts of merged SVs"),
    "sv-inhouse": Command("hurtig.sv.inhouse", "the in-house SV frequency database"),
    "resolve-panel": Command("hurtig.panels.cli", "resolve a panel to transcripts and regions"),
    "prioritise": Command("hurtig.prioritise.cli", "filter, assess and rank a panel's variants"),
    "research-list": Command(
        "hurtig.prioritise.research", "phenotype-matched candidates outside the sample's panels"
    ),
    "phenotype-scores": Command(
        "hurtig.phenotype.cli", "score every gene against a sample's HPO terms"
    ),
    "check-reads": Command(
        "hurtig.qc.read_pairs", "check a unit's FASTQ pair: whole, paired, not the same reads"
    ),
    "verify-reads": Command(
        "hurtig.qc.read_pairs",
        "hold a sample's alignment until its reads passed the checks",
        "verify_main",
    ),
    "check-trimmed": Command(
        "hurtig.qc.read_counts",
        "the trimmed chunks hold every read pair fastp kept",
        "trimmed_main",
    ),
    "check-markdup": Command(
        "hurtig.qc.read_counts", "duplicate marking read every read the sample kept", "markdup_main"
    ),
    "check-family": Command("hurtig.qc.cli", "sex and relatedness checks of a family"),
    "offline-html": Command("hurtig.qc.offline_html", "a QC page that loads nothing from the web"),
    "provenance": Command("hurtig.report.provenance", "versions and checksums behind a report"),
    "read-views": Command("hurtig.report.read_views", "the reads around each reported variant"),
    "render-report": Command("hurtig.report.html", "the self-contained HTML report"),
    "render-research": Command("hurtig.report.research", "the research list's own report page"),
    "print-pdf": Command("hurtig.report.pdf", "print the HTML report to PDF (headless Chromium)"),
    "write-xlsx": Command("hurtig.report.xlsx", "the report's XLSX workbook"),
    "write-ella": Command("hurtig.handoff.ella", "a sample's panel analysis folder for ELLA"),
    "write-scout": Command("hurtig.handoff.scout", "a family's ranked VCF, PED and Scout config"),
    "simulate-demo": Command("hurtig.devtools.simulate_reads", "[devtools] demo trio reads"),
    "make-rehearsal-genome": Command(
        "hurtig.devtools.rehearsal", "[devtools] GRCh38-shaped synthetic genome for rehearsals"
    ),
    "simulate-unrelated": Command(
        "hurtig.devtools.unrelated", "[devtools] reads of a person unrelated to the demo trio"
    ),
    "evaluate-calls": Command(
        "hurtig.devtools.evaluate_calls", "[devtools] score calls against a truth set"
    ),
    "simulate-sv-set": Command(
        "hurtig.devtools.sv_simset", "[devtools] a seeded set of deletions/duplications"
    ),
    "evaluate-sv": Command(
        "hurtig.devtools.sv_evaluate", "[devtools] SV recall/precision against planted SVs"
    ),
    "compare-genmod": Command(
        "hurtig.devtools.genmod_compare", "[devtools] inheritance agreement with genmod"
    ),
}
"""Subcommand name → owning module. The rules in ``workflow/rules/`` call these names."""


def usage() -> str:
    """The help text listing every subcommand."""
    width = max(len(name) for name in COMMANDS)
    lines = [f"usage: hurtig <command> [options]   (hurtig {__version__})", "", "commands:"]
    lines += [f"  {name:<{width}}  {cmd.help}" for name, cmd in COMMANDS.items()]
    lines.append("\n'hurtig <command> --help' shows the options of one command.")
    return "\n".join(lines)


def entry_point(name: str) -> Callable[[Sequence[str] | None], int]:
    """The ``main(argv)`` of a subcommand (its module is imported only when it runs)."""
    command = COMMANDS[name]
    module = importlib.import_module(command.module)
    return cast(Callable[[Sequence[str] | None], int], getattr(module, command.function))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``hurtig <command> [options]``; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(usage())
        return 0 if args else 2
    if args[0] == "--version":
        print(f"hurtig {__version__}")
        return 0
    if args[0] not in COMMANDS:
        print(f"hurtig error: unknown command '{args[0]}'\n\n{usage()}", file=sys.stderr)
        return 2
    return run_cli(entry_point(args[0]), args[1:])


def console() -> None:
    """The ``hurtig`` console script."""
    sys.exit(main())
