r"""Reads of a person unrelated to the demo trio, for sample-identity tests (a swapped parent).

Both haplotypes are drawn from the real HapMap 3.3 allele frequencies of the demo's population
file (one draw per site and haplotype, seeds ``seed + 5`` and ``seed + 6``), so the person shares
with the trio only what the population shares; reads are simulated exactly as for the trio
(:func:`hurtig.devtools.simulate_reads.simulate_sample`, same depth, read length and ``wgsim``
settings).

CLI::

    hurtig simulate-unrelated --demo-dir resources/demo --outdir DIR [--depth 30] [--seed 20261122]

writes ``DIR/unrelated_R1.fastq.gz`` and ``DIR/unrelated_R2.fastq.gz``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hurtig.devtools.simulate_reads import (
    DEMO_FILES,
    load_reference,
    pairs_for_depth,
    simulate_sample,
)
from hurtig.devtools.trio_truth import (
    Segment,
    TrioSite,
    VcfRecord,
    draw_allele,
    read_segments,
    read_vcf,
)
from hurtig.errors import InputError

SAMPLE = "unrelated"
"""Sample name of the simulated person (and the prefix of the FASTQ files)."""
SAMPLE_INDEX = 3
"""Index after the trio's three samples: the ``wgsim`` seeds differ from theirs."""


def unrelated_sites(
    population: Sequence[VcfRecord], segments: Sequence[Segment], seed: int
) -> list[TrioSite]:
    """Sites where the unrelated person carries a population ALT allele on either haplotype.

    Population records outside real sequence, without one ``AF`` per ALT, or overlapping an
    earlier record are skipped.
    """
    rngs = (random.Random(seed + 5), random.Random(seed + 6))
    sites: list[TrioSite] = []
    last_end = 0
    for record in sorted(population, key=lambda r: (r.chrom, r.pos, r.end)):
        inside = any(
            s.chrom == record.chrom and s.contains(record.pos, record.ref) for s in segments
        )
        if not inside or len(record.af) != len(record.alts) or record.pos <= last_end:
            continue
        last_end = record.end
        alleles = (draw_allele(record.af, rngs[0]), draw_allele(record.af, rngs[1]))
        if any(alleles):
            genotypes = {SAMPLE: alleles}
            sites.append(
                TrioSite(record.chrom, record.pos, record.ref, record.alts, genotypes, "population")
            )
    return sites


def simulate_unrelated(
    demo_dir: Path, outdir: Path, depth: float = 30.0, read_length: int = 150, seed: int = 20261122
) -> tuple[Path, Path]:
    """Simulate the unrelated person's reads into ``outdir`` (files appear complete or not at all).

    Raises:
        InputError: a demo file is missing.
    """
    paths = {key: demo_dir / DEMO_FILES[key] for key in ("reference", "segments", "population")}
    for key, path in paths.items():
        if not path.is_file():
            raise InputError(f"{path}: missing ({key})")
    segments = read_segments(paths["segments"])
    sites = unrelated_sites(list(read_vcf(paths["population"], None)), segments, seed)
    reference = load_reference(paths["reference"], segments)
    pairs = pairs_for_depth(sum(s.end - s.start for s in segments), depth, read_length)
    outdir.mkdir(parents=True, exist_ok=True)
    outputs = []
    with tempfile.TemporaryDirectory(prefix=".simulate-", dir=outdir) as tmp:
        fastqs = simulate_sample(
            SAMPLE, SAMPLE_INDEX, Path(tmp), reference, sites, pairs, read_length, seed
        )
        for fastq in fastqs:
            os.replace(fastq, outdir / fastq.name)
            outputs.append(outdir / fastq.name)
    return outputs[0], outputs[1]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hurtig simulate-unrelated``."""
    parser = argparse.ArgumentParser(
        prog="hurtig simulate-unrelated",
        description="Simulate reads of a person unrelated to the demo trio (identity tests).",
    )
    parser.add_argument("--demo-dir", type=Path, required=True, help="resources/demo folder")
    parser.add_argument("--outdir", type=Path, required=True, help="output folder")
    parser.add_argument("--depth", type=float, default=30.0, help="mean depth")
    parser.add_argument("--read-length", type=int, default=150, help="read length (both mates)")
    parser.add_argument("--seed", type=int, default=20261122, help="base random seed")
    args = parser.parse_args(argv)
    if args.depth <= 0 or args.read_length <= 0:
        raise InputError("--depth and --read-length must be positive")
    r1, r2 = simulate_unrelated(args.demo_dir, args.outdir, args.depth, args.read_length, args.seed)
    print(f"simulated {SAMPLE}: {r1}, {r2}", file=sys.stderr)
    return 0
