"""Small VCFs built inside a test: samples, genotypes, AD/DP/GQ, INFO, FILTER and header lines.

Built on fgpyo's ``VariantBuilder`` (so records are real ``pysam.VariantRecord`` objects and the
file is written by htslib), with what our tests need on top: genotypes written as text
(``"0/1"``, ``"1|0"``, ``"./."``), INFO, FORMAT and FILTER ids declared in the header on first
use, a compact contig list, and plain or bgzipped + tabix-indexed output chosen by the file name::

    vcf = VcfBuilder(samples=["kid", "mum"], contigs={"chr1": 10_000})
    vcf.add("chr1", 100, "A", "G", calls={"kid": Call("0/1", ad=(6, 5), gq=99), "mum": "0/0"})
    vcf.add("chr1", 200, "C", "T", info={"CLNSIG": "Pathogenic"}, filters="LowQual")
    path = vcf.to_path(tmp_path / "calls.vcf.gz")  # bgzipped and indexed; ".vcf" writes plain text
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pysam
from fgpyo.vcf.builder import VariantBuilder

DEFAULT_CONTIGS: Mapping[str, int] = {"chr1": 1_000_000}
# Header types for values whose type is inferred on first use.
_TYPES: tuple[tuple[type, str], ...] = ((bool, "Flag"), (int, "Integer"), (float, "Float"))
# fgpyo declares these FORMAT fields itself.
_FORMAT_DECLARED = ("GT", "AD", "AF", "DP")
_ALLELE = re.compile(r"[|/]")


def parse_genotype(text: str) -> tuple[tuple[int | None, ...], bool]:
    """Allele indexes and phase of a VCF genotype: ``"1|0"`` -> ``((1, 0), True)``.

    Args:
        text: a VCF GT value such as ``0/1``, ``1|0``, ``./.`` or the haploid ``1``.

    Returns:
        The allele indexes (None for a missing allele) and whether the genotype is phased.
    """
    alleles = tuple(None if a == "." else int(a) for a in _ALLELE.split(text))
    return alleles, "|" in text


@dataclass(frozen=True)
class Call:
    """One sample's FORMAT values in one record; only the given fields are written.

    Attributes:
        gt: the genotype as written in a VCF (``0/1``, ``1|0``, ``./.``).
        ad: allelic depths, reference first (FORMAT AD).
        dp: read depth (FORMAT DP).
        gq: genotype quality (FORMAT GQ).
        other: further FORMAT fields by id (declared as Number=1, or ``.`` for sequences).
    """

    gt: str | None = None
    ad: Sequence[int] | None = None
    dp: int | None = None
    gq: int | None = None
    other: Mapping[str, object] = field(default_factory=dict)

    def fields(self) -> dict[str, object]:
        """The FORMAT fields of this call, GT first, without the phase."""
        values: dict[str, object] = {}
        if self.gt is not None:
            values["GT"] = parse_genotype(self.gt)[0]
        for key, value in (("AD", self.ad), ("DP", self.dp), ("GQ", self.gq)):
            if value is not None:
                values[key] = tuple(value) if isinstance(value, Sequence) else value
        values.update(self.other)
        return values


def _header_type(value: object) -> tuple[str, str]:
    """(Number, Type) of a header line for a value: scalars are Number=1, sequences Number=.."""
    if isinstance(value, str | bool | int | float):
        number, sample = "1", value
    else:
        number, sample = ".", next(iter(value)) if isinstance(value, Iterable) else ""
    for kind, name in _TYPES:
        if isinstance(sample, kind):
            return ("0" if name == "Flag" else number), name
    return number, "String"


class VcfBuilder:
    """Accumulates records for one VCF and writes it, sorted, as plain text or bgzip + tabix."""

    def __init__(
        self,
        samples: Sequence[str] = (),
        contigs: Mapping[str, int] = DEFAULT_CONTIGS,
        header_lines: Iterable[str] = (),
    ) -> None:
        """Start a VCF.

        Args:
            samples: the sample columns, in order (none: a sites-only VCF such as gnomAD).
            contigs: contig name to length, in reference order (the ``##contig`` lines).
            header_lines: further ``##`` lines, e.g. an INFO line with a real description.
        """
        sd = {name: {"ID": name, "length": length} for name, length in contigs.items()}
        self._builder = VariantBuilder(sample_ids=list(samples) or None, sd=sd)
        self._declared: set[tuple[str, str]] = {("FORMAT", key) for key in _FORMAT_DECLARED}
        self._declared |= {("INFO", key) for key in ("AF", "AR", "DP")} | {("FILTER", "PASS")}
        for line in header_lines:
            self.add_header_line(line)

    @property
    def header(self) -> pysam.VariantHeader:
        """The pysam header as built so far."""
        return self._builder.header

    def add_header_line(self, line: str) -> None:
        """Add a ``##`` header line; an INFO/FORMAT/FILTER line declares its id."""
        match = re.match(r"##(INFO|FORMAT|FILTER)=<ID=([^,>]+)", line)
        if match:
            self._declared.add((match[1], match[2]))
        self._builder.add_header_line(line)

    def _declare(self, section: str, key: str, value: object = None) -> None:
        """Declare an INFO/FORMAT/FILTER id on its first use, typed from the value."""
        if (section, key) in self._declared:
            return
        if section == "FILTER":
            self.add_header_line(f'##FILTER=<ID={key},Description="{key}">')
            return
        number, kind = _header_type(value)
        description = f"{key} (declared by the test builder)"
        self.add_header_line(
            f'##{section}=<ID={key},Number={number},Type={kind},Description="{description}">'
        )

    def add(
        self,
        contig: str,
        pos: int,
        ref: str = "A",
        alt: str | Sequence[str] = "T",
        *,
        calls: Mapping[str, str | Call] | None = None,
        info: Mapping[str, object] | None = None,
        filters: str | Sequence[str] | None = None,
        id: str = ".",
        qual: int = 60,
    ) -> pysam.VariantRecord:
        """Add one record.

        Args:
            contig: the contig, one of the builder's contigs.
            pos: the 1-based position of the first reference base.
            ref: the reference allele.
            alt: the alternate allele, several (``("C", "T")``), or ``"."`` for a reference-only
                site.
            calls: per sample, a genotype text (``"0/1"``) or a :class:`Call`; samples not
                named are written as missing.
            info: INFO values by id (``True`` writes a flag); undeclared ids are declared.
            filters: FILTER ids (``"PASS"``, ``"LowQual"``); None writes ``.``.
            id: the ID column.
            qual: the QUAL column.

        Returns:
            The record (a ``pysam.VariantRecord``), for further changes.
        """
        given = {s: c if isinstance(c, Call) else Call(c) for s, c in (calls or {}).items()}
        formats = {sample: call.fields() for sample, call in given.items()}
        for values in formats.values():
            for key, value in values.items():
                self._declare("FORMAT", key, value)
        for key, value in (info or {}).items():
            self._declare("INFO", key, value)
        for name in [filters] if isinstance(filters, str) else filters or ():
            self._declare("FILTER", name)
        record = self._builder.add(
            contig=contig,
            pos=pos,
            id=id,
            ref=ref,
            alts=alt,
            qual=qual,
            filter=filters,
            info=dict(info) if info else None,
            samples=formats or None,
        )
        for sample, call in given.items():
            if call.gt is not None and parse_genotype(call.gt)[1]:
                record.samples[sample].phased = True
        return record

    def records(self) -> list[pysam.VariantRecord]:
        """The records in reference order (contig order, then position)."""
        return self._builder.to_sorted_list()

    def to_path(self, path: Path) -> Path:
        """Write the VCF; a name ending in ``.gz`` is bgzipped and tabix-indexed (``.tbi``).

        Args:
            path: the output file (``*.vcf`` or ``*.vcf.gz``).

        Returns:
            The path written.
        """
        return self._builder.to_path(path)
