"""The one place the report reads the prioritisation's output (TSV + JSON of one sample × panel).

Both files are read through their owner types, :class:`hurtig.prioritise.results.PrioritisedTable`
(the TSV: the report shows its cells as written) and
:class:`hurtig.prioritise.results.PrioritisedResults` (the JSON: sample, family, the proband's
affected status, the panel, the settings and each variant's evidence, matched to the TSV rows by
rank). :func:`read_prioritised` turns them into what the report model needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from hurtig.errors import InputError
from hurtig.prioritise.results import TSV_COLUMNS, PrioritisedResults, PrioritisedTable


@dataclass(frozen=True)
class PrioritisedVariant:
    """One TSV row, its evidence and the family members' calls.

    Evidence items have ``category``, ``points``, ``text``; ``members`` are the JSON's (empty
    without the JSON).
    """

    row: dict[str, str]
    evidence: tuple[dict[str, Any], ...]
    members: tuple[dict[str, Any], ...] = ()
    sv: dict[str, Any] | None = None


@dataclass(frozen=True)
class PrioritisedInput:
    """The prioritisation's output as the report reads it.

    Attributes:
        columns: the TSV's columns, in file order.
        variants: the variants, best first (TSV order).
        sample: sample id (None without the JSON).
        family: family id ("" without the JSON).
        sex: the sample's sex when an input records it (the prioritisation does not: None).
        affected: the proband's affected status (None without the JSON).
        panel: the resolved panel (id, version, display_name, sha256, genes, missing_genes).
        settings: the filter and ranking settings applied.
        sources: the annotation sources and gene model with their releases (``id``, ``file``,
            ``version``, ``release``).
        sv_assessed: whether SVs/CNVs were called and ranked (False without the JSON).
    """

    columns: tuple[str, ...]
    variants: tuple[PrioritisedVariant, ...]
    sample: str | None = None
    family: str = ""
    sex: str | None = None
    affected: bool | None = None
    panel: dict[str, Any] | None = None
    settings: Any = field(default_factory=dict)
    sources: tuple[dict[str, str], ...] = ()
    sv_assessed: bool = False


def read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The prioritised TSV's columns and rows (cells as written), through its owner type.

    Raises:
        InputError: the file is missing, has another header or a row of the wrong length.
    """
    return list(TSV_COLUMNS), PrioritisedTable.read(path).records()


def join_evidence(
    rows: list[dict[str, str]], results: PrioritisedResults, json_path: Path
) -> list[PrioritisedVariant]:
    """Attach the JSON's evidence to the TSV rows (matched by rank)."""
    if len(results.variants) != len(rows):
        raise InputError(
            f"{json_path}: {len(results.variants)} variants but the TSV has {len(rows)} rows "
            "(not from the same run?)"
        )
    by_rank = {str(v.rank): v for v in results.variants}
    variants = []
    for row in rows:
        entry = by_rank.get(row["rank"])
        if entry is None:
            raise InputError(f"{json_path}: no variant with rank {row['rank']} (TSV has it)")
        evidence = tuple(
            {"category": e.category, "points": e.points, "text": e.text} for e in entry.evidence
        )
        members = tuple(m.to_json() for m in entry.members)
        variants.append(PrioritisedVariant(dict(row), evidence, members, entry.sv_detail))
    return variants


def read_prioritised(tsv: Path, json_path: Path | None) -> PrioritisedInput:
    """Read the prioritised TSV and (when given) its JSON companion.

    Raises:
        InputError: a file is missing or malformed, or the two do not belong together.
    """
    columns, rows = read_tsv(tsv)
    if json_path is None:
        return PrioritisedInput(tuple(columns), tuple(PrioritisedVariant(r, ()) for r in rows))
    results = PrioritisedResults.read(json_path)
    doc = results.to_json()
    return PrioritisedInput(
        columns=tuple(columns),
        variants=tuple(join_evidence(rows, results, json_path)),
        sample=results.sample,
        family=results.family,
        affected=results.affected,
        panel=results.panel.to_json(),
        # the phenotype (HPO terms, ontology release) is shown with the settings applied
        settings=dict(
            cast(dict[str, Any], doc["settings"]),
            **({"phenotype": results.phenotype} if results.phenotype else {}),
        ),
        sources=tuple(s.to_json() for s in results.sources),
        sv_assessed=results.sv_assessed,
    )
