r"""Deterministic trio read simulator for the embedded chr21 demo.

The trio's phased genotypes come from :mod:`hurtig.devtools.trio_truth`. Haplotype sequences of
the real-sequence segments are written as FASTA and ``wgsim`` simulates paired reads from each
haplotype at half the requested depth; the truth VCF is written next to the reads.

CLI::

    hurtig simulate-demo --demo-dir resources/demo --outdir DIR \
        [--depth 30] [--read-length 150] [--seed 20261122] [--threads 1]
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hurtig.devtools.sv_truth import (
    PlantedSv,
    check_inside,
    haplotype_edits,
    mask_sites,
    read_planted_sv,
)
from hurtig.devtools.trio_truth import (
    SAMPLES,
    Segment,
    TrioSite,
    apply_variants,
    build_trio,
    haplotype_variants,
    read_planted,
    read_segments,
    read_vcf,
    truth_vcf_lines,
)
from hurtig.errors import InputError

# wgsim settings fixed by the demo contract (besides read length, number of pairs and seed).
WGSIM_OUTER_DISTANCE = 350
WGSIM_STDDEV = 35
WGSIM_ERROR_RATE = 0.002

DEMO_FILES: dict[str, str] = {
    "reference": "reference/chr21.fa.gz",
    "segments": "reference/real_sequence.bed",
    "platinum": "truth/NA12878_platinum.vcf.gz",
    "population": "population/hapmap_3.3.vcf.gz",
    "planted": "planted_truth.tsv",
}
PLANTED_SV = "planted_sv.tsv"
"""Planted structural variants (optional; :mod:`hurtig.devtools.sv_truth`)."""

# --------------------------------------------------------------------------- sequences


def write_haplotype_fasta(
    path: Path,
    reference: dict[Segment, str],
    sites: Sequence[TrioSite],
    sample: str,
    hap: int,
    svs: Sequence[PlantedSv] = (),
) -> None:
    """Write one haplotype's segments (variants and SVs applied) as FASTA, 60 bases a line."""
    carried = haplotype_variants(sites, sample, hap)
    with path.open("w") as handle:
        for segment, sequence in reference.items():
            edits = [
                (s.pos, s.ref, s.alts[s.genotypes[sample][hap] - 1])
                for s in carried
                if s.chrom == segment.chrom and segment.contains(s.pos, s.ref)
            ]
            edits = haplotype_edits(edits, svs, sample, hap, segment, sequence)
            haplotype = apply_variants(sequence, segment.start, edits)
            handle.write(f">{sample}_h{hap + 1}_{segment.name}\n")
            for i in range(0, len(haplotype), 60):
                handle.write(haplotype[i : i + 60] + "\n")


def load_reference(fasta: Path, segments: Sequence[Segment]) -> dict[Segment, str]:
    """Fetch segment sequences with ``samtools faidx`` (uppercased)."""
    regions = [f"{s.chrom}:{s.start + 1}-{s.end}" for s in segments]
    out = _run(["samtools", "faidx", str(fasta), *regions], capture=True)
    sequences: list[str] = []
    for block in out.split(">")[1:]:
        lines = block.splitlines()
        sequences.append("".join(lines[1:]).upper())
    if len(sequences) != len(segments):
        raise InputError(f"{fasta}: could not fetch all real-sequence segments")
    for segment, sequence in zip(segments, sequences, strict=True):
        if len(sequence) != segment.end - segment.start:
            raise InputError(f"{fasta}: segment {segment.name} is truncated")
    return dict(zip(segments, sequences, strict=True))


# --------------------------------------------------------------------------- reads and outputs


def _run(cmd: Sequence[str], capture: bool = False) -> str:
    try:
        done = subprocess.run(cmd, check=True, capture_output=True, text=capture)
    except FileNotFoundError as err:
        raise InputError(f"{cmd[0]}: not installed") from err
    except subprocess.CalledProcessError as err:
        stderr = err.stderr if isinstance(err.stderr, str) else err.stderr.decode(errors="replace")
        raise InputError(f"{cmd[0]} failed: {stderr.strip().splitlines()[-1:]}") from err
    return done.stdout if capture else ""


def pairs_for_depth(total_length: int, depth: float, read_length: int) -> int:
    """Read pairs per haplotype giving ``depth`` in total over two haplotypes."""
    return max(1, round(depth * total_length / (2 * read_length) / 2))


def wgsim_options(pairs: int, read_length: int, seed: int) -> list[str]:
    """The options of one ``wgsim`` run: pairs, read lengths, insert size, errors, no mutations."""
    return [
        *("-N", str(pairs), "-1", str(read_length), "-2", str(read_length)),
        *("-d", str(WGSIM_OUTER_DISTANCE), "-s", str(WGSIM_STDDEV), "-e", str(WGSIM_ERROR_RATE)),
        *("-r", "0", "-R", "0", "-S", str(seed)),
    ]


def simulate_sample(
    sample: str,
    sample_index: int,
    workdir: Path,
    reference: dict[Segment, str],
    sites: Sequence[TrioSite],
    pairs: int,
    read_length: int,
    seed: int,
    svs: Sequence[PlantedSv] = (),
) -> tuple[Path, Path]:
    """Write haplotype FASTAs, run wgsim per haplotype, and gzip the pooled FASTQs."""
    fastqs: dict[int, list[Path]] = {1: [], 2: []}
    for hap in (0, 1):
        fasta = workdir / f"{sample}_h{hap + 1}.fa"
        write_haplotype_fasta(fasta, reference, sites, sample, hap, svs)
        r1 = workdir / f"{sample}_h{hap + 1}_R1.fq"
        r2 = workdir / f"{sample}_h{hap + 1}_R2.fq"
        wgsim_seed = seed + 100 + 10 * sample_index + hap
        _run(
            ["wgsim", *wgsim_options(pairs, read_length, wgsim_seed), str(fasta), str(r1), str(r2)]
        )
        fastqs[1].append(r1)
        fastqs[2].append(r2)
    outputs: list[Path] = []
    for mate in (1, 2):
        out = workdir / f"{sample}_R{mate}.fastq.gz"
        with out.open("wb") as handle:
            gz = subprocess.Popen(["gzip", "-n", "-1", "-c"], stdin=subprocess.PIPE, stdout=handle)
            assert gz.stdin is not None
            for part in fastqs[mate]:
                with part.open("rb") as fq:
                    shutil.copyfileobj(fq, gz.stdin, 1 << 20)
            gz.stdin.close()
            if gz.wait() != 0:
                raise InputError(f"gzip failed for {sample} R{mate}")
        outputs.append(out)
        for path in fastqs[mate]:
            path.unlink()
    return outputs[0], outputs[1]


def count_fastq_reads(path: Path) -> int:
    """Number of reads in a gzipped FASTQ."""
    with gzip.open(path, "rb") as handle:
        return sum(1 for _ in handle) // 4


def simulate(
    demo_dir: Path,
    outdir: Path,
    depth: float = 30.0,
    read_length: int = 150,
    seed: int = 20261122,
    threads: int = 1,
) -> dict[str, int]:
    """Simulate the demo trio.

    Returns:
        Read pairs per haplotype and the number of truth sites (keys ``pairs_per_haplotype``,
        ``truth_sites``).
    """
    paths = {key: demo_dir / rel for key, rel in DEMO_FILES.items()}
    for key, path in paths.items():
        if not path.is_file():
            raise InputError(f"{path}: missing ({key})")
    segments = read_segments(paths["segments"])
    planted = read_planted(paths["planted"])
    platinum = list(read_vcf(paths["platinum"]))
    population = list(read_vcf(paths["population"], sample_column=None))
    svs = read_planted_sv(demo_dir / PLANTED_SV)
    check_inside(svs, segments, demo_dir / PLANTED_SV)
    sites = mask_sites(build_trio(platinum, population, planted, segments, seed), svs)

    reference = load_reference(paths["reference"], segments)
    for p in planted:
        segment = next(s for s in segments if s.contains(p.pos, p.ref))
        start = p.pos - 1 - segment.start
        if reference[segment][start : start + len(p.ref)] != p.ref:
            raise InputError(f"{paths['planted']}: REF mismatch at {p.chrom}:{p.pos}")
    total_length = sum(s.end - s.start for s in segments)
    pairs = pairs_for_depth(total_length, depth, read_length)
    contigs = _fai_lengths(paths["reference"])

    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".simulate-", dir=outdir) as tmp:
        workdir = Path(tmp)
        vcf_text = workdir / "trio_truth.vcf"
        vcf_text.write_text("\n".join(truth_vcf_lines(sites, contigs, seed)) + "\n")
        _run(["bgzip", "-f", str(vcf_text)])
        _run(["tabix", "-f", "-p", "vcf", str(workdir / "trio_truth.vcf.gz")])
        jobs = [
            (sample, index, workdir, reference, sites, pairs, read_length, seed, svs)
            for index, sample in enumerate(SAMPLES)
        ]
        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            list(pool.map(lambda job: simulate_sample(*job), jobs))
        for name in [
            *(f"{s}_R{m}.fastq.gz" for s in SAMPLES for m in (1, 2)),
            "trio_truth.vcf.gz",
            "trio_truth.vcf.gz.tbi",
        ]:
            os.replace(workdir / name, outdir / name)
        for leftover in workdir.glob("*.fa"):
            leftover.unlink()
    return {"pairs_per_haplotype": pairs, "truth_sites": len(sites)}


def _fai_lengths(fasta: Path) -> dict[str, int]:
    fai = Path(f"{fasta}.fai")
    if not fai.is_file():
        _run(["samtools", "faidx", str(fasta)])
    lengths: dict[str, int] = {}
    for line in fai.read_text().splitlines():
        name, length = line.split("\t")[:2]
        lengths[name] = int(length)
    return lengths


# --------------------------------------------------------------------------- CLI


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``hurtig simulate-demo``."""
    parser = argparse.ArgumentParser(
        prog="hurtig simulate-demo",
        description="Simulate the deterministic demo trio (proband, father, mother) reads.",
    )
    parser.add_argument("--demo-dir", type=Path, required=True, help="resources/demo folder")
    parser.add_argument("--outdir", type=Path, required=True, help="output folder")
    parser.add_argument("--depth", type=float, default=30.0, help="mean depth per sample")
    parser.add_argument("--read-length", type=int, default=150, help="read length (both mates)")
    parser.add_argument("--seed", type=int, default=20261122, help="base random seed")
    parser.add_argument("--threads", type=int, default=1, help="samples simulated in parallel")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    if args.depth <= 0 or args.read_length <= 0 or args.threads <= 0:
        raise InputError("--depth, --read-length and --threads must be positive")
    if shutil.which("wgsim") is None:
        raise InputError("wgsim: not installed (it comes with samtools)")
    summary = simulate(
        args.demo_dir, args.outdir, args.depth, args.read_length, args.seed, args.threads
    )
    print(
        f"simulated {', '.join(SAMPLES)}: {summary['pairs_per_haplotype']} read pairs per "
        f"haplotype, {summary['truth_sites']} truth sites -> {args.outdir}",
        file=sys.stderr,
    )
    return 0
