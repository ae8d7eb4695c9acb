"""Candidates: the family VCF's records in a panel's regions that pass the filters.

For each record (one gene at a time, :meth:`hurtig.prioritise.calls.FamilyVcf.records`), in
order: FILTER (``pass_only``); the proband carries the ALT with enough depth, GQ and allele
balance; the gene is in the panel; the frequency filter
(:func:`hurtig.prioritise.filters.frequency_verdict`), which a lab-managed variant or a ClinVar
pathogenic/likely pathogenic one with enough stars passes; the consequence on the gene's default
transcript is one of ``keep_consequences`` (or the variant is rescued as above).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hurtig.errors import InputError
from hurtig.genes.consequences import Consequence, most_severe_per_gene, on_transcript, parse_bcsq
from hurtig.genes.hgvs import Reference, hgvs_c, hgvs_p
from hurtig.panels.model import Region, ResolvedGene, ResolvedPanel
from hurtig.prioritise.calls import FamilyVcf, Record, calls_of, info_float, info_str
from hurtig.prioritise.filters import FilterSettings, frequency_verdict
from hurtig.prioritise.genotypes import Call, FamilyVariant, Zygosity
from hurtig.prioritise.managed import ManagedKey, ManagedVariant, managed_key
from hurtig.prioritise.points import ClinvarClass, classify_clinvar
from hurtig.run.pedigree import Person


@dataclass(frozen=True)
class Candidate:
    """A record that passed the filters, before inheritance and ranking."""

    variant: FamilyVariant
    filt: str
    transcript: str
    consequence: Consequence | None
    hgvs_c: str
    hgvs_p: str
    gnomad_af: float | None
    gnomad_popmax_af: float | None
    clinvar_sig: str
    clinvar_stars: int | None
    clinvar_revstat: str
    gnomad_an: int | None = None
    inhouse_af: float | None = None
    managed: ManagedVariant | None = None
    frequency_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Annotation:
    """The INFO values the filters and the ranking read."""

    clinvar_sig: str
    clinvar_class: ClinvarClass | None
    clinvar_stars: float | None
    gnomad_af: float | None
    gnomad_popmax_af: float | None
    gnomad_an: int | None
    inhouse_af: float | None

    @classmethod
    def of(cls, variant: Record) -> _Annotation:
        clin = info_str(variant, "CLINVAR_SIG")
        an = info_float(variant, "GNOMAD_AN")
        return cls(
            clinvar_sig=clin,
            clinvar_class=classify_clinvar(clin),
            clinvar_stars=info_float(variant, "CLINVAR_STARS"),
            gnomad_af=info_float(variant, "GNOMAD_AF"),
            gnomad_popmax_af=info_float(variant, "GNOMAD_POPMAX_AF"),
            gnomad_an=None if an is None else int(an),
            inhouse_af=info_float(variant, "INHOUSE_AF"),
        )

    @property
    def pathogenic(self) -> bool:
        """ClinVar pathogenic or likely pathogenic."""
        return self.clinvar_class in (ClinvarClass.PATHOGENIC, ClinvarClass.LIKELY_PATHOGENIC)


def passes_call_quality(call: Call, filters: FilterSettings) -> bool:
    """The proband carries the ALT with enough depth, GQ and (het) allele balance."""
    if not call.carries:
        return False
    if call.dp is not None and call.dp < filters.min_depth:
        return False
    if call.gq is not None and call.gq < filters.min_gq:
        return False
    ab = call.ab
    return not (
        call.zygosity == Zygosity.HET and ab is not None and ab < filters.min_allele_balance
    )


def _frequency_notes(
    gene: ResolvedGene,
    ann: _Annotation,
    lab: ManagedVariant | None,
    filters: FilterSettings,
) -> tuple[str, ...] | None:
    """Notes on why a too-common variant is kept; ``None`` when it is dropped."""
    common, reasons = frequency_verdict(
        gene.inheritance,
        ann.gnomad_af,
        ann.gnomad_popmax_af,
        ann.gnomad_an,
        ann.inhouse_af,
        filters,
    )
    if not common:
        return ()
    stars = ann.clinvar_stars
    starred = stars is not None and stars >= float(filters.clinvar_min_stars)
    if lab is not None:
        why = f"lab-managed variant ({lab.classification.replace('_', ' ')})"
    elif ann.pathogenic and filters.keep_clinvar_pathogenic and starred:
        assert stars is not None and ann.clinvar_class is not None
        n = int(stars)
        why = f"ClinVar {ann.clinvar_class.value} with {n} star{'s' if n != 1 else ''}"
    else:
        return None
    return (f"{'; '.join(reasons)}, kept: {why} passes the frequency filter",)


def _consequence(
    path: Path, variant: Record, gene: ResolvedGene, symbol: str
) -> Consequence | None:
    """The consequence on the gene's default transcript, else the gene's most severe one.

    Raises:
        InputError: malformed BCSQ.
    """
    try:
        csqs = parse_bcsq(info_str(variant, "BCSQ") or None)
    except ValueError as err:
        raise InputError(f"{path}: {variant.CHROM}:{variant.POS}: bad BCSQ ({err})") from err
    return on_transcript(csqs, gene.model.id) or most_severe_per_gene(csqs).get(symbol)


@dataclass(frozen=True)
class _Context:
    """What every record of one collection is judged against."""

    vcf: FamilyVcf
    proband: Person
    family_idx: dict[str, int]
    panel_genes: dict[str, ResolvedGene]
    filters: FilterSettings
    reference: Reference | None
    managed: Mapping[ManagedKey, ManagedVariant]


def _candidate(ctx: _Context, gene_symbol: str, variant: Record) -> Candidate | None:
    """The record as a candidate of a panel gene, or ``None`` when a filter drops it."""
    filters = ctx.filters
    if filters.pass_only and variant.FILTER not in (None, "PASS"):
        return None
    calls = calls_of(variant, ctx.vcf.samples, ctx.vcf.format_ids)
    if not passes_call_quality(calls[ctx.vcf.samples.index(ctx.proband.sample)], filters):
        return None
    gene = ctx.panel_genes.get(gene_symbol)
    if gene is None:
        return None
    ann = _Annotation.of(variant)
    ref, alt = variant.REF, variant.ALT[0]
    lab = ctx.managed.get(managed_key(variant.CHROM, variant.POS, ref, alt))
    notes = _frequency_notes(gene, ann, lab, filters)
    if notes is None:
        return None
    rescue = (ann.pathogenic and filters.keep_clinvar_pathogenic) or lab is not None
    csq = _consequence(ctx.vcf.path, variant, gene, gene_symbol)
    term = csq.worst if csq is not None else None
    if (term is None or term.so_term not in filters.keep_consequences) and not rescue:
        return None
    tx = gene.model
    fam_calls = tuple((s, calls[i]) for s, i in ctx.family_idx.items())
    return Candidate(
        variant=FamilyVariant(variant.CHROM, variant.POS, ref, alt, gene_symbol, fam_calls),
        filt=variant.FILTER or "PASS",
        transcript=tx.id,
        consequence=csq,
        hgvs_c=hgvs_c(tx, variant.CHROM, variant.POS, ref, alt, ctx.reference),
        hgvs_p=hgvs_p(csq.aa_change, term) if csq is not None and csq.transcript == tx.id else "",
        gnomad_af=ann.gnomad_af,
        gnomad_popmax_af=ann.gnomad_popmax_af,
        clinvar_sig=ann.clinvar_sig,
        clinvar_stars=None if ann.clinvar_stars is None else int(ann.clinvar_stars),
        clinvar_revstat=info_str(variant, "CLINVAR_REVSTAT"),
        gnomad_an=ann.gnomad_an,
        inhouse_af=ann.inhouse_af,
        managed=lab,
        frequency_notes=notes,
    )


def collect_candidates(
    vcf_path: Path,
    proband: Person,
    family: Sequence[Person],
    panel: ResolvedPanel,
    regions: Sequence[Region],
    filters: FilterSettings,
    reference: Reference | None = None,
    managed: Mapping[ManagedKey, ManagedVariant] | None = None,
) -> list[Candidate]:
    """Stream the VCF over the panel regions and keep the records passing the filters.

    Args:
        vcf_path: annotated family VCF (bgzipped and indexed).
        proband: the analysed sample.
        family: the family's members.
        panel: resolved panel.
        regions: panel BED regions.
        filters: complete filter settings.
        reference: genome for HGVS 3' shifting (optional).
        managed: the lab's managed variants (:func:`hurtig.prioritise.managed.load_managed`).

    Returns:
        Candidates in VCF order.

    Raises:
        InputError: unreadable/unindexed VCF, proband not in the VCF, multi-allelic record.
    """
    vcf = FamilyVcf.open(vcf_path)
    if proband.sample not in vcf.samples:
        raise InputError(f"{vcf_path}: sample {proband.sample} not in the VCF")
    vcf.require_index()
    ctx = _Context(
        vcf=vcf,
        proband=proband,
        family_idx={
            p.sample: vcf.samples.index(p.sample) for p in family if p.sample in vcf.samples
        },
        panel_genes=panel.genes_by_symbol(),
        filters=filters,
        reference=reference,
        managed=managed or {},
    )
    out = []
    for gene, variant in vcf.records(regions):
        candidate = _candidate(ctx, gene, variant)
        if candidate is not None:
            out.append(candidate)
    vcf.close()
    return out
