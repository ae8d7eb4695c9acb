"""Rank a panel's variants: filter, assess inheritance over the family, score, sort.

:func:`prioritise` is the whole computation of ``hurtig prioritise`` between reading its
inputs and writing :class:`hurtig.prioritise.results.PrioritisedResults`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from hurtig.genes.hgvs import Reference
from hurtig.panels.model import Region, ResolvedGene, ResolvedPanel
from hurtig.phenotype.scores_file import PhenotypeScores
from hurtig.prioritise.candidates import Candidate, collect_candidates
from hurtig.prioritise.filters import FilterSettings
from hurtig.prioritise.genotypes import Call, Zygosity
from hurtig.prioritise.inheritance import (
    InheritanceCall,
    InheritanceSettings,
    assess_family,
    panel_fit,
)
from hurtig.prioritise.managed import ManagedKey, ManagedVariant
from hurtig.prioritise.members import MemberCall, member_calls, member_cells
from hurtig.prioritise.phenotype_evidence import phenotype_evidence
from hurtig.prioritise.points import VariantFacts, evidence_for, explanation, score, sort_key
from hurtig.prioritise.results import PrioritisedVariant
from hurtig.prioritise.settings import PrioritisationSettings
from hurtig.prioritise.sv_candidates import SvFilters, collect_sv_candidates
from hurtig.prioritise.sv_ranking import ranked_sv, small_variant_type
from hurtig.run.genome_build import GenomeBuild, genome_build
from hurtig.run.pedigree import Pedigree


def inheritance_settings(filters: FilterSettings, build: GenomeBuild) -> InheritanceSettings:
    """The inheritance thresholds the filter settings hold, with the genome build."""
    return InheritanceSettings(
        parent_min_gq=int(filters.parent_min_gq),
        parent_min_dp=int(filters.parent_min_depth),
        min_ab=float(filters.de_novo_min_allele_balance),
        build=build,
    )


def _facts(
    c: Candidate,
    gene: ResolvedGene,
    pcall: Call,
    inh: InheritanceCall,
    filters: FilterSettings,
) -> VariantFacts:
    """What the points model looks at for one candidate."""
    fit, fit_text = panel_fit(inh, gene.inheritance)
    return VariantFacts(
        gene=c.variant.gene,
        consequence=c.consequence.worst if c.consequence else None,
        hgvs_c=c.hgvs_c,
        hgvs_p=c.hgvs_p,
        clinvar_sig=c.clinvar_sig,
        clinvar_stars=c.clinvar_stars,
        clinvar_revstat=c.clinvar_revstat,
        gnomad_af=c.gnomad_af,
        gnomad_popmax_af=c.gnomad_popmax_af,
        gnomad_an=c.gnomad_an,
        min_an=int(filters.min_an),
        inhouse_af=c.inhouse_af,
        managed_class=c.managed.classification if c.managed else "",
        managed_comment=c.managed.comment if c.managed else "",
        frequency_notes=c.frequency_notes,
        inheritance=inh,
        fit=fit,
        fit_text=fit_text,
        depth=pcall.dp,
        gq=pcall.gq,
        ab=pcall.ab,
        is_het=pcall.zygosity == Zygosity.HET,
    )


def _ranked(
    c: Candidate,
    panel: ResolvedPanel,
    genes: Mapping[str, ResolvedGene],
    sample: str,
    inh: InheritanceCall,
    settings: PrioritisationSettings,
    phenotype: PhenotypeScores | None = None,
    members: tuple[MemberCall, ...] = (),
) -> PrioritisedVariant:
    """A candidate scored (rank 0: set when sorted), with the family members' calls."""
    v = c.variant
    gene = genes[v.gene]
    pcall = v.call(sample)
    assert pcall is not None
    facts = _facts(c, gene, pcall, inh, settings.filters)
    items = evidence_for(facts, settings.ranking)
    items += tuple(phenotype_evidence(v.gene, phenotype, settings.ranking))
    return PrioritisedVariant(
        rank=0,
        chrom=v.chrom,
        pos=v.pos,
        ref=v.ref,
        alt=v.alt,
        gene=v.gene,
        transcript=c.transcript,
        hgvs_c=c.hgvs_c,
        hgvs_p=c.hgvs_p,
        consequence=c.consequence.so_terms if c.consequence else "",
        genotype=pcall.gt,
        depth=pcall.dp,
        allele_balance=None if pcall.ab is None else round(pcall.ab, 3),
        gnomad_af=c.gnomad_af,
        clinvar=c.clinvar_sig,
        inheritance=inh.label,
        score=score(items),
        explanation=explanation(items),
        gq=pcall.gq,
        gnomad_popmax_af=c.gnomad_popmax_af,
        clinvar_stars=c.clinvar_stars,
        family_genotypes=";".join(f"{s}={call.gt}" for s, call in v.calls),
        panel_inheritance="/".join(gene.inheritance),
        panel_id=panel.id,
        panel_version=panel.version,
        gnomad_an=c.gnomad_an,
        inhouse_af=c.inhouse_af,
        managed=c.managed.classification if c.managed else "",
        evidence=items,
        members=members,
        **member_cells(members),
        variant_type=small_variant_type(v.ref, v.alt),
    )


def prioritise(
    vcf_path: Path,
    pedigree: Pedigree,
    sample: str,
    panel: ResolvedPanel,
    regions: Sequence[Region],
    settings: PrioritisationSettings,
    reference: Reference | None = None,
    managed: Mapping[ManagedKey, ManagedVariant] | None = None,
    build: GenomeBuild | None = None,
    phenotype: PhenotypeScores | None = None,
    sv_vcf: Path | None = None,
    cnr: Mapping[str, Path] | None = None,
) -> list[PrioritisedVariant]:
    """Filter, assess inheritance, score and sort.

    Args:
        vcf_path: annotated family VCF.
        pedigree: sample sheet.
        sample: proband.
        panel: resolved panel.
        regions: panel BED regions.
        settings: filters and ranking weights.
        reference: genome for HGVS (optional).
        managed: the lab's managed variants.
        build: the genome build (default GRCh38): its chrX PARs are autosomal.
        phenotype: the sample's gene phenotype scores (``None``: no phenotype evidence).
        sv_vcf: the family's annotated SV VCF: its SVs/CNVs in panel exons are ranked too.
        cnr: CNVkit bins per sample, for the SVs' depth profiles.

    Returns:
        The ranked variants, best first (rank 1).

    Raises:
        InputError: as :func:`hurtig.prioritise.candidates.collect_candidates`.
    """
    proband = pedigree.person(sample)
    family = pedigree.family(proband.family)
    cands = collect_candidates(
        vcf_path, proband, family, panel, regions, settings.filters, reference, managed
    )
    sv_filters = SvFilters(frequency=settings.ranking)
    svs = collect_sv_candidates(sv_vcf, proband, family, panel, sv_filters) if sv_vcf else []
    inh_settings = inheritance_settings(settings.filters, build or genome_build(None))
    variants = [c.variant for c in cands] + [s.variant for s in svs]
    calls = assess_family(variants, proband, pedigree, inh_settings)
    genes = panel.genes_by_symbol()
    scored = [
        _ranked(
            c,
            panel,
            genes,
            sample,
            calls[c.variant.key],
            settings,
            phenotype,
            member_calls(c.variant, proband, pedigree),
        )
        for c in cands
    ]
    scored += [
        ranked_sv(
            s,
            panel,
            sample,
            calls[s.variant.key],
            settings,
            cnr or {},
            phenotype,
            member_calls(s.variant, proband, pedigree),
        )
        for s in svs
    ]
    scored.sort(key=lambda r: sort_key(r.score, r.chrom, r.pos, r.ref, r.alt))
    return [replace(r, rank=rank) for rank, r in enumerate(scored, start=1)]
