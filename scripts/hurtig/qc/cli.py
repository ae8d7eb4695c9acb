"""``hurtig check-family``: the sex and relatedness checks of one family, written as JSON."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from hurtig.errors import InputError
from hurtig.qc.checks_file import CHECK_NAMES, write_checks
from hurtig.qc.family_checks import family_checks
from hurtig.run.genome_build import BUILDS
from hurtig.run.pedigree import load_pedigree


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="hurtig check-family",
        description="Sex and relatedness checks of one family (gate the clinical report).",
    )
    parser.add_argument("--samples", required=True, type=Path, help="samples.tsv")
    parser.add_argument("--family", required=True)
    parser.add_argument("--vcf", required=True, type=Path, help="family VCF (bgzip + index)")
    parser.add_argument("--fai", required=True, type=Path, help="reference .fai")
    parser.add_argument(
        "--mosdepth",
        required=True,
        nargs="+",
        metavar="SAMPLE=SUMMARY",
        help="mosdepth summary per sample, as sample=path",
    )
    parser.add_argument("--genome-build", choices=sorted(BUILDS), default="GRCh38")
    parser.add_argument("--override", nargs="*", default=[], choices=CHECK_NAMES)
    parser.add_argument("--override-reason", default="")
    parser.add_argument(
        "--not-assessable-blocks",
        action="store_true",
        help="a not-assessable check marks the reports NOT FOR CLINICAL USE like a failure "
        "(report.not_assessable_blocks)",
    )
    sites = parser.add_mutually_exclusive_group()
    sites.add_argument(
        "--sites-vcf",
        type=Path,
        help="the family genotyped at the identity sites (identity.sites): relatedness is "
        "decided from it instead of from --vcf",
    )
    sites.add_argument(
        "--no-sites",
        metavar="REASON",
        help="there is no identity site list (why): relatedness is not assessable",
    )
    parser.add_argument("--out", required=True, type=Path, help="output JSON")
    return parser.parse_args(argv)


def mosdepth_summaries(items: Sequence[str]) -> dict[str, Path]:
    """Parse ``sample=path`` arguments into a mapping."""
    summaries: dict[str, Path] = {}
    for item in items:
        sample, sep, path = item.partition("=")
        if not sep or not sample or not path:
            raise InputError(f"--mosdepth: expected sample=path, got {item!r}")
        summaries[sample] = Path(path)
    return summaries


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = parse_args(argv)
    checks = family_checks(
        load_pedigree(args.samples),
        args.family,
        args.vcf,
        args.fai,
        mosdepth_summaries(args.mosdepth),
        build=args.genome_build,
        overrides=args.override,
        override_reason=args.override_reason,
        not_assessable_blocks=args.not_assessable_blocks,
        sites_vcf=args.sites_vcf,
        no_sites_reason=args.no_sites,
    )
    write_checks(checks, args.out)
    return 0
