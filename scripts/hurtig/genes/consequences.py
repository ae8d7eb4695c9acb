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
