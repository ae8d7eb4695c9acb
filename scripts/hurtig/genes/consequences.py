"""Parse ``bcftools csq`` BCSQ annotations into per-transcript consequence records.

BCSQ entry format: ``Consequence|gene|transcript|biotype|strand|amino_acid_change|dna_change``;
entries are separated by ``,``, consequences inside one entry by ``&``. Two special forms:

- ``*missense|...``: a leading ``*`` marks a consequence downstream of a stop or frameshift in
  the same haplotype (the effect is already covered by the upstream variant). We keep it, flag
  it ``downstream_of_stop`` and do not let it outrank a plain entry.
- ``@25891784``: a back-reference; the consequence of this compound variant is reported at the
  record at that position. It yields a record with ``backref`` set and no terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Impact(StrEnum):
    """Ensembl/SnpEff-style impact class."""

    HIGH = "HIGH"
    MODERATE = "MODERATE"
    LOW = "LOW"
    MODIFIER = "MODIFIER"


class Severity(IntEnum):
    """Sequence Ontology consequences, most severe first (lower value = more severe).

    Order follows Ensembl's consequence ranking.
    """

    transcript_ablation = 1
    splice_acceptor_variant = 2
    splice_donor_variant = 3
    stop_gained = 4
    frameshift_variant = 5
    stop_lost = 6
    start_lost = 7
    transcript_amplification = 8
    inframe_insertion = 9
    inframe_deletion = 10
    missense_variant = 11
    protein_altering_variant = 12
    splice_region_variant = 13
    incomplete_terminal_codon_variant = 14
    start_retained_variant = 15
    stop_retained_variant = 16
    synonymous_variant = 17
    coding_sequence_variant = 18
    five_prime_UTR_variant = 19  # noqa: N815 (SO term spelling)
    three_prime_UTR_variant = 20  # noqa: N815 (SO term spelling)
    non_coding_transcript_exon_variant = 21
    intron_variant = 22
    NMD_transcript_variant = 23
    non_coding_transcript_variant = 24
    upstream_gene_variant = 25
    downstream_gene_variant = 26
    intergenic_variant = 27

    @property
    def so_term(self) -> str:
        """The Sequence Ontology term (``5_prime_UTR_variant`` etc.)."""
        return _SO_NAME.get(self, self.name)

    @property
    def impact(self) -> Impact:
        """The impact class of this consequence."""
        if self <= Severity.transcript_amplification:
            return Impact.HIGH
        if self <= Severity.protein_altering_variant:
            return Impact.MODERATE
        if self <= Severity.synonymous_variant:
            return Impact.LOW
        return Impact.MODIFIER


_SO_NAME = {
    Severity.five_prime_UTR_variant: "5_prime_UTR_variant",
    Severity.three_prime_UTR_variant: "3_prime_UTR_variant",
}

BCFTOOLS_TO_SO: dict[str, Severity] = {
    "intergenic": Severity.intergenic_variant,
    "intron": Severity.intron_variant,
    "upstream_stop": Severity.five_prime_UTR_variant,
    "5_prime_utr": Severity.five_prime_UTR_variant,
    "3_prime_utr": Severity.three_prime_UTR_variant,
    "splice_donor": Severity.splice_donor_variant,
    "splice_acceptor": Severity.splice_acceptor_variant,
    "splice_region": Severity.splice_region_variant,
    "stop_lost": Severity.stop_lost,
    "stop_gained": Severity.stop_gained,
    "start_lost": Severity.start_lost,
    "start_retained": Severity.start_retained_variant,
    "stop_retained": Severity.stop_retained_variant,
    "synonymous": Severity.synonymous_variant,
    "missense": Severity.missense_variant,
    "inframe_insertion": Severity.inframe_insertion,
    "inframe_deletion": Severity.inframe_deletion,
    "inframe_altering": Severity.protein_altering_variant,
    "frameshift": Severity.frameshift_variant,
    "coding_sequence": Severity.coding_sequence_variant,
    "feature_elongation": Severity.protein_altering_variant,
    "non_coding": Severity.non_coding_transcript_exon_variant,
    "NMD_transcript": Severity.NMD_transcript_variant,
}
"""bcftools csq consequence words → SO consequence (unknown words raise)."""


@dataclass(frozen=True)
class Consequence:
    """One BCSQ entry: the consequence(s) of a variant on one transcript.

    Attributes:
        terms: SO consequences, most severe first (empty for a back-reference).
        gene: gene symbol.
        transcript: transcript id.
        biotype: transcript biotype.
        strand: ``+``/``-`` or empty.
        aa_change: bcftools amino-acid change (``717V>717I``) or empty.
        dna_change: bcftools DNA change (``25891784C>T``) or empty.
        downstream_of_stop: the entry had a leading ``*``.
        backref: position named by an ``@POS`` entry, else ``None``.
    """

    terms: tuple[Severity, ...]
    gene: str = ""
    transcript: str = ""
    biotype: str = ""
    strand: str = ""
    aa_change: str = ""
    dna_change: str = ""
    downstream_of_stop: bool = False
    backref: int | None = None

    @property
    def worst(self) -> Severity | None:
        """Most severe term, or ``None`` for a back-reference."""
        return self.terms[0] if self.terms else None

    @property
    def impact(self) -> Impact:
        """Impact class of the worst term (MODIFIER for back-references)."""
        return self.worst.impact if self.worst is not None else Impact.MODIFIER

    @property
    def so_terms(self) -> str:
        """Terms as SO names joined by ``&``."""
        return "&".join(t.so_term for t in self.terms)

    def sort_key(self) -> tuple[int, int, str]:
        """Key putting the most severe, non-starred entry first."""
        worst = self.worst.value if self.worst is not None else 99
        return (worst, int(self.downstream_of_stop), self.transcript)


def map_term(term: str) -> Severity:
    """Map one bcftools csq consequence word to a SO severity.

    Args:
        term: e.g. ``missense`` or ``5_prime_utr``.

    Returns:
        The severity.

    Raises:
        ValueError: unknown term.
    """
    if term in BCFTOOLS_TO_SO:
        return BCFTOOLS_TO_SO[term]
    if term in Severity.__members__:
        return Severity[term]
    for sev in Severity:
        if sev.so_term == term:
            return sev
    raise ValueError(f"unknown bcftools csq consequence {term!r}")


def parse_entry(entry: str) -> Consequence:
    """Parse one BCSQ entry.

    Args:
        entry: e.g. ``missense|APP|ENST00000346798|protein_coding|-|717V>717I|25891784C>T``.

    Returns:
        The consequence record.

    Raises:
        ValueError: empty entry, bad back-reference or unknown term.
    """
    entry = entry.strip()
    if not entry or entry == ".":
        raise ValueError("empty BCSQ entry")
    if entry.startswith("@"):
        try:
            return Consequence(terms=(), backref=int(entry[1:]))
        except ValueError as err:
            raise ValueError(f"bad BCSQ back-reference {entry!r}") from err
    starred = entry.startswith("*")
    if starred:
        entry = entry[1:]
    fields = entry.split("|")
    fields += [""] * (7 - len(fields))
    terms = sorted({map_term(t) for t in fields[0].split("&") if t})
    if not terms:
        raise ValueError(f"BCSQ entry without consequence {entry!r}")
    return Consequence(
        terms=tuple(terms),
        gene=fields[1],
        transcript=fields[2],
        biotype=fields[3],
        strand=fields[4],
        aa_change=fields[5],
        dna_change=fields[6],
        downstream_of_stop=starred,
    )


def parse_bcsq(value: str | Sequence[str] | None) -> tuple[Consequence, ...]:
    """Parse a whole BCSQ INFO value.

    Args:
        value: the INFO value as a string (entries joined by ``,``), a sequence of entries, or
            ``None``/``.`` when absent.

    Returns:
        All records in input order (back-references included).
    """
    if value is None:
        return ()
    entries: Iterable[str] = value.split(",") if isinstance(value, str) else value
    return tuple(parse_entry(e) for e in entries if e and e.strip() not in ("", "."))


def on_transcript(consequences: Iterable[Consequence], transcript: str) -> Consequence | None:
    """The consequence on a given transcript (most severe if several), or ``None``.

    Args:
        consequences: parsed entries.
        transcript: transcript id, version suffix ignored.

    Returns:
        The record or ``None``.
    """
    base = transcript.split(".", 1)[0]
    hits = [c for c in consequences if c.transcript.split(".", 1)[0] == base and c.terms]
    return min(hits, key=Consequence.sort_key) if hits else None


def most_severe_per_gene(consequences: Iterable[Consequence]) -> dict[str, Consequence]:
    """The most severe consequence of each gene.

    Args:
        consequences: parsed entries.

    Returns:
        Gene symbol → record (ties broken by transcript id).
    """
    best: dict[str, Consequence] = {}
    for csq in consequences:
        if not csq.terms:
            continue
        cur = best.get(csq.gene)
        if cur is None or csq.sort_key() < cur.sort_key():
            best[csq.gene] = csq
    return best


def csq_format(header_description: str) -> list[str]:
    """Field names of a VEP ``CSQ`` or snpEff ``ANN`` INFO header description.

    Args:
        header_description: e.g. ``Consequence annotations from Ensembl VEP. Format:
            Allele|Consequence|IMPACT|SYMBOL|...`` or snpEff's ``Functional annotations:
            'Allele | Annotation | Annotation_Impact | Gene_Name | ...'``.

    Returns:
        The field names, stripped.

    Raises:
        ValueError: no ``Format:``/``annotations:`` list in the description.
    """
    text = header_description.strip().strip('"')
    for marker in ("Format:", "annotations:"):
        if marker in text:
            fields = text.split(marker, 1)[1].strip().strip("'\"")
            return [f.strip() for f in fields.split("|")]
    raise ValueError(f"no field list in CSQ/ANN description {header_description[:60]!r}")


def _terms(text: str) -> tuple[Severity, ...]:
    terms = set()
    for term in text.replace(",", "&").split("&"):
        term = term.strip()
        if not term:
            continue
        try:
            terms.add(map_term(term))
        except ValueError:
            # snpEff/VEP words outside our SO table (e.g. ``intragenic_variant``,
            # ``mature_miRNA_variant``) rank with the nearest class: non-coding transcript.
            terms.add(Severity.non_coding_transcript_variant)
    return tuple(sorted(terms))


def parse_vep_csq(
    value: str | None, fields: Sequence[str], alt: str | None = None
) -> tuple[Consequence, ...]:
    """Parse an Ensembl VEP ``CSQ`` INFO value into per-transcript consequence records.

    Args:
        value: the INFO value (entries separated by ``,``).
        fields: names from the CSQ header (:func:`csq_format`); ``Consequence``, ``SYMBOL``,
            ``Feature``, ``BIOTYPE``, ``STRAND``, ``HGVSc``, ``HGVSp``, ``Allele`` are used.
        alt: when given, only entries for this ALT allele (VEP's ``Allele`` column; VEP writes
            ``-`` for a deleted allele and drops the shared first base of indels).

    Returns:
        One record per transcript entry (dna_change = HGVSc, aa_change = HGVSp).
    """
    if not value or value == ".":
        return ()
    col = {name: i for i, name in enumerate(fields)}
    if "Consequence" not in col:
        raise ValueError("CSQ format has no Consequence field")

    def get(parts: list[str], name: str) -> str:
        i = col.get(name)
        return parts[i] if i is not None and i < len(parts) else ""

    out = []
    for entry in value.split(","):
        parts = entry.split("|")
        if (
            alt is not None
            and "Allele" in col
            and get(parts, "Allele") not in (alt, alt[1:] or "-")
        ):
            continue
        strand = {"1": "+", "-1": "-"}.get(get(parts, "STRAND"), "")
        out.append(
            Consequence(
                terms=_terms(get(parts, "Consequence")),
                gene=get(parts, "SYMBOL") or get(parts, "Gene"),
                transcript=get(parts, "Feature"),
                biotype=get(parts, "BIOTYPE"),
                strand=strand,
                aa_change=get(parts, "HGVSp"),
                dna_change=get(parts, "HGVSc"),
            )
        )
    return tuple(c for c in out if c.terms)


#: snpEff ANN columns (fixed by the snpEff/ANN specification).
ANN_FIELDS: tuple[str, ...] = (
    "Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
    "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos / cDNA.length",
    "CDS.pos / CDS.length", "AA.pos / AA.length", "Distance", "ERRORS / WARNINGS / INFO",
)  # fmt: skip


def parse_snpeff_ann(value: str | None, alt: str | None = None) -> tuple[Consequence, ...]:
    """Parse a snpEff ``ANN`` INFO value into per-transcript consequence records.

    Args:
        value: the INFO value (entries separated by ``,``; fields by ``|`` in the ANN order).
        alt: when given, only entries whose Allele is this ALT.

    Returns:
        One record per transcript entry (dna_change = HGVS.c, aa_change = HGVS.p); entries on
        features other than transcripts (e.g. intergenic) keep an empty transcript.
    """
    if not value or value == ".":
        return ()
    out = []
    for entry in value.split(","):
        parts = entry.split("|")
        parts += [""] * (len(ANN_FIELDS) - len(parts))
        if alt is not None and parts[0] != alt:
            continue
        out.append(
            Consequence(
                terms=_terms(parts[1]),
                gene=parts[3],
                transcript=parts[6] if parts[5] == "transcript" else "",
                biotype=parts[7],
                aa_change=parts[10],
                dna_change=parts[9],
            )
        )
    return tuple(c for c in out if c.terms)
