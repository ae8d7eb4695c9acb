"""Evidence points and the explanation: each piece of evidence adds or subtracts points.

The weights come from ``settings["ranking"]``; missing keys fall back to
:data:`DEFAULT_RANKING` (documented in docs/RANKING.md); unknown keys are an input error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hurtig.errors import InputError
from hurtig.genes.consequences import Severity
from hurtig.prioritise.inheritance import InheritanceCall, Pattern

DEFAULT_RANKING: dict[str, float] = {
    "clinvar_pathogenic": 10,
    "clinvar_likely_pathogenic": 8,
    "clinvar_conflicting": 2,
    "clinvar_vus": 1,
    "clinvar_benign": -8,
    "clinvar_factor_0_stars": 0.3,
    "clinvar_factor_1_star": 0.6,
    "clinvar_factor_2_stars_or_more": 1,
    "managed_pathogenic": 10,
    "managed_likely_pathogenic": 8,
    "managed_vus": 1,
    "managed_benign": -8,
    "impact_high": 6,
    "impact_moderate": 4,
    "impact_low": 1,
    "impact_modifier": 0,
    "gnomad_absent": 3,
    "gnomad_rare": 1,
    "gnomad_common": -5,
    "rare_af": 0.001,
    "common_af": 0.01,
    "de_novo": 4,
    "homozygous": 3,
    "compound_heterozygous": 3,
    "possible_compound_heterozygous": 1,
    "hemizygous": 3,
    "inheritance_fit": 2,
    "inheritance_mismatch": -3,
    "low_quality": -2,
    "low_quality_depth": 15,
    "low_quality_gq": 30,
    "low_quality_ab": 0.3,
    "phenotype_match": 6,
    "sv_two_callers": 2,
    "sv_three_callers": 3,
    "sv_run_unique": 1,
    "sv_population_absent": 1,
    "sv_inhouse_absent": 1,
    "sv_max_population_af": 0.01,
    "sv_max_inhouse_af": 0.05,
    "sv_inhouse_min_families": 10,
}
"""Default weights (points) and the thresholds they use."""

CATEGORY_ORDER: tuple[str, ...] = (
    "clinvar",
    "managed",
    "consequence",
    "frequency",
    "inheritance",
    "quality",
    "phenotype",
)
"""Order of evidence items in the explanation."""


class ClinvarClass(StrEnum):
    """Coarse ClinVar classification."""

    PATHOGENIC = "pathogenic"
    LIKELY_PATHOGENIC = "likely pathogenic"
    CONFLICTING = "conflicting classifications"
    VUS = "uncertain significance"
    BENIGN = "benign/likely benign"
    OTHER = "other"


def _classify_term(term: str) -> ClinvarClass:
    """Class of one ClinVar classification term (``Pathogenic``, ``Likely_benign``, ...)."""
    t = term.strip().lower().replace(" ", "_")
    if "conflicting" in t:
        return ClinvarClass.CONFLICTING
    if "pathogenic" in t:
        if "benign" in t:
            return ClinvarClass.CONFLICTING
        return (
            ClinvarClass.LIKELY_PATHOGENIC
            if t.startswith("likely_pathogenic")
            else (ClinvarClass.PATHOGENIC)
        )
    if "benign" in t:
        return ClinvarClass.BENIGN
    if "uncertain" in t:
        return ClinvarClass.VUS
    return ClinvarClass.OTHER


_SEVERITY = (
    ClinvarClass.PATHOGENIC,
    ClinvarClass.LIKELY_PATHOGENIC,
    ClinvarClass.CONFLICTING,
    ClinvarClass.VUS,
    ClinvarClass.BENIGN,
    ClinvarClass.OTHER,
)


_SIDE: dict[ClinvarClass, str] = {
    ClinvarClass.PATHOGENIC: "pathogenic",
    ClinvarClass.LIKELY_PATHOGENIC: "pathogenic",
    ClinvarClass.VUS: "uncertain",
    ClinvarClass.BENIGN: "benign",
}
"""ClinVar's three sides: terms from two sides disagree (P/LP vs VUS vs B/LB), as in ClinVar."""


def _term_classes(sig: str) -> set[ClinvarClass]:
    """Classes of the terms of a CLNSIG value (``,`` or ``|`` separated)."""
    return {_classify_term(t) for t in sig.replace(",", "|").split("|") if t.strip()}


def classify_clinvar(sig: str) -> ClinvarClass | None:
    """Map a ClinVar CLNSIG value to a class.

    A value may list several terms separated by ``,`` or ``|`` (e.g. ``not_provided,Pathogenic``
    from the Ensembl-derived demo file, or ``Pathogenic|risk_factor`` in ClinVar's VCF). Terms
    that assert no classification (``not_provided``, ``risk_factor``, ``drug_response``, ...) are
    ignored; terms from different sides (pathogenic/likely pathogenic, uncertain significance,
    benign/likely benign) count as conflicting, as ClinVar counts them; otherwise the most
    pathogenic term decides.

    Args:
        sig: e.g. ``Pathogenic``, ``Pathogenic/Likely_pathogenic``, ``Likely_benign``,
            ``Conflicting_classifications_of_pathogenicity``.

    Returns:
        The class, or ``None`` for an empty value.
    """
    s = sig.strip()
    if not s or s == ".":
        return None
    classes = _term_classes(s)
    if len({_SIDE[c] for c in classes if c in _SIDE}) > 1:
        return ClinvarClass.CONFLICTING
    return next((c for c in _SEVERITY if c in classes), ClinvarClass.OTHER)


def conflicting_sides(sig: str) -> str:
    """The disagreeing classes of a CLNSIG value that lists them, e.g. ``pathogenic vs benign``.

    Args:
        sig: a CLNSIG value.

    Returns:
        The classes joined by `` vs `` (most pathogenic first), or empty when the value names no
        two sides (e.g. ClinVar's own ``Conflicting_classifications_of_pathogenicity``).
    """
    classes = _term_classes(sig)
    named = [c for c in _SEVERITY if c in classes and c in _SIDE]
    if len({_SIDE[c] for c in named}) < 2:
        return ""
    return " vs ".join(c.value for c in named)


@dataclass(frozen=True)
class Evidence:
    """One scored piece of evidence.

    Attributes:
        category: ``clinvar``, ``consequence``, ``frequency``, ``inheritance`` or ``quality``.
        points: points added (may be negative or 0).
        text: human-readable phrase.
    """

    category: str
    points: float
    text: str


@dataclass(frozen=True)
class VariantFacts:
    """What the ranking looks at for one variant.

    Attributes:
        gene: gene symbol.
        consequence: SO consequence on the default transcript (or gene), ``None`` if unknown.
        hgvs_c: c. description or empty.
        hgvs_p: p. description or empty.
        clinvar_sig: CLINVAR_SIG or empty.
        clinvar_stars: CLINVAR_STARS or ``None``.
        clinvar_revstat: CLINVAR_REVSTAT or empty.
        gnomad_af: GNOMAD_AF or ``None`` (absent).
        gnomad_popmax_af: GNOMAD_POPMAX_AF or ``None``.
        gnomad_an: GNOMAD_AN or ``None`` (not given: the AF is trusted, and the text says so).
        min_an: AN below which the gnomAD frequency is not trusted.
        inhouse_af: INHOUSE_AF or ``None``.
        managed_class: the lab's classification when on the managed list, else empty.
        managed_comment: the lab's comment.
        frequency_notes: why a too-common variant was kept (managed, ClinVar).
        inheritance: inheritance call.
        fit: panel fit (``None`` = panel gives no mode).
        fit_text: panel fit phrase.
        depth: proband DP.
        gq: proband GQ.
        ab: proband allele balance.
        is_het: proband heterozygous.
    """

    gene: str
    consequence: Severity | None
    hgvs_c: str = ""
    hgvs_p: str = ""
    clinvar_sig: str = ""
    clinvar_stars: int | None = None
    clinvar_revstat: str = ""
    gnomad_af: float | None = None
    gnomad_popmax_af: float | None = None
    gnomad_an: int | None = None
    min_an: int = 0
    inhouse_af: float | None = None
    managed_class: str = ""
    managed_comment: str = ""
    frequency_notes: tuple[str, ...] = ()
    inheritance: InheritanceCall | None = None
    fit: bool | None = None
    fit_text: str = ""
    depth: int | None = None
    gq: int | None = None
    ab: float | None = None
    is_het: bool = False


def ranking_settings(user: Mapping[str, object] | None) -> dict[str, float]:
    """Defaults overlaid with user weights.

    Args:
        user: ``settings["ranking"]`` (may be ``None``/empty).

    Returns:
        The complete weights.

    Raises:
        InputError: unknown key or non-numeric value.
    """
    out = dict(DEFAULT_RANKING)
    for key, value in (user or {}).items():
        if key not in DEFAULT_RANKING:
            raise InputError(f"settings: unknown ranking key {key!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"settings: ranking.{key} must be a number")
        out[key] = float(value)
    return out


def _fmt(x: float) -> str:
    return f"{x:.3g}" if x >= 0.001 else f"{x:.2e}"


_PATTERN_WEIGHT: dict[Pattern, str] = {
    Pattern.DE_NOVO: "de_novo",
    Pattern.HOMOZYGOUS: "homozygous",
    Pattern.COMPOUND_HET: "compound_heterozygous",
    Pattern.POSSIBLE_COMPOUND_HET: "possible_compound_heterozygous",
    Pattern.X_HEMIZYGOUS: "hemizygous",
}


_CLINVAR_WEIGHT: dict[ClinvarClass, str] = {
    ClinvarClass.PATHOGENIC: "clinvar_pathogenic",
    ClinvarClass.LIKELY_PATHOGENIC: "clinvar_likely_pathogenic",
    ClinvarClass.CONFLICTING: "clinvar_conflicting",
    ClinvarClass.VUS: "clinvar_vus",
    ClinvarClass.BENIGN: "clinvar_benign",
}

_MANAGED_WEIGHT: dict[str, str] = {
    "pathogenic": "managed_pathogenic",
    "likely_pathogenic": "managed_likely_pathogenic",
    "uncertain_significance": "managed_vus",
    "likely_benign": "managed_benign",
    "benign": "managed_benign",
}


def clinvar_factor(stars: float | None, w: Mapping[str, float]) -> float:
    """How much of a ClinVar weight a record earns for its review stars.

    Args:
        stars: CLINVAR_STARS (0-4), or ``None`` when not given (weighed as 0 stars).
        w: complete weights.

    Returns:
        ``clinvar_factor_0_stars``, ``clinvar_factor_1_star`` or
        ``clinvar_factor_2_stars_or_more``.
    """
    if stars is None or stars < 1:
        return w["clinvar_factor_0_stars"]
    if stars < 2:
        return w["clinvar_factor_1_star"]
    return w["clinvar_factor_2_stars_or_more"]


def _clinvar(f: VariantFacts, w: Mapping[str, float]) -> list[Evidence]:
    cls = classify_clinvar(f.clinvar_sig)
    if cls is None:
        return []
    if f.clinvar_stars is None:
        review = "review status not given: weighed as 0 stars"
    else:
        review = "1 star" if f.clinvar_stars == 1 else f"{f.clinvar_stars:g} stars"
        if f.clinvar_revstat:
            review += ", " + f.clinvar_revstat.replace("_", " ").replace(" ,", ",")
    key = _CLINVAR_WEIGHT.get(cls)
    points = w[key] if key else 0.0
    if cls is ClinvarClass.CONFLICTING:
        # ClinVar gives every conflicting record 1 star: the weight is used as it is
        sides = conflicting_sides(f.clinvar_sig)
        review = f"{sides}; {review}" if sides else review
    else:
        points *= clinvar_factor(f.clinvar_stars, w)
    return [Evidence("clinvar", round(points, 2), f"ClinVar {cls.value} ({review})")]


def _managed(f: VariantFacts, w: Mapping[str, float]) -> list[Evidence]:
    if not f.managed_class:
        return []
    text = f"lab-managed variant: {f.managed_class.replace('_', ' ')}"
    if f.managed_comment:
        text += f" ({f.managed_comment})"
    return [Evidence("managed", w[_MANAGED_WEIGHT[f.managed_class]], text)]


def _consequence(f: VariantFacts, w: Mapping[str, float]) -> list[Evidence]:
    if f.consequence is None:
        return [Evidence("consequence", 0, f"consequence in {f.gene} unknown")]
    impact = f.consequence.impact
    detail = f.hgvs_p or f.hgvs_c
    text = f"{f.consequence.so_term} in {f.gene}" + (f" ({detail})" if detail else "")
    return [Evidence("consequence", w[f"impact_{impact.value.lower()}"], text)]


def _gnomad(f: VariantFacts, w: Mapping[str, float]) -> Evidence:
    afs = [a for a in (f.gnomad_af, f.gnomad_popmax_af) if a is not None]
    if not afs:
        return Evidence("frequency", w["gnomad_absent"], "absent from gnomAD")
    top = max(afs)
    desc = f"gnomAD AF {_fmt(f.gnomad_af)}" if f.gnomad_af is not None else "gnomAD"
    if f.gnomad_popmax_af is not None:
        desc += f", popmax {_fmt(f.gnomad_popmax_af)}"
    if f.gnomad_an is None:
        desc += ", AN not given (AF trusted)"
    if f.gnomad_an is not None and f.gnomad_an < f.min_an:
        return Evidence("frequency", 0, f"{desc}, AN {f.gnomad_an} < {f.min_an}: not trusted")
    if top <= w["rare_af"]:
        return Evidence("frequency", w["gnomad_rare"], f"rare ({desc})")
    if top > w["common_af"]:
        return Evidence("frequency", w["gnomad_common"], f"common ({desc})")
    return Evidence("frequency", 0, desc)


def _frequency(f: VariantFacts, w: Mapping[str, float]) -> list[Evidence]:
    items = [_gnomad(f, w)]
    if f.inhouse_af is not None:
        items.append(Evidence("frequency", 0, f"in-house AF {_fmt(f.inhouse_af)}"))
    items += [Evidence("frequency", 0, note) for note in f.frequency_notes]
    return items


def _inheritance(f: VariantFacts, w: Mapping[str, float]) -> list[Evidence]:
    items = []
    if f.inheritance is not None and f.inheritance.patterns:
        keys = [_PATTERN_WEIGHT[p] for p in f.inheritance.patterns if p in _PATTERN_WEIGHT]
        points = max((w[k] for k in keys), default=0)
        items.append(Evidence("inheritance", points, "; ".join(f.inheritance.texts)))
    if f.fit is True:
        items.append(Evidence("inheritance", w["inheritance_fit"], f.fit_text))
    elif f.fit is False:
        items.append(Evidence("inheritance", w["inheritance_mismatch"], f.fit_text))
    return items


def _quality(f: VariantFacts, w: Mapping[str, float]) -> list[Evidence]:
    problems = []
    if f.depth is not None and f.depth < w["low_quality_depth"]:
        problems.append(f"depth {f.depth}")
    if f.gq is not None and f.gq < w["low_quality_gq"]:
        problems.append(f"GQ {f.gq}")
    if f.is_het and f.ab is not None and f.ab < w["low_quality_ab"]:
        problems.append(f"allele balance {f.ab:.2f}")
    if not problems:
        return []
    return [Evidence("quality", w["low_quality"], "low quality: " + ", ".join(problems))]


def evidence_for(f: VariantFacts, w: Mapping[str, float]) -> tuple[Evidence, ...]:
    """Score one variant.

    Args:
        f: the variant's facts.
        w: complete weights (see :func:`ranking_settings`).

    Returns:
        Evidence items in :data:`CATEGORY_ORDER`.
    """
    return tuple(
        item
        for part in (_clinvar, _managed, _consequence, _frequency, _inheritance, _quality)
        for item in part(f, w)
    )


def score(items: Sequence[Evidence]) -> float:
    """Sum of the points."""
    return float(sum(e.points for e in items))


def explanation(items: Sequence[Evidence]) -> str:
    """Evidence texts joined by ``; `` in :data:`CATEGORY_ORDER` (stable within a category)."""
    ordered = sorted(items, key=lambda e: CATEGORY_ORDER.index(e.category))
    return "; ".join(e.text for e in ordered)


def _chrom_key(chrom: str) -> tuple[int, str]:
    c = chrom.removeprefix("chr")
    if c.isdigit():
        return (int(c), "")
    return ({"X": 23, "Y": 24, "M": 25, "MT": 25}.get(c, 26), c)


SortKey = tuple[float, tuple[int, str], int, str, str]
"""What variants are sorted by (see :func:`sort_key`)."""


def sort_key(score_value: float, chrom: str, pos: int, ref: str, alt: str) -> SortKey:
    """Deterministic order: score descending, then chrom (natural), pos, ref, alt."""
    return (-score_value, _chrom_key(chrom), pos, ref, alt)
