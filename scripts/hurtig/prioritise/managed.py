"""Managed variants: a lab's own list of classified variants (``hurtig prioritise --managed``).

A TSV with the header ``chrom, pos, ref, alt, classification, comment`` (the header may be
written ``#chrom``; other ``#`` lines are comments). Alleles are normalised and left-aligned as
in the VCF; ``chr`` prefixes are ignored when matching; the classification is one of
:data:`MANAGED_CLASSES` (``vus`` means uncertain significance). Listed variants, like ClinVar
pathogenic/likely pathogenic ones with at least ``clinvar_min_stars`` stars, pass the frequency
filters; the explanation says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hurtig.errors import InputError

MANAGED_COLUMNS = ("chrom", "pos", "ref", "alt", "classification", "comment")
MANAGED_CLASSES = (
    "pathogenic",
    "likely_pathogenic",
    "uncertain_significance",
    "likely_benign",
    "benign",
)
"""Allowed ``classification`` values of the managed-variant list (``vus`` = uncertain)."""

ManagedKey = tuple[str, int, str, str]
"""Match key: chromosome without ``chr``, position, upper-case REF and ALT."""


@dataclass(frozen=True)
class ManagedVariant:
    """A lab-managed variant.

    Attributes:
        classification: one of :data:`MANAGED_CLASSES`.
        comment: the lab's comment (may be empty).
    """

    classification: str
    comment: str


def managed_key(chrom: str, pos: int, ref: str, alt: str) -> ManagedKey:
    """Match key: chromosome without ``chr``, position, upper-case alleles."""
    return (chrom.removeprefix("chr"), pos, ref.upper(), alt.upper())


def _is_comment(line: str) -> bool:
    """Blank lines and ``#`` lines, except a header written ``#chrom``."""
    return not line.strip() or (
        line.startswith("#") and not line.lstrip("#").lower().startswith("chrom")
    )


def _entry(cells: list[str], where: str) -> tuple[ManagedKey, ManagedVariant]:
    """One data row as (key, variant).

    Raises:
        InputError: bad position, allele, classification or empty chrom.
    """
    cells = cells + [""] * (6 - len(cells))
    chrom, pos, ref, alt, cls, comment = cells[:6]
    if not pos.isdigit() or int(pos) < 1:
        raise InputError(f"{where}: pos {pos!r} is not a positive integer")
    for name, allele in (("ref", ref), ("alt", alt)):
        if not allele or set(allele.upper()) - set("ACGTN"):
            raise InputError(f"{where}: {name} {allele!r} is not a DNA allele")
    cls = cls.lower().replace(" ", "_")
    cls = "uncertain_significance" if cls == "vus" else cls
    if cls not in MANAGED_CLASSES:
        raise InputError(
            f"{where}: classification {cells[4]!r} not in {', '.join(MANAGED_CLASSES)}"
        )
    if not chrom:
        raise InputError(f"{where}: empty chrom")
    return managed_key(chrom, int(pos), ref, alt), ManagedVariant(cls, comment)


def load_managed(path: Path) -> dict[ManagedKey, ManagedVariant]:
    """Read the managed-variant TSV (see the module docstring).

    Raises:
        InputError: unreadable, wrong header, bad position/allele/classification, duplicate.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read managed variants ({err})") from err
    out: dict[ManagedKey, ManagedVariant] = {}
    header: list[str] | None = None
    for lineno, line in enumerate(lines, start=1):
        if _is_comment(line):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if header is None:
            header = [c.lstrip("#").lower() for c in cells]
            if tuple(header[:6]) != MANAGED_COLUMNS:
                raise InputError(
                    f"{path}: line {lineno}: header must be {', '.join(MANAGED_COLUMNS)}"
                )
            continue
        where = f"{path}: line {lineno}"
        key, variant = _entry(cells, where)
        if key in out:
            chrom, pos, ref, alt = cells[:4]
            raise InputError(f"{where}: {chrom}:{pos} {ref}>{alt} listed twice")
        out[key] = variant
    if header is None:
        raise InputError(f"{path}: empty managed-variant list (header required)")
    return out
