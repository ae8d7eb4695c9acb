"""The panel fast path (#17, item 2): the panel answer straight after alignment, equal calls.

On the demo trio's shared run: the fast path's calls equal the genome-wide calls record for
record in its calling regions, and with their annotation inside the panels; its panel coverage
equals the CRAM's, its ranking names the same small variants with the same genotypes, and the
preliminary report's job depends on no whole-genome step (CRAM, genome QC, genome calling, SV
calling). The GIAB equality is in tests/e2e/test_giab.py (real reads with duplicates).
"""

from __future__ import annotations

import csv
import gzip
import re
import subprocess
from pathlib import Path

import pytest

from builders import job_start

pytestmark = pytest.mark.e2e

SMALL = ("SNV", "MNV", "indel")
WHOLE_GENOME_RULES = {
    "mark_duplicates", "call_shard", "concat_calls", "annotate_shard", "compute_coverage",
    "compute_alignment_stats", "genotype_identity_sites", "check_family", "call_sv_delly",
    "call_sv_tiddit", "compute_cnv_coverage", "call_cnv_cnvkit", "run_multiqc",
}  # fmt: skip


def records_in(vcf: Path, bed: Path) -> list[str]:
    """The VCF's records (whole lines) whose position is inside the BED."""
    out = subprocess.run(
        ["bcftools", "view", "-H", "-T", str(bed), str(vcf)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return out.splitlines()


def panel_union(run: Path, tmp: Path) -> Path:
    """The union of the run's panel BEDs (first three columns)."""
    lines = set()
    for bed in (run / "results/panels/_regions").glob("*.bed"):
        lines |= {"\t".join(line.split("\t")[:3]) for line in bed.read_text().splitlines()}
    out = tmp / "panels.bed"
    out.write_text("".join(f"{line}\n" for line in sorted(lines)))
    return out


def test_fast_calls_equal_genome_calls(demo_run: Path, tmp_path: Path) -> None:
    """Calls equal in all the fast path's calling regions; annotated records in the panels.

    (Outside coding regions bcftools csq may or may not write an all-zero FORMAT/BCSQ depending
    on the neighbouring records it buffers, so the annotated records are compared in the panels.)
    """
    calling = demo_run / "results/fast/_regions/demo.call.bed"
    fast = records_in(demo_run / "results/fast/calls/demo.bcf", calling)
    genome = records_in(demo_run / "results/calls/demo.vcf.gz", calling)
    assert len(genome) >= 10, genome
    assert fast == genome
    bed = panel_union(demo_run, tmp_path)
    fast = records_in(demo_run / "results/fast/_vcf/demo.vcf.gz", bed)
    genome = records_in(demo_run / "results/annotated/demo.vcf.gz", bed)
    assert len(genome) >= 3, genome  # the planted small variants are in the panels
    assert fast == genome


def test_fast_panel_coverage_equals_the_crams(demo_run: Path) -> None:
    fast_root = demo_run / "results/fast/qc/coverage"
    fast_files = sorted(fast_root.glob("*/*.thresholds.bed.gz"))
    assert {p.parent.name for p in fast_files} == {"proband"}, fast_files  # one per panel
    assert len(fast_files) == 2, fast_files
    for fast in fast_files:
        final = demo_run / "results/qc/coverage" / fast.relative_to(fast_root)
        with gzip.open(final, "rt") as a, gzip.open(fast, "rt") as b:
            assert a.read() == b.read(), fast


def small_variants(tsv: Path) -> list[tuple[str, ...]]:
    with tsv.open() as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return sorted(
            (r["chrom"], r["pos"], r["ref"], r["alt"], r["genotype"], r["depth"], r["gene"])
            for r in rows
            if r["variant_type"] in SMALL
        )


@pytest.mark.parametrize("panel", ["neuro_demo", "epilepsy_demo"])
def test_fast_ranking_has_the_final_small_variants(demo_run: Path, panel: str) -> None:
    final = small_variants(demo_run / f"results/panels/proband/{panel}.tsv")
    fast = small_variants(demo_run / f"results/fast/panels/proband/{panel}.tsv")
    assert fast == final


def test_preliminary_report_says_preliminary(demo_run: Path) -> None:
    html = (demo_run / "results/report/proband/preliminary/neuro_demo.html").read_text()
    assert "PRELIMINARY — NOT FOR CLINICAL USE YET" in html
    assert "APP" in html and "JAM2" in html


def jobs_of(log: str) -> list[tuple[str, list[str], list[str]]]:
    """(rule, inputs, outputs) of every job in a Snakemake log."""
    jobs: list[tuple[str, list[str], list[str]]] = []
    for line in log.splitlines():
        started = job_start(line)
        if started:
            jobs.append((started, [], []))
        elif jobs and (field := re.match(r"^    (input|output): (.*)$", line)):
            files = [f.strip() for f in field[2].split(",")]
            _, inputs, outputs = jobs[-1]
            (inputs if field[1] == "input" else outputs).extend(files)
    return jobs


def test_preliminary_report_needs_no_whole_genome_step(demo_run: Path) -> None:
    log = "\n".join(p.read_text() for p in (demo_run / ".snakemake/log").glob("*.log"))
    jobs = jobs_of(log)
    producer = {out: (rule, inputs) for rule, inputs, outputs in jobs for out in outputs}
    target = "results/report/proband/preliminary/neuro_demo.html"
    assert target in producer, "the demo run wrote no preliminary report"
    seen, todo, rules = set(), [target], set()
    while todo:
        path = todo.pop()
        if path in seen or path not in producer:
            continue
        seen.add(path)
        rule, inputs = producer[path]
        rules.add(rule)
        todo.extend(inputs)
    assert {"merge_panel_reads", "call_panel_fast", "align_reads"} <= rules, rules
    assert not rules & WHOLE_GENOME_RULES, rules & WHOLE_GENOME_RULES
