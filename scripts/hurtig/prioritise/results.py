"""The prioritised variants of one sample and panel: owner types of the two result files.

``hurtig prioritise`` writes ``results/panels/{sample}/{panel}.json``
(:class:`PrioritisedResults`: sample, family, the proband's affected status, the panel, the
managed-variant list, the settings used and every variant with its evidence) and
``results/panels/{sample}/{panel}.tsv`` (:class:`PrioritisedTable`: one row per variant, best
first, :data:`TSV_COLUMNS`). Both are written by :meth:`PrioritisedResults.write`; each has a
``read`` that gives back what was written.

Numbers keep their JSON type: an evidence item's points are an ``int`` when the weight was the
default integer and a ``float`` when set in the settings or scaled (ClinVar points by review stars);
the score is always a ``float``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic
from hurtig.prioritise.columns import CONTRACT_COLUMNS, EXTRA_COLUMNS, SV_COLUMNS
from hurtig.prioritise.filters import FilterSettings
from hurtig.prioritise.members import MEMBER_COLUMNS, MemberCall
from hurtig.prioritise.points import Evidence, ranking_settings
from hurtig.prioritise.sources import SourceRelease

TSV_COLUMNS: tuple[str, ...] = CONTRACT_COLUMNS + EXTRA_COLUMNS + MEMBER_COLUMNS + SV_COLUMNS
"""The prioritised TSV's columns, in order (later columns appended at the end)."""

OLDEST_COLUMNS: tuple[str, ...] = CONTRACT_COLUMNS + EXTRA_COLUMNS
"""The shortest header still read (a TSV written before the per-member and SV columns)."""


@dataclass(frozen=True)
class PrioritisedVariant:
    """One ranked variant (a ``variants`` entry of the JSON; TSV columns are a subset).

    Attributes:
        rank: 1 = best.
        chrom: chromosome.
        pos: position (1-based).
        ref: REF.
        alt: ALT.
        gene: gene symbol.
        transcript: the gene's default transcript.
        hgvs_c: c. description or empty.
        hgvs_p: p. description or empty.
        consequence: SO terms on the transcript (``&``-joined) or empty.
        genotype: the proband's GT.
        depth: the proband's DP.
        allele_balance: the proband's allele balance, 3 decimals.
        gnomad_af: gnomAD AF.
        clinvar: ClinVar classification as annotated.
        inheritance: inheritance patterns, ``,``-joined.
        score: sum of the evidence points.
        explanation: the evidence texts, ``; ``-joined.
        gq: the proband's GQ.
        gnomad_popmax_af: gnomAD popmax AF.
        clinvar_stars: ClinVar review stars.
        family_genotypes: ``sample=GT`` of the family members in the VCF, ``;``-joined.
        panel_inheritance: the gene's panel modes, ``/``-joined.
        panel_id: panel id.
        panel_version: panel version.
        gnomad_an: gnomAD AN.
        inhouse_af: in-house AF.
        managed: the lab's classification when on the managed list, else empty.
        evidence: the scored evidence items.
        family_allele_depths: ``sample=ref,alt`` of the family members, ``;``-joined.
        family_depths: ``sample=DP`` of the family members, ``;``-joined.
        family_gq: ``sample=GQ`` of the family members, ``;``-joined.
        members: each family member's call (:mod:`hurtig.prioritise.members`).
        variant_type: ``SNV``, ``MNV``, ``indel``, ``DEL`` or ``DUP``.
        end: last affected base of an SV/CNV (``None`` for small variants).
        sv_length: affected bases of an SV/CNV.
        exons: exons of the transcript an SV/CNV overlaps, e.g. ``6-8``.
        sv_detail: an SV/CNV's callers, their evidence and the read-depth profile (JSON only).
    """

    rank: int
    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str
    transcript: str
    hgvs_c: str
    hgvs_p: str
    consequence: str
    genotype: str
    depth: int | None
    allele_balance: float | None
    gnomad_af: float | None
    clinvar: str
    inheritance: str
    score: float
    explanation: str
    gq: int | None
    gnomad_popmax_af: float | None
    clinvar_stars: int | None
    family_genotypes: str
    panel_inheritance: str
    panel_id: str
    panel_version: str
    gnomad_an: int | None
    inhouse_af: float | None
    managed: str
    evidence: tuple[Evidence, ...]
    family_allele_depths: str = ""
    family_depths: str = ""
    family_gq: str = ""
    members: tuple[MemberCall, ...] = ()
    variant_type: str = ""
    end: int | None = None
    sv_length: int | None = None
    exons: str = ""
    sv_detail: dict[str, Any] | None = None

    def to_json(self) -> dict[str, object]:
        """The JSON entry (keys in field order)."""
        doc: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        doc["evidence"] = [
            {"category": e.category, "points": e.points, "text": e.text} for e in self.evidence
        ]
        doc["members"] = [m.to_json() for m in self.members]
        return doc

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> PrioritisedVariant:
        """Rebuild an entry written by :meth:`to_json` (keys added later may be absent).

        Raises:
            KeyError: a missing key.
        """
        values = {
            f.name: doc[f.name]
            for f in fields(cls)
            if f.name not in ("evidence", "members") and (f.name in doc or f.default is MISSING)
        }
        evidence = tuple(
            Evidence(str(e["category"]), e["points"], str(e["text"])) for e in doc["evidence"]
        )
        members = tuple(MemberCall.from_json(m) for m in doc.get("members", []))
        return cls(**values, evidence=evidence, members=members)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if not value.is_integer() else str(int(value))
    return str(value).replace("\t", " ").replace("\n", " ")


@dataclass(frozen=True)
class PrioritisedTable:
    """The prioritised TSV: a header of :data:`TSV_COLUMNS` and one text row per variant.

    Attributes:
        rows: the cells of each row, in column order.
    """

    rows: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, variants: Sequence[PrioritisedVariant]) -> PrioritisedTable:
        """The table of ranked variants (numbers as ``%g``, tabs and newlines as spaces)."""
        return cls(tuple(tuple(_cell(getattr(v, col)) for col in TSV_COLUMNS) for v in variants))

    def text(self) -> str:
        """The TSV text."""
        lines = ["\t".join(TSV_COLUMNS), *("\t".join(row) for row in self.rows)]
        return "\n".join(lines) + "\n"

    def records(self) -> list[dict[str, str]]:
        """The rows as column → cell (cells of columns an older file lacks are empty)."""
        return [
            dict(zip(TSV_COLUMNS, (*row, *[""] * (len(TSV_COLUMNS) - len(row))), strict=True))
            for row in self.rows
        ]

    def write(self, path: Path) -> None:
        """Write the TSV (atomically)."""
        write_text_atomic(path, self.text())

    @classmethod
    def read(cls, path: Path) -> PrioritisedTable:
        """Read a TSV written by :meth:`write` (or by an older version, without later columns).

        Raises:
            InputError: unreadable, another header, or a row with the wrong number of cells.
        """
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"{path}: cannot read prioritised TSV ({err})") from err
        if lines[-1] == "":
            lines.pop()
        header = tuple(lines[0].split("\t")) if lines else ()
        if len(header) < len(OLDEST_COLUMNS) or header != TSV_COLUMNS[: len(header)]:
            raise InputError(f"{path}: header is not {', '.join(TSV_COLUMNS)}")
        pad = ("",) * (len(TSV_COLUMNS) - len(header))
        rows = []
        for number, line in enumerate(lines[1:], start=2):
            cells = tuple(line.split("\t"))
            if len(cells) != len(header):
                raise InputError(f"{path}: line {number} has {len(cells)} cells")
            rows.append(cells + pad)
        return cls(tuple(rows))


@dataclass(frozen=True)
class PanelGeneSummary:
    """A panel gene as the results record it.

    Attributes:
        symbol: gene symbol.
        hgnc_id: HGNC id.
        transcript: default transcript.
        inheritance: panel modes, ``/``-joined.
        transcript_versioned: the default transcript with its version, when known.
        refseq: RefSeq ids the gene model maps to the default transcript.
        transcript_note: the panel transcript fallback line (empty when none).
        phenotypes: the panel's phenotypes for the gene.
        omim: the gene's OMIM number, when the panel gives it.
        mechanism: the disease mechanism, when the panel states it.
    """

    symbol: str
    hgnc_id: str
    transcript: str
    inheritance: str
    transcript_versioned: str = ""
    refseq: tuple[str, ...] = ()
    transcript_note: str = ""
    phenotypes: tuple[str, ...] = ()
    omim: str = ""
    mechanism: str = ""


@dataclass(frozen=True)
class PanelSummary:
    """The panel the results are for.

    Attributes:
        id: panel id.
        version: panel version.
        display_name: human name.
        sha256: checksum of the definition.
        genes: the resolved genes.
        missing_genes: genes not resolved, as ``{symbol, hgnc_id, reason}``.
    """

    id: str
    version: str
    display_name: str
    sha256: str
    genes: tuple[PanelGeneSummary, ...]
    missing_genes: tuple[dict[str, str], ...]

    def to_json(self) -> dict[str, object]:
        """The JSON object."""
        return {
            "id": self.id,
            "version": self.version,
            "display_name": self.display_name,
            "sha256": self.sha256,
            "genes": [
                {
                    "symbol": g.symbol,
                    "hgnc_id": g.hgnc_id,
                    "transcript": g.transcript,
                    "inheritance": g.inheritance,
                    "transcript_versioned": g.transcript_versioned or g.transcript,
                    "refseq": list(g.refseq),
                    "transcript_note": g.transcript_note,
                    "phenotypes": list(g.phenotypes),
                    "omim": g.omim,
                    "mechanism": g.mechanism,
                }
                for g in self.genes
            ],
            "missing_genes": [dict(m) for m in self.missing_genes],
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> PanelSummary:
        """Rebuild from :meth:`to_json` output."""
        return cls(
            id=str(doc["id"]),
            version=str(doc["version"]),
            display_name=str(doc["display_name"]),
            sha256=str(doc["sha256"]),
            genes=tuple(
                PanelGeneSummary(
                    str(g["symbol"]),
                    str(g["hgnc_id"]),
                    str(g["transcript"]),
                    str(g["inheritance"]),
                    str(g.get("transcript_versioned", "")),
                    tuple(str(r) for r in g.get("refseq", [])),
                    str(g.get("transcript_note", "")),
                    tuple(str(p) for p in g.get("phenotypes", [])),
                    str(g.get("omim", "")),
                    str(g.get("mechanism", "")),
                )
                for g in doc["genes"]
            ),
            missing_genes=tuple(
                {str(k): str(v) for k, v in m.items()} for m in doc["missing_genes"]
            ),
        )


@dataclass(frozen=True)
class ManagedSummary:
    """The managed-variant list used.

    Attributes:
        file: its path, or ``None`` when none was given.
        sha256: its checksum, or ``None``.
        count: number of listed variants.
    """

    file: str | None
    sha256: str | None
    count: int


def _weights(doc: Mapping[str, Any]) -> dict[str, float]:
    """Ranking weights as written (checked, but an ``int`` stays an ``int``).

    Raises:
        InputError: unknown key or non-numeric value.
    """
    ranking_settings(doc)
    return dict(doc)


@dataclass(frozen=True)
class PrioritisedResults:
    """The prioritised JSON of one sample and panel (and the TSV derived from it).

    Attributes:
        sample: the proband.
        family: the proband's family.
        affected: the proband's affected status (from the sample sheet).
        panel: the panel.
        managed_variants: the managed-variant list used.
        filters: the complete filter settings used.
        ranking: the complete ranking weights used.
        variants: ranked variants, best first.
        phenotype: the patient's HPO terms and the ontology release behind the phenotype
            evidence (``None``: no phenotype given).
        sources: the annotation sources and gene model of the VCF, with their releases.
        sv_assessed: whether SVs/CNVs were called and ranked (``False`` in JSON written before
            SV calling existed, or with ``sv.enabled: false``).
    """

    sample: str
    family: str
    affected: bool
    panel: PanelSummary
    managed_variants: ManagedSummary
    filters: FilterSettings
    ranking: dict[str, float]
    variants: tuple[PrioritisedVariant, ...]
    phenotype: dict[str, Any] | None = None
    sources: tuple[SourceRelease, ...] = ()
    sv_assessed: bool = False

    def to_json(self) -> dict[str, object]:
        """The JSON document (key order as written)."""
        m = self.managed_variants
        doc: dict[str, object] = {
            "sample": self.sample,
            "family": self.family,
            "affected": self.affected,
            "panel": self.panel.to_json(),
            "managed_variants": {"file": m.file, "sha256": m.sha256, "count": m.count},
            "settings": {"filters": self.filters.to_json(), "ranking": dict(self.ranking)},
            "variants": [v.to_json() for v in self.variants],
            "sources": [s.to_json() for s in self.sources],
            "sv_assessed": self.sv_assessed,
        }
        if self.phenotype is not None:
            doc["phenotype"] = self.phenotype
        return doc

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> PrioritisedResults:
        """Rebuild from :meth:`to_json` output.

        Raises:
            InputError: bad settings.
            KeyError, TypeError, ValueError: other malformed content.
        """
        m = doc["managed_variants"]
        settings = doc["settings"]
        return cls(
            sample=str(doc["sample"]),
            family=str(doc["family"]),
            affected=bool(doc["affected"]),
            panel=PanelSummary.from_json(doc["panel"]),
            managed_variants=ManagedSummary(m["file"], m["sha256"], int(m["count"])),
            filters=FilterSettings.from_user(settings["filters"]),
            ranking=_weights(settings["ranking"]),
            variants=tuple(PrioritisedVariant.from_json(v) for v in doc["variants"]),
            phenotype=doc.get("phenotype"),
            sources=tuple(SourceRelease.from_json(s) for s in doc.get("sources", [])),
            sv_assessed=bool(doc.get("sv_assessed", False)),
        )

    def table(self) -> PrioritisedTable:
        """The TSV of the variants."""
        return PrioritisedTable.of(self.variants)

    def write(self, path: Path) -> None:
        """Write the JSON (atomically; UTF-8, not ASCII-escaped)."""
        write_text_atomic(path, json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def read(cls, path: Path) -> PrioritisedResults:
        """Read a JSON file written by :meth:`write`.

        Raises:
            InputError: unreadable or malformed.
        """
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise InputError(f"{path}: cannot read prioritised JSON ({err})") from err
