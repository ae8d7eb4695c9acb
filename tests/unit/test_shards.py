"""Tests for hurtig.calling.shards (balanced, ordered reference shards)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from pathlib import Path

import pysam
import pytest

from builders import write_fasta
from hurtig.calling.shards import main, make_shards, n_runs, scan_genome
from hurtig.errors import InputError, run_cli

CHR21 = Path(__file__).resolve().parents[2] / "resources/demo/reference/chr21.fa.gz"
CHR21_REAL_BED = CHR21.with_name("real_sequence.bed")
Genome = tuple[Path, dict[str, str]]


def random_seq(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ACGTacgt") for _ in range(n))


@pytest.fixture
def genome(tmp_path: Path) -> Genome:
    rng = random.Random(7)
    contigs = {
        "chr1": "N" * 5000 + random_seq(rng, 30000) + "N" * 3000 + random_seq(rng, 20000)
        + "nnnn" + random_seq(rng, 15000) + "N" * 999 + random_seq(rng, 4000) + "N" * 2000,
        "chrAllN": "N" * 12000,
        "chr2": random_seq(rng, 25000) + "N" * 50 + random_seq(rng, 25000),
        "chrM": random_seq(rng, 1600),
    }  # fmt: skip
    return write_fasta(tmp_path / "ref.fa", contigs, bgzip=True), contigs


def callable_positions(contigs: dict[str, str], min_gap: int) -> set[tuple[str, int]]:
    """Brute force: every base not inside an N run of length >= min_gap."""
    out: set[tuple[str, int]] = set()
    for name, seq in contigs.items():
        i = 0
        while i < len(seq):
            j = i
            while j < len(seq) and seq[j] in "Nn":
                j += 1
            if j > i:
                if j - i < min_gap:
                    out.update((name, p) for p in range(i, j))
                i = j
            else:
                out.add((name, i))
                i += 1
    return out


def check_shards(
    shards: Sequence[Sequence[tuple[str, int, int]]],
    order: list[str],
    expected: set[tuple[str, int]] | None,
) -> list[int]:
    covered: list[tuple[str, int]] = []
    keys = []
    for shard in shards:
        assert shard, "empty shard"
        for contig, start, end in shard:
            assert 0 <= start < end
            covered.extend((contig, p) for p in range(start, end))
            keys.append((order.index(contig), start, end))
    assert keys == sorted(keys), "shards not in reference order"
    for (c1, _, e1), (c2, s2, _) in itertools.pairwise(keys):
        assert c1 != c2 or e1 <= s2, "overlap"
    assert len(covered) == len(set(covered))
    if expected is not None:
        assert set(covered) == expected
    return [sum(e - s for _, s, e in shard) for shard in shards]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13])
def test_balance_and_coverage(genome: Genome, n: int) -> None:
    path, contigs = genome
    shards = make_shards(path, n, min_gap=1000)
    assert len(shards) == n
    sizes = check_shards(shards, list(contigs), callable_positions(contigs, 1000))
    assert max(sizes) / min(sizes) <= 1.05
    assert not any(c == "chrAllN" for shard in shards for c, _, _ in shard)


def test_no_split_cuts_only_at_n_runs(genome: Genome) -> None:
    path, contigs = genome
    shards = make_shards(path, 3, min_gap=1000, split=False)
    check_shards(shards, list(contigs), callable_positions(contigs, 1000))
    for shard in shards[1:]:
        contig, start, _ = shard[0]
        seq = contigs[contig]
        assert start == 0 or seq[start - 1] in "Nn" or seq[start] in "Nn"


def test_split_prefers_nearby_short_n_run(tmp_path: Path) -> None:
    rng = random.Random(3)
    seq = random_seq(rng, 50000) + "N" * 10 + random_seq(rng, 50000)
    path = write_fasta(tmp_path / "s.fa", {"s": seq})
    shards = make_shards(path, 2, min_gap=1000)
    assert shards == [[("s", 0, 50000)], [("s", 50000, 100010)]]


def test_too_few_callable_bases(tmp_path: Path) -> None:
    path = write_fasta(tmp_path / "tiny.fa", {"a": "N" * 2000 + "ACG" + "N" * 2000})
    expected = [[("a", 2000, 2001)], [("a", 2001, 2002)], [("a", 2002, 2003)]]
    assert make_shards(path, 3, min_gap=1000) == expected
    with pytest.raises(InputError, match="only 3 callable bases"):
        make_shards(path, 4, min_gap=1000)
    with pytest.raises(InputError):
        make_shards(tmp_path / "missing.fa", 2)


def test_n_runs_across_chunks(tmp_path: Path) -> None:
    seq = "ACGT" * 10 + "N" * 37 + "ACG" + "n" * 5 + "T" + "N" * 20
    path = write_fasta(tmp_path / "c.fa", {"c": seq})
    with pysam.FastaFile(str(path)) as fa:
        for chunk in (1, 3, 7, 16, 1000):
            assert list(n_runs(fa, "c", chunk)) == [(40, 77), (80, 85), (86, 106)]
    layout = scan_genome(path, min_gap=10, chunk=7)
    assert layout.seg_start.tolist() == [0, 77] and layout.seg_end.tolist() == [40, 86]


def test_cli_writes_beds_and_summary(genome: Genome, tmp_path: Path) -> None:
    path, contigs = genome
    outdir = tmp_path / "shards"
    assert run_cli(main, ["--fasta", str(path), "--n", "4", "--outdir", str(outdir)]) == 0
    beds = sorted(outdir.glob("shard_*.bed"))
    assert [b.name for b in beds] == [f"shard_{i:04d}.bed" for i in range(4)]
    shards = [
        [
            (c, int(s), int(e))
            for c, s, e in (line.split("\t") for line in b.read_text().splitlines())
        ]
        for b in beds
    ]
    sizes = check_shards(shards, list(contigs), callable_positions(contigs, 1000))
    rows = (outdir / "shards.tsv").read_text().splitlines()
    assert rows[0] == "shard\tn_intervals\tcallable_bp\tfirst_region\tlast_region"
    assert [int(r.split("\t")[2]) for r in rows[1:]] == sizes
    assert not list(outdir.glob(".*"))  # no temporary files left
    assert run_cli(main, ["--fasta", str(path), "--n", "0", "--outdir", str(outdir)]) == 2


def test_real_chr21_reference() -> None:
    real = [line.split("\t") for line in CHR21_REAL_BED.read_text().splitlines() if line]
    real_bp = sum(int(e) - int(s) for _, s, e in real)
    assert real_bp == 1_171_152
    # min_gap=1: exactly the real (non-N) sequence
    shards = make_shards(CHR21, 6, min_gap=1)
    sizes = check_shards(shards, ["chr21"], None)
    assert sum(sizes) == real_bp
    assert max(sizes) / min(sizes) <= 1.05
    merged = sorted((s, e) for shard in shards for _, s, e in shard)
    joined: list[list[int]] = []
    for s, e in merged:
        if joined and joined[-1][1] == s:
            joined[-1][1] = e
        else:
            joined.append([s, e])
    assert joined == [[int(s), int(e)] for _, s, e in real]
    # default min_gap=1000: the seven small islands' short gaps (2,470 bp) count as callable
    shards = make_shards(CHR21, 6)
    assert sum(check_shards(shards, ["chr21"], None)) == real_bp + 2470 + 570
