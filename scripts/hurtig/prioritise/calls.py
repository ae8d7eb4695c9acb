"""Read the annotated family VCF: the records in a panel's regions, with each sample's call.

The VCF is streamed with cyvcf2 one region at a time (it must be bgzipped and indexed). INFO
values are read with :func:`info_float` / :func:`info_str`, which treat a missing key, a
missing value and NaN alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from cyvcf2 import VCF

from hurtig.errors import InputError
from hurtig.panels.model import Region
from hurtig.prioritise.genotypes import Call, zygosity_of

Record = Any
"""A cyvcf2 ``Variant`` (cyvcf2 ships no type information)."""


def _int(value: object) -> int | None:
    """A non-negative integer FORMAT value, else ``None`` (missing values are negative or NaN)."""
    if not isinstance(value, int | float | str | bytes | np.integer | np.floating):
        return None
    try:
        v = int(value)
    except (TypeError, ValueError):
        return None
    return v if v >= 0 else None


def info_float(variant: Record, key: str) -> float | None:
    """A numeric INFO value (the first one of a list), ``None`` when absent or NaN."""
    try:
        value = variant.INFO.get(key)
    except KeyError:
        return None
    if value is None:
        return None
    if isinstance(value, tuple):
        value = value[0]
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def info_str(variant: Record, key: str) -> str:
    """An INFO value as text (lists joined by ``,``), empty when absent."""
    try:
        value = variant.INFO.get(key)
    except KeyError:
        return ""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _format_field(variant: Record, name: str, available: set[str]) -> np.ndarray | None:
    if name not in available:
        return None
    arr = variant.format(name)
    return None if arr is None else np.array(arr)


def calls_of(variant: Record, samples: Sequence[str], available: set[str]) -> list[Call]:
    """Each sample's :class:`Call` (GT, GQ, DP, AD) at a cyvcf2 record, in VCF sample order.

    Args:
        variant: the record (opened with ``gts012=False``).
        samples: the VCF's samples.
        available: the FORMAT ids the header declares.
    """
    gts = variant.genotypes
    gq = _format_field(variant, "GQ", available)
    dp = _format_field(variant, "DP", available)
    ad = _format_field(variant, "AD", available)
    out = []
    for i in range(len(samples)):
        alleles = [int(a) for a in gts[i][:-1]]
        sep = "|" if gts[i][-1] else "/"
        gt = sep.join("." if a < 0 else str(a) for a in alleles)
        ad_ref = ad_alt = None
        if ad is not None and ad.shape[1] >= 2:
            ad_ref, ad_alt = _int(ad[i][0]), _int(ad[i][1])
        out.append(
            Call(
                gt=gt,
                zygosity=zygosity_of(alleles),
                gq=_int(gq[i][0]) if gq is not None else None,
                dp=_int(dp[i][0]) if dp is not None else None,
                ad_ref=ad_ref,
                ad_alt=ad_alt,
            )
        )
    return out


@dataclass
class FamilyVcf:
    """An open, indexed family VCF.

    Attributes:
        path: the file.
        vcf: the cyvcf2 reader.
        samples: the VCF's samples, in file order.
        format_ids: FORMAT ids declared in the header.
    """

    path: Path
    vcf: VCF
    samples: list[str]
    format_ids: set[str]

    @classmethod
    def open(cls, path: Path) -> FamilyVcf:
        """Open a bgzipped, indexed VCF.

        Raises:
            InputError: unreadable, or no ``.tbi``/``.csi`` index.
        """
        try:
            vcf = VCF(str(path), gts012=False, lazy=True)
        except (OSError, ValueError) as err:
            raise InputError(f"{path}: cannot open VCF ({err})") from err
        fmt_ids = {
            h.info()["ID"] for h in vcf.header_iter() if h.info().get("HeaderType") == "FORMAT"
        }
        return cls(path, vcf, list(vcf.samples), fmt_ids)

    def require_index(self) -> None:
        """Refuse a VCF without an index next to it.

        Raises:
            InputError: no ``.tbi``/``.csi`` file.
        """
        name = self.path.name
        if not (
            self.path.with_name(name + ".tbi").exists()
            or self.path.with_name(name + ".csi").exists()
        ):
            raise InputError(f"{self.path}: no .tbi/.csi index")

    def records(self, regions: Sequence[Region]) -> Iterator[tuple[str, Record]]:
        """(gene, record) for records overlapping the regions, each (record, gene) once.

        Regions are visited sorted by chrom, start and end; contigs the VCF lacks are skipped.

        Raises:
            InputError: a record with several ALT alleles (the VCF must be split).
        """
        seen: set[tuple[str, int, str, str, str]] = set()
        for region in sorted(regions, key=lambda r: (r.chrom, r.start0, r.end)):
            if region.chrom not in self.vcf.seqnames:
                continue
            for variant in self.vcf(f"{region.chrom}:{region.start0 + 1}-{region.end}"):
                if variant.end <= region.start0 or region.end < variant.POS:
                    continue
                key = (variant.CHROM, variant.POS, variant.REF, ",".join(variant.ALT), region.gene)
                if key in seen:
                    continue
                seen.add(key)
                if len(variant.ALT) != 1:
                    raise InputError(
                        f"{self.path}: {variant.CHROM}:{variant.POS} has several ALT alleles; "
                        "expected bcftools norm -m -any"
                    )
                yield region.gene, variant

    def close(self) -> None:
        """Close the reader."""
        self.vcf.close()
