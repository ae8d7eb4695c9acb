"""``hurtig annotate``: consequences, gnomAD, ClinVar, in-house frequencies and scores of a VCF.

Usage::

    hurtig annotate --vcf IN.vcf.gz --out OUT.vcf.gz \
        [--fasta REF.fa --gff3 GENES.gff3.gz] [--gnomad G.vcf.gz] [--clinvar C.vcf.gz] \
        [--inhouse DB.sqlite [--inhouse-exclude S1 S2]] [--scores scores.json] \
        [--cache-dir DIR] [--contig-map chr21=21 ...] [--threads N]

The options are parsed here; the work is :func:`hurtig.annotation.engine.annotate`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from hurtig.annotation.contigs import parse_contig_map
from hurtig.annotation.engine import annotate
from hurtig.annotation.inhouse_db import connect
from hurtig.annotation.registry import add_source_options
from hurtig.annotation.source import DEFAULT_SEEK_RECORDS, SourceSpec
from hurtig.annotation.sources.scores import score_specs


def parser() -> argparse.ArgumentParser:
    """The options of ``hurtig annotate``."""
    ap = argparse.ArgumentParser(
        prog="hurtig annotate",
        description="Add consequences (bcftools csq), gnomAD, ClinVar, in-house and score INFO "
        "keys to a normalised VCF.",
    )
    ap.add_argument("--vcf", required=True, help="input VCF/BCF, one ALT per record, sorted")
    ap.add_argument("--out", required=True, help="output .vcf.gz (a .tbi is written too)")
    ap.add_argument("--fasta", help="reference FASTA (for bcftools csq)")
    ap.add_argument("--gff3", help="Ensembl GFF3: add BCSQ consequences with bcftools csq -l")
    add_source_options(ap)
    ap.add_argument("--inhouse", help="in-house frequency database (hurtig inhouse)")
    ap.add_argument(
        "--inhouse-exclude",
        nargs="*",
        default=[],
        metavar="SAMPLE",
        help="samples not counted in the in-house frequencies (the family being annotated)",
    )
    ap.add_argument(
        "--contig-map",
        nargs="*",
        default=[],
        metavar="INPUT=SOURCE",
        help="contig renames for the sources (e.g. chr21=21), or a two-column file",
    )
    ap.add_argument(
        "--seek-records",
        type=int,
        default=DEFAULT_SEEK_RECORDS,
        help="re-open a source via its index when reading through would skip more records",
    )
    ap.add_argument(
        "--cache-dir",
        help="prepared sources (hurtig prepare-source --out DIR): read gnomAD, ClinVar "
        "and scores from their caches",
    )
    ap.add_argument("--threads", type=int, default=1, help="parallel shard workers")
    ap.add_argument("--compress-level", type=int, default=1, help="output BGZF level 0-9")
    return ap


def extra_specs(args: argparse.Namespace) -> list[SourceSpec]:
    """The sources after gnomAD and ClinVar: the scores, then the in-house database.

    A missing in-house database is created empty first (the first run of a site).
    """
    extra: list[SourceSpec] = []
    if args.scores:
        extra += score_specs(args.scores)
    if args.inhouse:
        if not Path(args.inhouse).exists():  # first run: an empty database
            connect(args.inhouse).close()
        extra.append(
            SourceSpec("inhouse", args.inhouse, (("exclude", tuple(args.inhouse_exclude)),))
        )
    return extra


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point of ``hurtig annotate``."""
    args = parser().parse_args(argv)
    counts = annotate(
        args.vcf,
        args.out,
        gnomad=args.gnomad,
        clinvar=args.clinvar,
        contig_map=parse_contig_map(args.contig_map),
        seek_records=args.seek_records,
        extra=extra_specs(args),
        fasta=args.fasta,
        gff3=args.gff3,
        threads=args.threads,
        compress_level=args.compress_level,
        cache_dir=args.cache_dir,
    )
    summary = ", ".join(f"{k}={v}" for k, v in counts.items())
    print(f"hurtig annotate: {summary}", file=sys.stderr)
    return 0
