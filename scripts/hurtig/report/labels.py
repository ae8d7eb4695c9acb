"""Words a person reads for the pipeline's tokens: inheritance, consequence, ClinVar, relation.

The TSV and JSON keep the tokens (``de_novo``, ``compound_heterozygous``); the HTML, PDF and
XLSX views show these labels.
"""

from __future__ import annotations

INHERITANCE_LABELS: dict[str, str] = {
    "de_novo": "de novo",
    "homozygous": "homozygous",
    "compound_heterozygous": "compound heterozygous (in trans)",
    "possible_compound_heterozygous": "possible compound heterozygous (phase unknown)",
    "x_linked_hemizygous": "X-linked hemizygous",
    "x_linked_heterozygous": "X-linked heterozygous",
    "heterozygous_inherited_affected": "heterozygous, inherited from an affected parent",
    "heterozygous_origin_unknown": "heterozygous, origin unknown",
    "heterozygous_inherited_unaffected": "heterozygous, inherited from an unaffected parent",
    "homozygous_in_unaffected_parent": "homozygous in an unaffected parent",
}
"""The inheritance patterns of the TSV ``inheritance`` column, in words."""

MODE_LABELS: dict[str, str] = {
    "AD": "autosomal dominant",
    "AR": "autosomal recessive",
    "XD": "X-linked dominant",
    "XR": "X-linked recessive",
    "MT": "mitochondrial",
}
"""Panel modes of inheritance, in words."""

MAX_STARS = 4


def inheritance_label(tokens: str) -> str:
    """The ``,``-joined inheritance tokens as words (``;``-joined); unknown tokens as written."""
    words = [INHERITANCE_LABELS.get(t, t.replace("_", " ")) for t in tokens.split(",") if t]
    return "; ".join(words)


def consequence_label(terms: str) -> str:
    """SO terms (``&``-joined) as words.

    ``stop_gained&splice_region_variant`` → ``stop gained, splice region``.
    """
    words = [t.removesuffix("_variant").replace("_", " ") for t in terms.split("&") if t]
    return ", ".join(words)


def clinvar_terms(value: str) -> str:
    """ClinVar's classification terms as words, definite terms first, ``not provided`` last.

    ``not_provided,Pathogenic`` → ``Pathogenic; not provided``.
    """
    terms = [t.strip().replace("_", " ") for t in value.replace("|", ",").split(",") if t.strip()]
    terms.sort(key=lambda t: t.lower() in ("not provided", "other"))
    return "; ".join(dict.fromkeys(terms))


def stars(value: str) -> str:
    """ClinVar review stars as ``★★☆☆`` (no review status counts as 0 stars, as in ranking)."""
    try:
        count = max(0, min(MAX_STARS, int(value))) if value else 0
    except ValueError:
        return ""
    return "★" * count + "☆" * (MAX_STARS - count)


def modes_label(modes: str) -> str:
    """Panel modes (``/``- or ``,``-joined codes) as words."""
    codes = [m for m in modes.replace(",", "/").split("/") if m]
    return ", ".join(MODE_LABELS.get(m, m) for m in codes)
