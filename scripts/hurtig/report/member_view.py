"""Each family member's call at a reported variant, as the report's small table shows it.

From the prioritised JSON's ``members`` (relation to the proband, affected status) when there;
else from the TSV's ``family_genotypes``, ``family_allele_depths``, ``family_depths`` and
``family_gq`` cells (``sample=value`` joined by ``;``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MemberRow:
    """One member's line of the table (text as shown; ``""`` for a value not known).

    Attributes:
        sample: sample id.
        relation: ``proband``, ``father``, ``mother``, ... (empty when not known).
        affected: ``affected``, ``unaffected`` or empty.
        gt: genotype.
        ad: allele depths ``ref,alt``.
        dp: depth.
        gq: genotype quality.
    """

    sample: str
    relation: str
    affected: str
    gt: str
    ad: str
    dp: str
    gq: str

    @property
    def carries(self) -> bool:
        """True when the genotype holds the ALT allele (``1``)."""
        return "1" in self.gt.replace("|", "/").split("/")


def _cells(text: str) -> dict[str, str]:
    """``a=1;b=2`` → ``{a: 1, b: 2}``."""
    pairs = (item.split("=", 1) for item in text.split(";") if "=" in item)
    return {sample: value for sample, value in pairs}


def _text(value: object) -> str:
    return "" if value is None else str(value)


def member_rows(
    row: Mapping[str, str], members: Sequence[Mapping[str, Any]]
) -> tuple[MemberRow, ...]:
    """The members' lines, from the JSON ``members`` when given, else from the TSV cells."""
    if members:
        return tuple(
            MemberRow(
                sample=_text(m.get("sample")),
                relation=_text(m.get("relation")),
                affected=""
                if m.get("affected") is None
                else ("affected" if m["affected"] else "unaffected"),
                gt=_text(m.get("gt")),
                ad=""
                if m.get("ad_ref") is None or m.get("ad_alt") is None
                else f"{m['ad_ref']},{m['ad_alt']}",
                dp=_text(m.get("dp")),
                gq=_text(m.get("gq")),
            )
            for m in members
        )
    genotypes = _cells(row.get("family_genotypes", ""))
    depths = _cells(row.get("family_allele_depths", ""))
    dp = _cells(row.get("family_depths", ""))
    gq = _cells(row.get("family_gq", ""))
    return tuple(
        MemberRow(
            sample, "", "", gt, depths.get(sample, ""), dp.get(sample, ""), gq.get(sample, "")
        )
        for sample, gt in genotypes.items()
    )
