"""SV/CNV candidates of a panel: merged family SVs that touch a panel gene's exons.

The annotated family SV VCF (``results/sv/{family}.vcf.gz``, :mod:`hurtig.sv.annotate`) is
read whole (it holds tens to thousands of records). An event becomes a candidate of a panel gene
when, by default (:class:`SvFilters`):

- FILTER is PASS (some caller passed its own filters) or at least two callers called it;
- it is at least ``min_size`` bp long;
- the proband carries it (GT with an ALT allele);
- it is not too common (:func:`hurtig.prioritise.sv_frequency.too_common`: population AF above
  ``sv_max_population_af``, or in-house AF above ``sv_max_inhouse_af`` in a database of at
  least ``sv_inhouse_min_families`` other families);
- it overlaps an exon of the gene's panel transcript (the panel stage's default transcript).

Each candidate is a :class:`SvVariant` (a :class:`~hurtig.prioritise.genotypes.FamilyVariant`
whose label describes the event), so the family's inheritance logic pairs it with the gene's
small variants (compound heterozygosity of a SNV/indel and a CNV/SV, in trans only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pysam

from hurtig.errors import InputError
from hurtig.panels.model import ResolvedGene, ResolvedPanel
from hurtig.prioritise.genotypes import Call, FamilyVariant, zygosity_of
from hurtig.prioritise.points import DEFAULT_RANKING
from hurtig.prioritise.sv_frequency import (
    SvFrequencyFacts,
    frequency_facts,
    population_name,
    too_common,
)
from hurtig.run.pedigree import Person
from hurtig.sv.annotate import exon_range, exons_overlapped

SV_NAMES: dict[str, str] = {"DEL": "deletion", "DUP": "duplication"}


@dataclass(frozen=True)
class SvFilters:
    """Default SV filters (docs/RANKING.md, "Structural and copy-number variants").

    Attributes:
        min_size: shortest event kept, bp.
        min_callers_without_pass: callers needed when no caller passed its own filters.
        frequency: the ranking weights holding the frequency thresholds (``sv_max_*``).
    """

    min_size: int = 50
    min_callers_without_pass: int = 2
    frequency: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RANKING))


@dataclass(frozen=True)
class SvVariant(FamilyVariant):
    """A merged SV with the family's calls; ``ref`` is the anchor base, ``alt`` ``<DEL>``/``<DUP>``.

    Attributes:
        description: what the event does to the gene, e.g. ``deletion of exons 6-8 of JAM2``.
    """

    description: str = ""

    @property
    def key(self) -> tuple[str, int, str, str]:
        """(chrom, pos, ref, alt|gene): one event touching two panel genes is two candidates."""
        return (self.chrom, self.pos, self.ref, f"{self.alt}|{self.gene}")

    @property
    def label(self) -> str:
        """The event's description (used in the partner variant's compound-het phrase)."""
        return self.description or super().label


@dataclass(frozen=True)
class SvCandidate:
    """An SV/CNV candidate of one panel gene.

    Attributes:
        variant: the event with the family's calls.
        svtype: ``DEL`` or ``DUP``.
        end: last affected base.
        length: affected bases.
        callers: callers that called it.
        caller_evidence: each caller's support as in the VCF INFO.
        exons: exon numbers of the panel transcript it overlaps.
        exon_count: exons of the panel transcript.
        transcript: the panel transcript.
        filt: FILTER.
        run_carriers: samples of the run carrying it (``None`` when not annotated).
        run_samples: samples in the run.
        frequency: in-house and population frequency (none when not annotated).
    """

    variant: SvVariant
    svtype: str
    end: int
    length: int
    callers: tuple[str, ...]
    caller_evidence: tuple[str, ...]
    exons: tuple[int, ...]
    exon_count: int
    transcript: str
    filt: str
    run_carriers: int | None = None
    run_samples: int | None = None
    frequency: SvFrequencyFacts = field(default_factory=SvFrequencyFacts)

    @property
    def exon_text(self) -> str:
        """``exons 6–8``, ``exon 4`` or ``all 10 exons``."""
        if len(self.exons) == self.exon_count:
            return f"all {self.exon_count} exons"
        text = exon_range(self.exons).replace("-", "–")
        return f"exon {text}" if len(self.exons) == 1 else f"exons {text}"


def size_text(length: int) -> str:
    """``≈10.0 kb`` or ``850 bp``."""
    return f"≈{length / 1000:.1f} kb" if length >= 1000 else f"{length} bp"


def _int(value: object) -> int | None:
    if value is None or isinstance(value, tuple):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


def _call(sample: pysam.libcbcf.VariantRecordSample) -> Call:
    alleles = [-1 if a is None else int(a) for a in (sample.get("GT") or ())]
    ad = sample.get("AD") if "AD" in sample else None
    ad_ref = _int(ad[0]) if ad and len(ad) > 1 else None
    ad_alt = _int(ad[1]) if ad and len(ad) > 1 else None
    gt = "/".join("." if a < 0 else str(a) for a in alleles) or "./."
    gq = _int(sample.get("GQ")) if "GQ" in sample else None
    dp = _int(sample.get("DP")) if "DP" in sample else None
    return Call(gt, zygosity_of(alleles), gq, dp, ad_ref, ad_alt)


def _info_tuple(rec: pysam.VariantRecord, key: str) -> tuple[str, ...]:
    value = rec.info.get(key)
    if value is None:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, tuple) else (str(value),)


def _candidate(
    rec: pysam.VariantRecord,
    gene: ResolvedGene,
    family: Sequence[Person],
    proband: Person,
    frequency: SvFrequencyFacts,
) -> SvCandidate | None:
    start, end = rec.pos + 1, int(rec.stop)
    exons = exons_overlapped(gene.model, start, end)
    if not exons:
        return None
    calls = tuple(
        (p.sample, _call(rec.samples[p.sample])) for p in family if p.sample in rec.samples
    )
    pcall = dict(calls).get(proband.sample)
    if pcall is None or not pcall.carries:
        return None
    svtype = str(rec.info["SVTYPE"])
    cand = SvCandidate(
        variant=SvVariant(rec.chrom, rec.pos, rec.ref or "N", f"<{svtype}>", gene.symbol, calls),
        svtype=svtype,
        end=end,
        length=end - start + 1,
        callers=_info_tuple(rec, "CALLERS"),
        caller_evidence=tuple(
            f"{key.lower()}: {' '.join(_info_tuple(rec, key))}"
            for key in ("DELLY", "TIDDIT", "CNVKIT")
            if key in rec.info
        ),
        exons=tuple(exons),
        exon_count=len(gene.model.exons),
        transcript=gene.model.id,
        filt=str(next(iter(rec.filter.keys()), "PASS")),
        run_carriers=_int(rec.info.get("RUN_CARRIERS")),
        run_samples=_int(rec.info.get("RUN_SAMPLES")),
        frequency=frequency,
    )
    what = f"{SV_NAMES.get(svtype, svtype)} of {cand.exon_text} of {gene.symbol}"
    description = f"{what} ({size_text(cand.length)})"
    return replace(cand, variant=replace(cand.variant, description=description))


def collect_sv_candidates(
    path: Path,
    proband: Person,
    family: Sequence[Person],
    panel: ResolvedPanel,
    filters: SvFilters | None = None,
) -> list[SvCandidate]:
    """The family's SVs that pass the filters and touch a panel gene's exons.

    Raises:
        InputError: unreadable VCF, or the proband not in it.
    """
    f = filters or SvFilters()
    try:
        vcf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot read the SV VCF ({err})") from err
    if proband.sample not in vcf.header.samples:
        raise InputError(f"{path}: sample {proband.sample} not in the SV VCF")
    out: list[SvCandidate] = []
    population = population_name(vcf.header)
    with vcf:
        for rec in vcf:
            passed = "PASS" in rec.filter or len(rec.filter) == 0
            callers = _int(rec.info.get("NCALLERS")) or 0
            if not passed and callers < f.min_callers_without_pass:
                continue
            if int(rec.stop) - rec.pos < f.min_size:
                continue
            frequency = frequency_facts(rec, population)
            if too_common(frequency, f.frequency):
                continue
            for gene in panel.genes_by_symbol().values():
                if gene.chrom != rec.chrom:
                    continue
                cand = _candidate(rec, gene, family, proband, frequency)
                if cand is not None:
                    out.append(cand)
    return out
