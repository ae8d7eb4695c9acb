"""The fast path with ``fast_path.screen_reads`` (#17): panel calls before whole-genome alignment.

A second run of the demo trio (and of the GIAB reads) with the read screen on, targeting only the
fast path's outputs, is compared with the shared run's genome path: the calls in the fast path's
calling regions are the same records, every read over them that the genome path kept with
MAPQ ≥ 20 passed the screen, and the preliminary report needed none of the genome path's
alignment jobs (nor any other whole-genome step).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from builders import run_pipeline
from e2e.test_fast_path import WHOLE_GENOME_RULES, jobs_of, records_in, small_variants

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SCREEN = "fast_path:\n  screen_reads: true\n"


def screened_run(workdir: Path, config: Path, *targets: str) -> Path:
    """Run the workflow's fast-path targets with the read screen on (config overlaid)."""
    overlay = workdir / "screen.yaml"
    workdir.mkdir(parents=True, exist_ok=True)
    overlay.write_text(SCREEN)
    # the screen overlay first: relative paths resolve against the last config file (and the
    # targets before --configfile, which takes every word after it)
    run_pipeline(workdir, *targets, "--configfile", str(overlay), str(config))
    return workdir


@pytest.fixture(scope="module")
def demo_screened(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo trio's preliminary reports with the read screen on."""
    return screened_run(
        tmp_path_factory.mktemp("demo_screened"),
        REPO / "config" / "config.yaml",
        "results/report/proband/preliminary/neuro_demo.html",
        "results/report/proband/preliminary/epilepsy_demo.html",
    )


def read_names(alignment: Path, bed: Path, reference: Path, *flags: str) -> set[str]:
    """Names of the primary reads over the BED (samtools view filters ``flags`` added)."""
    command = ["samtools", "view", "-F", "0x900", *flags, "-L", str(bed), "-T", str(reference)]
    out = subprocess.run(
        [*command, str(alignment)], capture_output=True, text=True, check=True
    ).stdout
    return {line.split("\t", 1)[0] for line in out.splitlines()}


def screen_counts(run: Path) -> tuple[int, int]:
    """(pairs read, pairs kept) over all the run's screened chunks."""
    stats = [json.loads(p.read_text()) for p in (run / "results/fast/screen").glob("*/*/*.json")]
    assert stats, "no screen statistics"
    return sum(s["pairs"] for s in stats), sum(s["kept"] for s in stats)


def test_screened_calls_equal_genome_calls(demo_run: Path, demo_screened: Path) -> None:
    """Same records in the calling regions; same annotated records and ranked small variants."""
    calling = demo_run / "results/fast/_regions/demo.call.bed"
    assert (
        calling.read_text() == (demo_screened / "results/fast/_regions/demo.call.bed").read_text()
    )
    genome = records_in(demo_run / "results/calls/demo.vcf.gz", calling)
    assert len(genome) >= 10, genome
    assert records_in(demo_screened / "results/fast/calls/demo.bcf", calling) == genome
    for panel in ("neuro_demo", "epilepsy_demo"):
        final = small_variants(demo_run / f"results/panels/proband/{panel}.tsv")
        assert small_variants(demo_screened / f"results/fast/panels/proband/{panel}.tsv") == final


def test_screen_keeps_every_read_the_calls_use(demo_run: Path, demo_screened: Path) -> None:
    """Each genome-path read over the calling regions with MAPQ ≥ 20 passed the screen.

    And the screen kept a minority of the pairs.
    """
    calling = demo_run / "results/fast/_regions/demo.call.bed"
    reference = REPO / "resources/demo/reference/chr21.fa.gz"
    for sample in ("proband", "father", "mother"):
        genome = read_names(
            demo_run / f"results/alignment/{sample}.cram", calling, reference, "-q", "20"
        )
        fast = read_names(
            demo_screened / f"results/fast/alignment/{sample}.bam", calling, reference
        )
        assert len(genome) > 1000, sample
        assert genome <= fast, (sample, len(genome - fast))
    pairs, kept = screen_counts(demo_screened)
    assert 0 < kept < pairs / 4, (kept, pairs)


def test_screened_report_needs_no_genome_alignment(demo_screened: Path) -> None:
    """The preliminary report's jobs: the screen and its alignment, not the read chunks'."""
    log = "\n".join(p.read_text() for p in (demo_screened / ".snakemake/log").glob("*.log"))
    jobs = jobs_of(log)
    assert not {rule for rule, _, _ in jobs} & {"align_reads", *WHOLE_GENOME_RULES}
    rules = {rule for rule, _, _ in jobs}
    assert {"screen_reads", "align_screened_reads", "merge_panel_reads"} <= rules, rules
    html = demo_screened / "results/report/proband/preliminary/neuro_demo.html"
    assert "PRELIMINARY — NOT FOR CLINICAL USE YET" in html.read_text()


def test_giab_screened_calls_equal_genome_calls(
    giab_run: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Real reads (6 chunks, duplicates): same calls and duplicate counts in the fast regions."""
    run = screened_run(
        tmp_path_factory.mktemp("giab_screened"),
        REPO / "config" / "giab" / "config.yaml",
        "results/fast/calls/giab.bcf",
    )
    regions = REPO / "config" / "giab" / "fast_regions.bed"
    genome = records_in(giab_run / "results/calls/giab.vcf.gz", regions)
    assert len(genome) >= 10, genome
    assert records_in(run / "results/fast/calls/giab.bcf", regions) == genome
    reference = REPO / "resources/giab/reference/chr20.fa.gz"
    cram = giab_run / "results/alignment/NA12878.cram"
    fast_bam = run / "results/fast/alignment/NA12878.bam"
    for flags in (("-f", "1024"), ("-F", "1024")):
        assert read_names(fast_bam, regions, reference, *flags) >= read_names(
            cram, regions, reference, "-q", "20", *flags
        )
    pairs, kept = screen_counts(run)
    assert 0 < kept < pairs, (kept, pairs)
