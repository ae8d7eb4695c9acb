r"""``hurtig write-ella``: one sample's panel analysis as a folder ELLA's analysis watcher imports.

CLI::

    hurtig write-ella --vcf results/panels/_vcf/{family}/{panel}.vcf.gz \
        --samples results/run/pedigree/{family}.tsv --sample S \
        --results results/panels/{sample}/{panel}.json --panel-bed {panel}.bed \
        --gff3 GFF3 [--fasta REF] [--priority 1] --out DIR

``DIR`` gets one analysis folder, named like the analysis, ``{sample}-{panel}_{version}``
(ELLA moves the folder by its name and reads the panel name and version from the
``.analysis`` file; a folder without one is parsed as ``...-{name}_{version}``)::

    {name}/{name}.analysis   JSON: name, genepanel_name, genepanel_version, priority,
                             data: [{vcf, ped, technology}] (ELLA's analysis config schema)
    {name}/{name}.vcf        the family's calls in the panel regions, with VEP-style CSQ
    {name}/{name}.ped        the family, seven columns (ELLA's proband column last)
    {name}/warnings.txt      what the analyst must know (genes not analysed, transcript notes)
    {name}/READY             empty; written last: the watcher imports only folders that have it

The folder is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from cyvcf2 import Variant

from hurtig.errors import InputError
from hurtig.genes.gene_model import load_gff3
from hurtig.genes.hgvs import FastaReference
from hurtig.handoff.pedigree_files import ella_ped
from hurtig.handoff.vcf_keys import CLINVAR_HEADERS, CSQ_HEADER, CsqMaker, rewrite_vcf
from hurtig.io.files import temp_path, write_text_atomic
from hurtig.panels.model import Region, read_bed
from hurtig.prioritise.results import PrioritisedResults
from hurtig.qc.checks_file import FamilyChecks, Verdict, read_checks
from hurtig.run.pedigree import load_pedigree

ANALYSIS_KEYS: tuple[str, ...] = (
    "name",
    "genepanel_name",
    "genepanel_version",
    "priority",
    "data",
)
"""Keys of the ``.analysis`` JSON (ELLA requires all five and allows no unknown ones)."""

DATA_KEYS: tuple[str, ...] = ("vcf", "ped", "technology")
"""Keys of a ``data`` entry (``vcf`` and ``technology`` required by ELLA, ``ped`` optional)."""


def analysis_name(sample: str, panel_id: str, version: str) -> str:
    """The analysis (and folder) name: ``{sample}-{panel}_{version}``."""
    return f"{sample}-{panel_id}_{version}"


def analysis_config(name: str, panel_id: str, version: str, priority: int) -> dict[str, object]:
    """The ``.analysis`` JSON object (file names relative to the folder, as ELLA resolves them)."""
    values: list[object] = [
        name,
        panel_id,
        version,
        priority,
        [{"vcf": f"{name}.vcf", "ped": f"{name}.ped", "technology": "HTS"}],
    ]
    return dict(zip(ANALYSIS_KEYS, values, strict=True))


def check_warnings(checks: FamilyChecks | None) -> list[str]:
    """Warning lines of the family's sample checks: NOT FOR CLINICAL USE, failed, not assessable.

    A passed check gives no line; without a checks file, one line says identity was not checked.
    """
    if checks is None:
        return ["Sample identity: no sample checks were given to this hand-off (not verified)"]
    lines = (
        [] if checks.clinical_use else ["NOT FOR CLINICAL USE: a sample check blocks the report"]
    )
    lines += [
        f"Sample check {v.check}: {v.verdict} — {v.reason}"
        for v in checks.verdicts
        if v.verdict != Verdict.PASSED
    ]
    if checks.overridden:
        lines.append(
            f"Sample checks overridden by the run configuration: {', '.join(checks.overridden)}"
            f" ({checks.override_reason})"
        )
    return lines


def warnings_text(results: PrioritisedResults, checks: FamilyChecks | None = None) -> str:
    """The warnings file: sample checks, panel genes not analysed, transcript fallbacks."""
    lines = check_warnings(checks)
    lines += [
        f"Gene {m.get('symbol') or m.get('hgnc_id')} of panel {results.panel.id} "
        f"{results.panel.version} was not analysed: {m.get('reason', 'not resolved')}"
        for m in results.panel.missing_genes
    ]
    lines += [
        note if note.startswith(g.symbol) else f"{g.symbol}: {note}"
        for g in results.panel.genes
        if (note := g.transcript_note)
    ]
    return "\n".join(lines) + "\n" if lines else ""


class _Regions:
    """Panel regions per contig, for overlap tests of records."""

    def __init__(self, regions: Sequence[Region]) -> None:
        self._by_chrom: dict[str, list[tuple[int, int]]] = {}
        for r in regions:
            self._by_chrom.setdefault(r.chrom, []).append((r.start0, r.end))
        for spans in self._by_chrom.values():
            spans.sort()
        self._starts = {c: [s for s, _ in spans] for c, spans in self._by_chrom.items()}
        self._max_len = {c: max(e - s for s, e in sp) for c, sp in self._by_chrom.items()}

    def overlaps(self, chrom: str, start0: int, end: int) -> bool:
        """True when ``[start0, end)`` overlaps a region."""
        spans = self._by_chrom.get(chrom)
        if not spans:
            return False
        i = bisect.bisect_left(self._starts[chrom], end)
        lowest = start0 - self._max_len[chrom]
        while i > 0 and spans[i - 1][0] >= lowest:
            i -= 1
            if spans[i][1] > start0 and spans[i][0] < end:
                return True
        return False


def write_folder(args: argparse.Namespace, results: PrioritisedResults) -> Path:
    """Write the analysis folder into ``args.out`` and return its final path."""
    name = analysis_name(args.sample, results.panel.id, results.panel.version)
    pedigree = load_pedigree(args.samples)
    people = pedigree.family(pedigree.person(args.sample).family)
    maker = CsqMaker(load_gff3(args.gff3), FastaReference(str(args.fasta)) if args.fasta else None)
    regions = _Regions(read_bed(args.panel_bed))

    def update(variant: Variant) -> dict[str, str] | None:
        if not regions.overlaps(variant.CHROM, variant.start, variant.end):
            return None
        csq = maker.value(variant)
        return {"CSQ": csq} if csq else {}

    args.out.mkdir(parents=True, exist_ok=True)
    final = args.out / name
    tmp = temp_path(final)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(mode=0o700)
    rewrite_vcf(args.vcf, tmp / f"{name}.vcf", (CSQ_HEADER, *CLINVAR_HEADERS), update)
    write_text_atomic(tmp / f"{name}.ped", ella_ped(people, args.sample))
    checks = read_checks(args.checks) if args.checks else None
    write_text_atomic(tmp / "warnings.txt", warnings_text(results, checks))
    config = analysis_config(name, results.panel.id, results.panel.version, args.priority)
    write_text_atomic(tmp / f"{name}.analysis", json.dumps(config, indent=2) + "\n")
    write_text_atomic(tmp / "READY", "")
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    return final


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line arguments."""
    parser = argparse.ArgumentParser(prog="hurtig write-ella", description=__doc__)
    parser.add_argument("--vcf", required=True, type=Path, help="the family's panel VCF")
    parser.add_argument("--samples", required=True, type=Path, help="the family's pedigree")
    parser.add_argument("--sample", required=True, help="the analysed sample (ELLA's proband)")
    parser.add_argument("--results", required=True, type=Path, help="prioritised JSON")
    parser.add_argument("--panel-bed", required=True, type=Path)
    parser.add_argument("--gff3", required=True, type=Path)
    parser.add_argument("--fasta", type=Path, help="reference FASTA for HGVS 3' shifting")
    parser.add_argument("--priority", type=int, default=1, help="ELLA priority (1 = normal)")
    parser.add_argument("--checks", type=Path, help="the family's sample checks JSON")
    parser.add_argument("--out", required=True, type=Path, help="folder to write into")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    args = parse_args(argv)
    results = PrioritisedResults.read(args.results)
    if results.sample != args.sample:
        raise InputError(f"{args.results}: results of {results.sample}, not of {args.sample}")
    write_folder(args, results)
    return 0
