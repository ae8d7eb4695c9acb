"""ClinVar VCF → ``CLINVAR_*`` INFO keys (classification, review status and stars, ID, disease)."""

from __future__ import annotations

from hurtig.annotation.source import Source, SourceRecord, clean_value, format_value

#: ClinVar CLNREVSTAT → review stars (ClinVar's star rules; older and newer spellings).
REVSTAT_STARS: dict[str, int] = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided,_multiple_submitters,_no_conflicts": 2,
    "criteria_provided,_conflicting_classifications": 1,
    "criteria_provided,_conflicting_interpretations": 1,
    "criteria_provided,_single_submitter": 1,
    "no_assertion_criteria_provided": 0,
    "no_assertion_provided": 0,
    "no_classification_provided": 0,
    "no_classification_for_the_single_variant": 0,
    "no_classifications_from_unflagged_records": 0,
    "no_interpretation_for_the_single_variant": 0,
}

CLINVAR_HEADER: tuple[dict[str, str], ...] = (
    {
        "ID": "CLINVAR_SIG",
        "Number": "1",
        "Type": "String",
        "Description": "ClinVar germline classification (CLNSIG, as in the source)",
    },
    {
        "ID": "CLINVAR_REVSTAT",
        "Number": "1",
        "Type": "String",
        "Description": "ClinVar review status (CLNREVSTAT, as in the source)",
    },
    {
        "ID": "CLINVAR_STARS",
        "Number": "1",
        "Type": "Integer",
        "Description": "ClinVar review stars 0-4 derived from CLNREVSTAT",
    },
    {"ID": "CLINVAR_ID", "Number": "1", "Type": "String", "Description": "ClinVar variation ID"},
    {
        "ID": "CLINVAR_DN",
        "Number": "1",
        "Type": "String",
        "Description": "ClinVar preferred disease name(s) (CLNDN, as in the source)",
    },
)


def clinvar_stars(revstat: str | None) -> int | None:
    """Map a ClinVar CLNREVSTAT value to review stars.

    Args:
        revstat: the CLNREVSTAT text (``criteria_provided,_single_submitter`` …), or None.

    Returns:
        0-4, or None when the status is absent or not a known ClinVar review status.
    """
    if not revstat:
        return None
    key = revstat.strip().lower().replace(" ", "_")
    return REVSTAT_STARS.get(key)


def clinvar_values(source: Source, rec: SourceRecord, idx: int) -> dict[str, object]:
    """The CLINVAR_* INFO values for one matched source ALT (absent keys left out)."""
    info = source.record_info(rec)
    out: dict[str, object] = {}
    for key, name in (("CLNSIG", "CLINVAR_SIG"), ("CLNREVSTAT", "CLINVAR_REVSTAT")):
        value = source.allele_value(info, key, rec, idx)
        if value:
            out[name] = clean_value(value)
    stars = clinvar_stars(info.get("CLNREVSTAT"))
    if stars is not None:
        out["CLINVAR_STARS"] = stars
    if rec.vid and rec.vid != ".":
        out["CLINVAR_ID"] = clean_value(rec.vid)
    dn = source.allele_value(info, "CLNDN", rec, idx)
    if dn:
        out["CLINVAR_DN"] = clean_value(dn)
    return out


class ClinvarSource(Source):
    """Official ClinVar VCF → ``CLINVAR_*``."""

    def info_lines(self) -> tuple[dict[str, str], ...]:
        """The ``CLINVAR_*`` INFO definitions."""
        return CLINVAR_HEADER

    def values(self, rec: SourceRecord, idx: int) -> list[str]:
        """The items of :func:`clinvar_values`."""
        return [f"{k}={format_value(v)}" for k, v in clinvar_values(self, rec, idx).items()]
