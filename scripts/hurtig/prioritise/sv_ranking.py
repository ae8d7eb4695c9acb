"""Score SV/CNV candidates with the points model and explain them like the small variants.

Evidence (weights from ``settings["ranking"]``, docs/RANKING.md):

- consequence: a deletion of exons is ``impact_high``, a duplication of exons
  ``impact_moderate`` ("heterozygous deletion of exons 6–8 of JAM2 (≈10.0 kb)");
- frequency: the run's count is shown and an event no other family of the run carries earns
  ``sv_run_unique``; the in-house SV database and the SV population file as
  :mod:`hurtig.prioritise.sv_frequency` says (nothing is claimed from a source not configured);
- callers: seen by two callers earns ``sv_two_callers``, by all three ``sv_three_callers``
  (split reads/pairs and read depth agree); one caller only is ``low_quality``;
- inheritance: the family's patterns (de novo, homozygous, compound heterozygous with a small
  variant, in trans only) and the panel fit, as for small variants.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from hurtig.panels.model import ResolvedGene, ResolvedPanel
from hurtig.phenotype.scores_file import PhenotypeScores
from hurtig.prioritise.genotypes import Zygosity
from hurtig.prioritise.inheritance import InheritanceCall, panel_fit
from hurtig.prioritise.members import MemberCall, member_cells
from hurtig.prioritise.phenotype_evidence import phenotype_evidence
from hurtig.prioritise.points import Evidence, VariantFacts, evidence_for, explanation, score
from hurtig.prioritise.results import PrioritisedVariant
from hurtig.prioritise.settings import PrioritisationSettings
from hurtig.prioritise.sv_candidates import SV_NAMES, SvCandidate, size_text
from hurtig.prioritise.sv_frequency import frequency_evidence
from hurtig.sv.annotate import exon_range
from hurtig.sv.depth import depth_profiles

CALLER_NAMES: dict[str, str] = {"delly": "Delly", "tiddit": "TIDDIT", "cnvkit": "CNVkit"}
SV_CONSEQUENCE: dict[str, str] = {"DEL": "exon_loss_variant", "DUP": "duplication"}


def _zygosity_word(z: Zygosity) -> str:
    return {Zygosity.HOM_ALT: "homozygous", Zygosity.HEMI: "hemizygous"}.get(z, "heterozygous")


def sv_evidence(
    c: SvCandidate,
    zygosity: Zygosity,
    inh: InheritanceCall,
    gene: ResolvedGene,
    w: Mapping[str, float],
) -> tuple[Evidence, ...]:
    """The scored evidence of one SV/CNV candidate."""
    what = f"{_zygosity_word(zygosity)} {c.variant.label}"
    impact = "impact_high" if c.svtype == "DEL" else "impact_moderate"
    items = [Evidence("consequence", w[impact], f"{what} on {c.transcript}")]
    others = None if c.run_carriers is None else c.run_carriers - _family_carriers(c)
    run = (
        f"in this run: {c.run_carriers} of {c.run_samples} samples"
        if c.run_carriers is not None
        else "run count not annotated"
    )
    if others == 0:
        items.append(
            Evidence("frequency", w["sv_run_unique"], f"no other family of the run; {run}")
        )
    else:
        items.append(Evidence("frequency", 0, run))
    items += frequency_evidence(c.frequency, w)
    names = ", ".join(CALLER_NAMES.get(x, x) for x in c.callers)
    n = len(c.callers)
    if n >= 3:
        items.append(Evidence("quality", w["sv_three_callers"], f"seen by {n} callers ({names})"))
    elif n == 2:
        items.append(Evidence("quality", w["sv_two_callers"], f"seen by 2 callers ({names})"))
    else:
        items.append(Evidence("quality", w["low_quality"], f"seen by 1 caller only ({names})"))
    fit, fit_text = panel_fit(inh, gene.inheritance)
    facts = VariantFacts(
        gene=gene.symbol, consequence=None, inheritance=inh, fit=fit, fit_text=fit_text
    )
    items += [e for e in evidence_for(facts, w) if e.category == "inheritance"]
    return tuple(items)


def _family_carriers(c: SvCandidate) -> int:
    return sum(1 for _, call in c.variant.calls if call.carries)


def ranked_sv(
    c: SvCandidate,
    panel: ResolvedPanel,
    sample: str,
    inh: InheritanceCall,
    settings: PrioritisationSettings,
    cnr: Mapping[str, Path],
    phenotype: PhenotypeScores | None = None,
    members: tuple[MemberCall, ...] = (),
) -> PrioritisedVariant:
    """An SV/CNV candidate scored (rank 0: set when sorted), with the family members' calls."""
    v = c.variant
    gene = panel.genes_by_symbol()[v.gene]
    pcall = v.call(sample)
    assert pcall is not None
    items = sv_evidence(c, pcall.zygosity, inh, gene, settings.ranking)
    items += tuple(phenotype_evidence(v.gene, phenotype, settings.ranking))
    start = v.pos + 1
    return PrioritisedVariant(
        rank=0,
        chrom=v.chrom,
        pos=v.pos,
        ref=v.ref,
        alt=v.alt,
        gene=v.gene,
        transcript=c.transcript,
        hgvs_c="",
        hgvs_p="",
        consequence=SV_CONSEQUENCE.get(c.svtype, c.svtype),
        genotype=pcall.gt,
        depth=pcall.dp,
        allele_balance=None if pcall.ab is None else round(pcall.ab, 3),
        gnomad_af=None,
        clinvar="",
        inheritance=inh.label,
        score=score(items),
        explanation=explanation(items),
        gq=pcall.gq,
        gnomad_popmax_af=None,
        clinvar_stars=None,
        family_genotypes=";".join(f"{s}={call.gt}" for s, call in v.calls),
        panel_inheritance="/".join(gene.inheritance),
        panel_id=panel.id,
        panel_version=panel.version,
        gnomad_an=None,
        inhouse_af=c.frequency.inhouse_af,
        managed="",
        evidence=items,
        members=members,
        **member_cells(members),
        variant_type=c.svtype,
        end=c.end,
        sv_length=c.length,
        exons=exon_range(c.exons),
        sv_detail={
            "description": f"{SV_NAMES.get(c.svtype, c.svtype)} {v.chrom}:{start}-{c.end}",
            "size": size_text(c.length),
            "exon_text": c.exon_text,
            "callers": list(c.callers),
            "caller_evidence": list(c.caller_evidence),
            "filter": c.filt,
            "depth": depth_profiles(cnr, v.chrom, start, c.end),
        },
    )


def small_variant_type(ref: str, alt: str) -> str:
    """``SNV``, ``MNV`` or ``indel``."""
    if len(ref) == len(alt):
        return "SNV" if len(ref) == 1 else "MNV"
    return "indel"
