"""What the identity checks read from the family VCF: contig roles, usable SNVs, dosages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pysam

from hurtig.errors import InputError

_AUTOSOME = re.compile(r"^(chr)?([1-9]|1[0-9]|2[0-2])$", re.IGNORECASE)


@dataclass(frozen=True)
class Genotypes:
    """Autosomal biallelic SNV genotypes (alt allele count, None = not usable) per sample."""

    samples: tuple[str, ...]
    dosages: tuple[tuple[int | None, ...], ...] = field(default_factory=tuple)

    def of(self, sample: str) -> list[int | None]:
        """Dosages of one sample over all sites."""
        index = self.samples.index(sample)
        return [site[index] for site in self.dosages]


def sex_contigs(names: Iterable[str]) -> tuple[list[str], str | None, str | None]:
    """Split contig names into autosomes, the X contig and the Y contig (None when absent)."""
    names = list(names)
    autosomes = [n for n in names if _AUTOSOME.match(n)]
    x = next((n for n in names if n.lower() in ("chrx", "x")), None)
    y = next((n for n in names if n.lower() in ("chry", "y")), None)
    return autosomes, x, y


def open_vcf(path: Path) -> pysam.VariantFile:
    """Open a VCF/BCF with pysam; an unreadable file is an input error naming it."""
    try:
        return pysam.VariantFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot open VCF ({err})") from err


def good_snv(record: pysam.VariantRecord, min_qual: float) -> bool:
    """True for a biallelic SNV that passed the filters (or has none) with QUAL ≥ ``min_qual``."""
    alts, ref = record.alts or (), record.ref or ""
    if len(alts) != 1 or len(ref) != 1 or len(alts[0]) != 1 or alts[0] in "*.":
        return False
    filters = list(record.filter.keys())
    if filters and filters != ["PASS"]:
        return False
    return record.qual is None or record.qual >= min_qual


def read_genotypes(
    vcf: Path, samples: Sequence[str], min_depth: int = 10, min_gq: int = 20, min_qual: float = 30
) -> Genotypes:
    """Autosomal biallelic SNV dosages of the given samples from a (family) VCF.

    A genotype is usable when it is diploid, fully called, and has FORMAT/DP ≥ ``min_depth`` and
    GQ ≥ ``min_gq`` (when those fields exist); other genotypes are ``None``.
    """
    rows: list[tuple[int | None, ...]] = []
    with open_vcf(vcf) as handle:
        missing = [s for s in samples if s not in handle.header.samples]
        if missing:
            raise InputError(f"{vcf}: sample(s) {', '.join(missing)} not in the VCF")
        autosomes, _, _ = sex_contigs(str(name) for name in handle.header.contigs)
        for contig in autosomes:
            try:
                records = handle.fetch(contig)
            except ValueError:
                continue
            for record in records:
                if not good_snv(record, min_qual):
                    continue
                rows.append(tuple(_dosage(record.samples[s], min_depth, min_gq) for s in samples))
    return Genotypes(tuple(samples), tuple(rows))


def _dosage(call: Any, min_depth: int, min_gq: int) -> int | None:
    gt = call.get("GT")
    if not gt or len(gt) != 2 or any(a is None for a in gt):
        return None
    depth, gq = call.get("DP"), call.get("GQ")
    if (depth is not None and depth < min_depth) or (gq is not None and gq < min_gq):
        return None
    return sum(1 for a in gt if a > 0)
