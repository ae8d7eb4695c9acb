"""Structural-variant calls of the three callers, read into one shape (:class:`SvCall`).

- Delly (``delly call``, joint over the family: one BCF, every sample genotyped): split reads
  and discordant pairs. ``POS`` is the base before the event, ``END`` its last base.
- TIDDIT (``tiddit --sv``, one VCF per sample): discordant pairs and split reads.
- CNVkit (``cnvkit batch -m wgs``, one ``.call.cns`` per sample): read depth; a segment with
  an integer copy number other than 2 (at least :data:`CNVKIT_MIN_BINS` bins) is a call.

Only deletions and duplications are read (Delly/TIDDIT inversions and translocations are
outside this version's scope). Coordinates are 1-based inclusive (first to last affected base).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pysam

from hurtig.errors import InputError

CALLERS: tuple[str, ...] = ("delly", "tiddit", "cnvkit")
"""Callers, most precise breakpoints first (the merged event takes the first one's)."""

CNVKIT_MIN_BINS = 3
"""CNVkit segments with fewer bins are not calls."""

SV_TYPES: frozenset[str] = frozenset({"DEL", "DUP"})


@dataclass(frozen=True)
class SampleSv:
    """One sample's genotype for one caller's event.

    Attributes:
        gt: ``0/1``, ``1/1``, ``0/0`` or ``./.``.
        gq: genotype quality, when the caller gives one.
        ref_reads: reads supporting the reference (pairs + split reads), when given.
        alt_reads: reads supporting the event, when given.
        cn: copy number (CNVkit, TIDDIT), when given.
        log2: CNVkit log2 ratio, when given.
    """

    gt: str
    gq: int | None = None
    ref_reads: int | None = None
    alt_reads: int | None = None
    cn: int | None = None
    log2: float | None = None

    @property
    def carries(self) -> bool:
        """True when the genotype holds the event."""
        return "1" in self.gt.replace("|", "/").split("/")


@dataclass(frozen=True)
class SvCall:
    """One caller's event with the genotypes of the samples it looked at.

    Attributes:
        caller: ``delly``, ``tiddit`` or ``cnvkit``.
        chrom: chromosome.
        start: first affected base (1-based).
        end: last affected base.
        svtype: ``DEL`` or ``DUP``.
        ident: the caller's record id.
        passed: FILTER is PASS (CNVkit: always).
        qual: QUAL, when given.
        evidence: the caller's support, e.g. ``PE=23,SR=20``.
        samples: sample → genotype.
    """

    caller: str
    chrom: str
    start: int
    end: int
    svtype: str
    ident: str
    passed: bool
    qual: float | None
    evidence: str
    samples: dict[str, SampleSv] = field(hash=False)

    @property
    def length(self) -> int:
        """Affected bases."""
        return self.end - self.start + 1


def _gt(record: Any, sample: str) -> str:
    alleles = record.samples[sample].get("GT") or ()
    return "/".join("." if a is None else str(a) for a in alleles) or "./."


def _fmt_int(record: Any, sample: str, key: str) -> int | None:
    value = record.samples[sample].get(key) if key in record.format else None
    if isinstance(value, tuple):
        value = sum(v for v in value if v is not None) if value else None
    return None if value is None else int(value)


def _svtype(record: Any) -> str:
    svtype = str(record.info.get("SVTYPE", ""))
    alt = (record.alts or ("",))[0]
    if not svtype and alt.startswith("<"):
        svtype = alt.strip("<>")
    return svtype.split(":")[0]


def read_delly(path: Path) -> Iterator[SvCall]:
    """Deletions and duplications of a Delly BCF/VCF (every sample genotyped).

    Raises:
        InputError: unreadable file.
    """
    try:
        vcf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot read Delly calls ({err})") from err
    with vcf:
        for rec in vcf:
            if _svtype(rec) not in SV_TYPES:
                continue
            samples = {}
            for s in map(str, rec.samples):
                pe_ref, sr_ref = _fmt_int(rec, s, "DR"), _fmt_int(rec, s, "RR")
                pe_alt, sr_alt = _fmt_int(rec, s, "DV"), _fmt_int(rec, s, "RV")
                samples[s] = SampleSv(
                    _gt(rec, s),
                    _fmt_int(rec, s, "GQ"),
                    (pe_ref or 0) + (sr_ref or 0),
                    (pe_alt or 0) + (sr_alt or 0),
                )
            yield SvCall(
                "delly",
                rec.chrom,
                rec.pos + 1,
                int(rec.stop),
                _svtype(rec),
                rec.id or ".",
                "PASS" in rec.filter,
                rec.qual,
                f"PE={rec.info.get('PE', 0)},SR={rec.info.get('SR', 0)}",
                samples,
            )


def read_tiddit(path: Path, sample: str) -> Iterator[SvCall]:
    """Deletions and (tandem) duplications of one sample's TIDDIT VCF.

    Raises:
        InputError: unreadable file.
    """
    try:
        vcf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot read TIDDIT calls ({err})") from err
    with vcf:
        column = next(iter(vcf.header.samples), None)
        for rec in vcf:
            svtype = _svtype(rec)
            if svtype not in SV_TYPES or column is None:
                continue
            pairs, splits = _fmt_int(rec, column, "DV"), _fmt_int(rec, column, "RV")
            yield SvCall(
                "tiddit",
                rec.chrom,
                rec.pos,
                int(rec.stop),
                svtype,
                rec.id or ".",
                "PASS" in rec.filter,
                rec.qual,
                f"pairs={pairs or 0},split={splits or 0}",
                {
                    sample: SampleSv(
                        _gt(rec, column),
                        None,
                        (_fmt_int(rec, column, "DR") or 0) + (_fmt_int(rec, column, "RR") or 0),
                        (pairs or 0) + (splits or 0),
                        _fmt_int(rec, column, "CN"),
                    )
                },
            )


def read_cnvkit(path: Path, sample: str) -> Iterator[SvCall]:
    """CNVkit ``.call.cns`` segments with a copy number other than 2 (autosomes).

    Raises:
        InputError: unreadable file or a missing column.
    """
    try:
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
    except OSError as err:
        raise InputError(f"{path}: cannot read CNVkit calls ({err})") from err
    for n, row in enumerate(rows, start=1):
        try:
            cn, bins, log2 = int(row["cn"]), int(row["probes"]), float(row["log2"])
            start, end = int(row["start"]) + 1, int(row["end"])
        except (KeyError, ValueError) as err:
            raise InputError(f"{path}: segment {n}: bad or missing cn/probes/log2") from err
        chrom = row["chromosome"]
        if cn == 2 or bins < CNVKIT_MIN_BINS or chrom.removeprefix("chr") in ("X", "Y", "M"):
            continue
        gt = "1/1" if cn == 0 else "0/1"
        yield SvCall(
            "cnvkit",
            chrom,
            start,
            end,
            "DEL" if cn < 2 else "DUP",
            f"{sample}_{n}",
            True,
            None,
            f"log2={log2:.2f},bins={bins}",
            {sample: SampleSv(gt, None, None, None, cn, round(log2, 3))},
        )
