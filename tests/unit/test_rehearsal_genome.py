"""hurtig make-rehearsal-genome: GRCh38 contig names and sizes, determinism, genes, sources."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import numpy as np
import pysam
import pytest

from hurtig.devtools import rehearsal, rehearsal_truth
from hurtig.devtools import rehearsal_genome as rg

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
SCALE = 0.001


def _make(out: Path, *extra: str) -> Path:
    argv = ["--demo-dir", str(DEMO), "--outdir", str(out), "--scale", str(SCALE), *extra]
    assert rehearsal.main(argv) == 0
    return out


@pytest.fixture(scope="module")
def genome(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One rehearsal genome at 1/1000 with a trio config, no reads."""
    return _make(tmp_path_factory.mktemp("rehearsal") / "g", "--samples", "trio")


def _gff_rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]


def test_contig_names_and_relative_sizes() -> None:
    contigs = rg.scaled_contigs(0.01)
    primary = [f"chr{i}" for i in range(1, 23)] + ["chrX", "chrY", "chrM"]
    assert list(contigs)[:25] == primary
    assert {"chrUn_KI270742v1", "chr1_KI270706v1_random"} <= set(contigs)
    assert contigs["chrM"] == 16_569
    assert contigs["chr1"] == 2_489_564 and contigs["chr21"] == 467_100
    assert abs(contigs["chr1"] / contigs["chrY"] - 248_956_422 / 57_227_415) < 1e-4
    assert 30_000_000 < sum(contigs.values()) < 32_000_000
    assert rg.scaled_contigs(0.001)["chrUn_GL000220v1"] == rg.MIN_CONTIG


def test_tiles_cover_each_contig_inside_its_telomeres() -> None:
    contigs = rg.scaled_contigs(0.001)
    tiles = rg.plan_tiles(contigs, 1_000_000, 0.001)
    for name, length in contigs.items():
        mine = [t for t in tiles if t.contig == name]
        tel = rg.telomere_length(name, 0.001)
        assert mine[0].start == tel
        assert sum(t.length for t in mine) == length - 2 * tel
    assert [t.reverse for t in tiles[:6]] == [False, False, True, False, False, True]
    assert all(t.source + t.length <= 1_000_000 for t in tiles)


def test_mutation_rate_and_seed() -> None:
    seq = b"ACGT" * 25_000 + b"N" * 1000
    a, b = rg.mutate(seq, 1), rg.mutate(seq, 2)
    assert a == rg.mutate(seq, 1) and a != b
    diff = sum(x != y for x, y in zip(seq, a, strict=True))
    assert 0.015 < diff / 100_000 < 0.025
    assert a[-1000:] == b"N" * 1000
    assert rg.reverse_complement(b"AACGTN") == b"NACGTT"


def test_same_seed_same_files(genome: Path, tmp_path: Path) -> None:
    again = _make(tmp_path / "g", "--samples", "trio")
    for rel in ("reference/genome.fa.gz", "annotation/genes.gff3.gz", "truth/trio_truth.vcf.gz"):
        with gzip.open(genome / rel) as x, gzip.open(again / rel) as y:
            assert x.read() == y.read(), rel
    other = _make(tmp_path / "h", "--seed", "5")
    with (
        pysam.FastaFile(str(genome / "reference/genome.fa.gz")) as x,
        pysam.FastaFile(str(other / "reference/genome.fa.gz")) as y,
    ):
        assert x.fetch("chr2") != y.fetch("chr2")


def test_gene_copies_inside_contigs_and_on_their_source_sequence(genome: Path) -> None:
    rows = _gff_rows(genome / "annotation/genes.gff3.gz")
    fasta = pysam.FastaFile(str(genome / "reference/genome.fa.gz"))
    lengths = dict(zip(fasta.references, fasta.lengths, strict=True))
    genes = [r for r in rows if r[2] == "gene"]
    assert len(genes) > 20
    ids = [rg._attrs(r[8])["ID"] for r in genes]
    assert len(set(ids)) == len(ids)
    assert all(1 <= int(r[3]) <= int(r[4]) <= lengths[r[0]] for r in rows)
    source = pysam.FastaFile(str(DEMO / "reference/chr21.fa.gz"))
    originals = {
        rg._attrs(r[8])["exon_id"]: r
        for r in _gff_rows(DEMO / "annotation/genes.gff3.gz")
        if r[2] == "exon"
    }
    checked = {"+": 0, "-": 0}
    for r in rows:
        if r[2] != "exon":
            continue
        orig = originals[rg._attrs(r[8])["exon_id"].rsplit("_r", 1)[0]]
        want = source.fetch("chr21", int(orig[3]) - 1, int(orig[4])).upper().encode()
        got = fasta.fetch(r[0], int(r[3]) - 1, int(r[4])).encode()
        if r[6] != orig[6]:
            want = rg.reverse_complement(want)
        assert len(got) == len(want)
        assert sum(x != y for x, y in zip(got, want, strict=True)) <= 0.08 * len(got) + 2
        checked["+" if r[6] == orig[6] else "-"] += 1
    assert checked["+"] > 10 and checked["-"] > 10  # forward and mirrored copies both checked


def test_sources_are_valid_vcfs_whose_ref_matches(genome: Path) -> None:
    fasta = genome / "reference/genome.fa.gz"
    for name in (
        "annotation/gnomad.vcf.gz",
        "annotation/clinvar.vcf.gz",
        "truth/trio_truth.vcf.gz",
    ):
        path = genome / name
        assert Path(f"{path}.tbi").is_file()
        out = subprocess.run(
            ["bcftools", "norm", "-c", "e", "-f", str(fasta), "-Ov", "-o", "/dev/null", str(path)],
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        with pysam.VariantFile(str(path)) as vcf:
            assert sum(1 for _ in vcf) > 100


def test_panel_spans_several_chromosomes_and_run_files(genome: Path) -> None:
    rows = _gff_rows(genome / "annotation/genes.gff3.gz")
    where = {rg._attrs(r[8])["Name"]: r[0] for r in rows if r[2] == "gene"}
    panel = (genome / "panels/rehearsal/1.0/rehearsal.tsv").read_text().splitlines()
    genes = [line.split("\t")[1] for line in panel if not line.startswith("#")]
    assert len({where[g] for g in genes}) >= 4
    samples = (genome / "samples.tsv").read_text()
    assert "proband\trehearsal\tfather\tmother\tfemale\ttrue\trehearsal" in samples
    assert "father\trehearsal\t\t\tmale" in samples
    assert "  shards: 200" in (genome / "config.yaml").read_text()


def test_trio_genotypes_follow_sex_and_inheritance() -> None:
    rng = np.random.default_rng(0)
    sites = [rehearsal_truth.Site(c, 10, "A", "G", 0.9) for c in ("chrX", "chrY", "chrM", "chr1")]
    for _ in range(50):
        x, y, m, a = (rehearsal_truth.trio_genotypes(s, rng) for s in sites)
        assert x["father"][1] == 0 and x["proband"][0] == x["father"][0]
        assert y["proband"] == (0, 0) and y["mother"] == (0, 0) and y["father"][0] == 0
        assert m["proband"] == m["mother"] and m["father"][0] == m["father"][1]
        assert a["proband"][0] in a["father"] and a["proband"][1] in a["mother"]
    assert rehearsal_truth.haplotype_contigs("male", 1, ["chr1", "chrX", "chrY"]) == [
        "chr1",
        "chrY",
    ]
    assert rehearsal_truth.haplotype_contigs("female", 1, ["chr1", "chrX", "chrY"]) == [
        "chr1",
        "chrX",
    ]
