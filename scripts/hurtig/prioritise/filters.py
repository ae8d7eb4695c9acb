"""Filter settings (``settings["filters"]``) and the frequency filter.

Defaults are in :data:`DEFAULT_FILTERS` (documented in docs/RANKING.md). A user's settings are
overlaid on them and checked key by key (:meth:`FilterSettings.from_user`); the values are kept
as the user wrote them, so the settings block of the prioritised JSON echoes them unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from hurtig.errors import InputError
from hurtig.genes.consequences import Severity

DEFAULT_FILTERS: dict[str, object] = {
    "max_af_dominant": 0.005,
    "max_af_recessive": 0.01,
    "use_popmax": True,
    "min_depth": 8,
    "min_gq": 20,
    "min_allele_balance": 0.2,
    "pass_only": False,
    "keep_consequences": [
        "transcript_ablation",
        "splice_acceptor_variant",
        "splice_donor_variant",
        "stop_gained",
        "frameshift_variant",
        "stop_lost",
        "start_lost",
        "transcript_amplification",
        "inframe_insertion",
        "inframe_deletion",
        "missense_variant",
        "protein_altering_variant",
        "splice_region_variant",
    ],
    "keep_clinvar_pathogenic": True,
    "clinvar_min_stars": 1,
    "min_an": 5000,
    "max_inhouse_af": 0.05,
    "parent_min_gq": 20,
    "parent_min_depth": 10,
    "de_novo_min_allele_balance": 0.2,
}
"""Clinical default filters (documented in docs/RANKING.md)."""

_NUMBER_KEYS = {
    "max_af_dominant",
    "max_af_recessive",
    "min_depth",
    "min_gq",
    "min_allele_balance",
    "parent_min_gq",
    "parent_min_depth",
    "de_novo_min_allele_balance",
    "clinvar_min_stars",
    "min_an",
    "max_inhouse_af",
}
_BOOL_KEYS = {"use_popmax", "pass_only", "keep_clinvar_pathogenic"}


def _check(key: str, value: object) -> None:
    """Refuse an unknown key, a value of the wrong type or an unknown consequence term."""
    if key not in DEFAULT_FILTERS:
        raise InputError(f"settings: unknown filters key {key!r}")
    if key in _NUMBER_KEYS and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise InputError(f"settings: filters.{key} must be a number")
    if key in _BOOL_KEYS and not isinstance(value, bool):
        raise InputError(f"settings: filters.{key} must be true or false")
    if key == "keep_consequences":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError("settings: filters.keep_consequences must be a list of SO terms")
        known = {s.so_term for s in Severity}
        bad = [v for v in value if v not in known]
        if bad:
            raise InputError(f"settings: filters.keep_consequences: unknown term {bad[0]!r}")


@dataclass(frozen=True)
class FilterSettings:
    """The complete filter settings (see docs/RANKING.md for each one).

    Numbers keep the type the user wrote (an ``int`` stays an ``int``).

    Attributes:
        max_af_dominant: gnomAD AF limit for genes with only dominant modes.
        max_af_recessive: gnomAD AF limit otherwise.
        use_popmax: compare the popmax AF too.
        min_depth: lowest proband depth.
        min_gq: lowest proband GQ.
        min_allele_balance: lowest proband allele balance of a het call.
        pass_only: keep only FILTER=PASS records.
        keep_consequences: SO terms kept.
        keep_clinvar_pathogenic: ClinVar P/LP passes the consequence and frequency filters.
        clinvar_min_stars: review stars a ClinVar P/LP needs to pass the frequency filter.
        min_an: gnomAD AN below which its AF is not trusted.
        max_inhouse_af: in-house AF limit.
        parent_min_gq: parental GQ for a confident hom-ref call.
        parent_min_depth: parental depth for a confident hom-ref call.
        de_novo_min_allele_balance: lowest proband allele balance of a de novo call.
    """

    max_af_dominant: float
    max_af_recessive: float
    use_popmax: bool
    min_depth: float
    min_gq: float
    min_allele_balance: float
    pass_only: bool
    keep_consequences: tuple[str, ...]
    keep_clinvar_pathogenic: bool
    clinvar_min_stars: float
    min_an: float
    max_inhouse_af: float
    parent_min_gq: float
    parent_min_depth: float
    de_novo_min_allele_balance: float

    @classmethod
    def from_user(cls, user: Mapping[str, object] | None) -> FilterSettings:
        """Defaults overlaid with the user's filter settings.

        Args:
            user: ``settings["filters"]`` (may be ``None``/empty).

        Raises:
            InputError: unknown key, wrong type, unknown consequence term.
        """
        merged = dict(DEFAULT_FILTERS)
        for key, value in (user or {}).items():
            _check(key, value)
            merged[key] = value

        def number(key: str) -> float:
            value = merged[key]
            assert isinstance(value, int | float)
            return value

        def flag(key: str) -> bool:
            value = merged[key]
            assert isinstance(value, bool)
            return value

        keep = merged["keep_consequences"]
        assert isinstance(keep, list)
        return cls(
            max_af_dominant=number("max_af_dominant"),
            max_af_recessive=number("max_af_recessive"),
            use_popmax=flag("use_popmax"),
            min_depth=number("min_depth"),
            min_gq=number("min_gq"),
            min_allele_balance=number("min_allele_balance"),
            pass_only=flag("pass_only"),
            keep_consequences=tuple(str(term) for term in keep),
            keep_clinvar_pathogenic=flag("keep_clinvar_pathogenic"),
            clinvar_min_stars=number("clinvar_min_stars"),
            min_an=number("min_an"),
            max_inhouse_af=number("max_inhouse_af"),
            parent_min_gq=number("parent_min_gq"),
            parent_min_depth=number("parent_min_depth"),
            de_novo_min_allele_balance=number("de_novo_min_allele_balance"),
        )

    def to_json(self) -> dict[str, object]:
        """The settings as a JSON object, in :data:`DEFAULT_FILTERS` order."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def _af_threshold(inheritance: Sequence[str], f: FilterSettings) -> float:
    dominant_only = bool(inheritance) and all(m in ("AD", "XD") for m in inheritance)
    return float(f.max_af_dominant if dominant_only else f.max_af_recessive)


def frequency_verdict(
    inheritance: Sequence[str],
    gnomad_af: float | None,
    popmax_af: float | None,
    gnomad_an: int | None,
    inhouse_af: float | None,
    filters: FilterSettings,
) -> tuple[bool, tuple[str, ...]]:
    """Is the variant too common for the gene's inheritance?

    gnomAD counts only when its AN is at least ``min_an`` (absent AN: the AF is trusted);
    popmax is used when ``use_popmax``; the in-house AF (INFO ``INHOUSE_AF``) is compared with
    ``max_inhouse_af``.

    Returns:
        (too common, reasons such as ``gnomAD 0.02 > 0.01 (AR/unknown limit)``).
    """
    reasons = []
    trusted = gnomad_an is None or gnomad_an >= float(filters.min_an)
    afs = [a for a in (gnomad_af, popmax_af if filters.use_popmax else None) if a is not None]
    limit = _af_threshold(inheritance, filters)
    if afs and trusted and max(afs) > limit:
        dominant = limit == float(filters.max_af_dominant)
        label = "AD/XD" if dominant and inheritance else "AR/unknown"
        reasons.append(f"gnomAD {max(afs):.3g} > {limit:g} ({label} limit)")
    max_inhouse = float(filters.max_inhouse_af)
    if inhouse_af is not None and inhouse_af > max_inhouse:
        reasons.append(f"in-house {inhouse_af:.3g} > {max_inhouse:g}")
    return bool(reasons), tuple(reasons)
