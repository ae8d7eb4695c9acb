"""The read screen of the fast path (hurtig panel-kmers / screen-reads) on built references."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pysam
import pytest

from hurtig.errors import InputError
from hurtig.panels import read_screen
from hurtig.panels.kmer_kernels import CODES, canonical_kmers

COMPLEMENT = bytes.maketrans(b"ACGTN", b"TGCAN")
READ = 100


def revcomp(seq: str) -> str:
    """The reverse complement."""
    return seq.encode().translate(COMPLEMENT)[::-1].decode()


def write_reference(folder: Path, rng: np.random.Generator) -> dict[str, str]:
    """Two random contigs (the first partly soft-masked) as an indexed FASTA."""
    contigs = {name: "".join(rng.choice(list("ACGT"), 20_000)) for name in ("c1", "c2")}
    contigs["c1"] = (
        contigs["c1"][:5_000] + contigs["c1"][5_000:5_200].lower() + contigs["c1"][5_200:]
    )
    fasta = folder / "ref.fa"
    fasta.write_text("".join(f">{n}\n{s}\n" for n, s in contigs.items()))
    pysam.faidx(str(fasta))
    return {n: s.upper() for n, s in contigs.items()}


def write_pairs(path1: Path, path2: Path, pairs: list[tuple[str, str, str]]) -> None:
    """A gzip FASTQ pair of (name, R1 bases, R2 bases)."""
    with gzip.open(path1, "wt") as one, gzip.open(path2, "wt") as two:
        for name, s1, s2 in pairs:
            one.write(f"@{name}/1\n{s1}\n+\n{'I' * len(s1)}\n")
            two.write(f"@{name}/2\n{s2}\n+\n{'I' * len(s2)}\n")


def names(path: Path) -> list[str]:
    """The read names of a gzip FASTQ (without the /1, /2)."""
    with gzip.open(path, "rt") as handle:
        return [line[1:].split("/")[0] for i, line in enumerate(handle) if i % 4 == 0]


def test_canonical_kmers_skip_n_and_match_both_strands() -> None:
    """A k-mer and its reverse complement pack alike; k-mers over an N are skipped."""
    seq = "ACGTTGCAAGGCTTACGATCGATCGGATCCA"
    k = 5

    def kmers(text: str) -> np.ndarray:
        out = np.empty(len(text), np.uint64)
        return np.sort(
            out[: canonical_kmers(np.frombuffer(text.encode(), np.uint8), k, CODES, out)]
        )

    assert np.array_equal(kmers(seq), kmers(revcomp(seq)))
    assert kmers(seq).size == len(seq) - k + 1
    with_n = seq[:10] + "N" + seq[11:]
    assert kmers(with_n).size == len(seq) - k + 1 - k
    assert np.array_equal(kmers(seq.lower()), kmers(seq))


def test_screen_keeps_pairs_with_a_mate_in_the_regions(tmp_path: Path) -> None:
    """Pairs with either mate over the regions (either strand, soft-masked too) are kept.

    Others are not; the records are copied unchanged and counted.
    """
    rng = np.random.default_rng(7)
    ref = write_reference(tmp_path, rng)
    bed = tmp_path / "regions.bed"
    bed.write_text("c1\t4000\t6000\n")
    table = read_screen.build_table(tmp_path / "ref.fa", bed)
    assert table.kmers == 2000 - 31 + 1
    kmers = tmp_path / "fam.kmers.npz"
    read_screen.save_table(table, kmers)

    def read(contig: str, start: int) -> str:
        return ref[contig][start : start + READ]

    pairs = [
        ("in_r1", read("c1", 4500), revcomp(read("c1", 4800))),
        ("in_r2_only", read("c2", 100), revcomp(read("c1", 5950 - READ + 40))),
        ("masked", revcomp(read("c1", 5050)), read("c2", 9000)),
        ("edge_31", read("c1", 4000 - READ + 31), read("c2", 300)),
        ("edge_30", read("c1", 4000 - READ + 30), read("c2", 400)),
        ("outside", read("c2", 5000), revcomp(read("c2", 5300))),
        ("all_n", "N" * READ, "N" * READ),
    ]
    write_pairs(tmp_path / "a.R1.fastq.gz", tmp_path / "a.R2.fastq.gz", pairs)
    write_pairs(tmp_path / "b.R1.fastq.gz", tmp_path / "b.R2.fastq.gz", pairs[:2])
    out1, out2, stats = tmp_path / "k.R1.fastq.gz", tmp_path / "k.R2.fastq.gz", tmp_path / "s.json"
    argv = ["--kmers", str(kmers), "--out-r1", str(out1), "--out-r2", str(out2)]
    argv += ["--r1", str(tmp_path / "a.R1.fastq.gz"), str(tmp_path / "b.R1.fastq.gz")]
    argv += ["--r2", str(tmp_path / "a.R2.fastq.gz"), str(tmp_path / "b.R2.fastq.gz")]
    assert read_screen.main([*argv, "--stats", str(stats)]) == 0
    kept = ["in_r1", "in_r2_only", "masked", "edge_31"]
    assert names(out1) == [*kept, "in_r1", "in_r2_only"]
    assert names(out2) == names(out1)
    with gzip.open(out1, "rt") as handle:
        assert handle.read(2 * READ + 20).startswith(f"@in_r1/1\n{pairs[0][1]}\n+\n{'I' * READ}\n")
    counts = json.loads(stats.read_text())
    assert (counts["pairs"], counts["kept"], counts["k"]) == (9, 6, 31)


def test_min_hits_and_blocks_smaller_than_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--min-hits needs that many shared k-mers; a block shorter than a record still reads all."""
    rng = np.random.default_rng(8)
    ref = write_reference(tmp_path, rng)
    bed = tmp_path / "regions.bed"
    bed.write_text("c2\t1000\t3000\n")
    table = read_screen.build_table(tmp_path / "ref.fa", bed)
    # 35 bases of the read over the region: 5 shared 31-mers
    pairs = [("p5", ref["c2"][1000 - READ + 35 : 1000 + 35], ref["c1"][:READ])] * 50
    write_pairs(tmp_path / "R1.fastq.gz", tmp_path / "R2.fastq.gz", pairs)
    monkeypatch.setattr(read_screen, "BLOCK", 64)
    out = (tmp_path / "o1.fastq.gz", tmp_path / "o2.fastq.gz")
    pair = [(tmp_path / "R1.fastq.gz", tmp_path / "R2.fastq.gz")]
    assert read_screen.screen_reads(pair, table, *out, min_hits=5).kept == 50
    assert read_screen.screen_reads(pair, table, *out, min_hits=6).kept == 0
    # every 4th k-mer: the one ending at the read's 33rd base only
    assert read_screen.screen_reads(pair, table, *out, stride=4).kept == 50
    assert read_screen.screen_reads(pair, table, *out, min_hits=2, stride=4).kept == 0
    assert names(out[0]) == []


def test_unequal_mates_and_bad_fastq_are_errors(tmp_path: Path) -> None:
    """R2 shorter than R1, or a record not starting with @, stops with an input error."""
    rng = np.random.default_rng(9)
    write_reference(tmp_path, rng)
    bed = tmp_path / "regions.bed"
    bed.write_text("c2\t1000\t3000\n")
    table = read_screen.build_table(tmp_path / "ref.fa", bed)
    r1, r2 = tmp_path / "R1.fastq.gz", tmp_path / "R2.fastq.gz"
    write_pairs(r1, r2, [("a", "ACGT" * 20, "ACGT" * 20)] * 3)
    with gzip.open(r2, "wt") as handle:
        handle.write("@a/2\nACGT\n+\nIIII\n")
    out = (tmp_path / "o1.fastq.gz", tmp_path / "o2.fastq.gz")
    with pytest.raises(InputError, match="different numbers"):
        read_screen.screen_reads([(r1, r2)], table, *out)
    assert not out[0].exists()
    with gzip.open(r2, "wt") as handle:
        handle.write("@a/2\nACGT\n+\nIIII\n" + "a/2\nACGT\n+\nIIII\n" * 2)
    with pytest.raises(InputError, match="not FASTQ"):
        read_screen.screen_reads([(r1, r2)], table, *out)


def test_max_copies_leaves_out_k_mers_repeated_in_the_reference(tmp_path: Path) -> None:
    """K-mers found more than --max-copies times in the whole reference are left out.

    A segment of the regions is copied twice elsewhere (once reverse-complemented): its k-mers
    are found 3 times, so --max-copies 2 leaves them out and the reads of a copy are not kept.
    """
    rng = np.random.default_rng(10)
    ref = write_reference(tmp_path, rng)
    repeat = ref["c1"][4200:4400]
    c2 = ref["c2"][:8000] + revcomp(repeat) + ref["c2"][8200:12000] + repeat + ref["c2"][12200:]
    (tmp_path / "ref.fa").write_text(f">c1\n{ref['c1']}\n>c2\n{c2}\n")
    (tmp_path / "ref.fa.fai").unlink()
    pysam.faidx(str(tmp_path / "ref.fa"))
    bed = tmp_path / "regions.bed"
    bed.write_text("c1\t4000\t6000\n")
    every = read_screen.build_table(tmp_path / "ref.fa", bed)
    assert read_screen.build_table(tmp_path / "ref.fa", bed, max_copies=3).kmers == every.kmers
    capped = read_screen.build_table(tmp_path / "ref.fa", bed, max_copies=2)
    genome = ref["c1"] + "N" + c2
    region = ref["c1"][4000:6000]
    kmers = {region[i : i + 31] for i in range(len(region) - 30)}
    repeated = {m for m in kmers if genome.count(m) + genome.count(revcomp(m)) > 2}
    assert len(repeated) >= 200 - 31 + 1  # the copied segment's (and chance junction k-mers)
    assert capped.kmers == every.kmers - len(repeated)
    pairs = [
        ("copy", c2[12000 + 50 : 12000 + 50 + READ], c2[100 : 100 + READ]),
        ("unique", ref["c1"][5000 : 5000 + READ], c2[300 : 300 + READ]),
    ]
    r1, r2 = tmp_path / "R1.fastq.gz", tmp_path / "R2.fastq.gz"
    write_pairs(r1, r2, pairs)
    out = (tmp_path / "o1.fastq.gz", tmp_path / "o2.fastq.gz")
    assert read_screen.screen_reads([(r1, r2)], every, *out).kept == 2
    assert read_screen.screen_reads([(r1, r2)], capped, *out).kept == 1
    assert names(out[0]) == ["unique"]
    with pytest.raises(InputError, match="negative"):
        read_screen.build_table(tmp_path / "ref.fa", bed, max_copies=-1)
