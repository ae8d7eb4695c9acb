"""HGVS c./n. and p. descriptions for a variant on one transcript of the gene model.

- c. numbering from the GFF3 CDS (Ensembl CDS features include the stop codon): ``c.N`` in the
  CDS, ``c.-N`` 5' of the start codon, ``c.*N`` 3' of the stop codon, ``c.N+d``/``c.N-d`` in
  introns relative to the nearest exon base (the middle base of an odd intron takes ``+``),
  positions outside the transcript continue the ``-``/``*`` numbering. Non-coding transcripts
  get ``n.`` numbering.
- Alleles are given on the transcript strand (complemented on ``-``).
- Indels are shifted 3' in transcript direction along the genomic sequence (HGVS 3' rule;
  the VCF is left-aligned, which is already 3' for ``-`` strand transcripts). An insertion that
  repeats the sequence just 5' of it is a duplication (``dup``).
- p. descriptions come from the bcftools csq amino-acid change (``717V>717I``), in the
  predicted form ``p.(...)`` with three-letter codes.
"""

from __future__ import annotations

from typing import Protocol

import pysam

from hurtig.errors import InputError
from hurtig.genes.consequences import Severity
from hurtig.genes.gene_model import Transcript

_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")

AA3: dict[str, str] = {
    "A": "Ala",
    "R": "Arg",
    "N": "Asn",
    "D": "Asp",
    "C": "Cys",
    "E": "Glu",
    "Q": "Gln",
    "G": "Gly",
    "H": "His",
    "I": "Ile",
    "L": "Leu",
    "K": "Lys",
    "M": "Met",
    "F": "Phe",
    "P": "Pro",
    "S": "Ser",
    "T": "Thr",
    "W": "Trp",
    "Y": "Tyr",
    "V": "Val",
    "U": "Sec",
    "O": "Pyl",
    "*": "Ter",
    "X": "Xaa",
}
"""One-letter → three-letter amino-acid codes (``*`` → ``Ter``)."""

_MAX_SHIFT = 10_000


class Reference(Protocol):
    """Anything that returns reference bases for a 1-based inclusive range."""

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Bases ``start..end`` (1-based inclusive), uppercase."""
        ...


class FastaReference:
    """A faidx-indexed (optionally bgzipped) FASTA read with pysam."""

    def __init__(self, path: str) -> None:
        """Open the FASTA.

        Args:
            path: FASTA path (needs ``.fai``, and ``.gzi`` when bgzipped).

        Raises:
            InputError: the file cannot be opened.
        """
        try:
            self._fasta = pysam.FastaFile(path)
        except (OSError, ValueError) as err:
            raise InputError(f"{path}: cannot open FASTA ({err})") from err

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Bases ``start..end`` (1-based inclusive), uppercase; empty outside the contig."""
        if end < start or start < 1:
            return ""
        return self._fasta.fetch(chrom, start - 1, end).upper()


def revcomp(seq: str) -> str:
    """Reverse complement of a DNA string."""
    return seq.translate(_COMPLEMENT)[::-1]


class TranscriptMap:
    """Maps genomic positions to c./n. positions of one transcript."""

    def __init__(self, tx: Transcript) -> None:
        """Prepare cumulative exon offsets and the CDS start/end in transcript coordinates.

        Args:
            tx: the transcript.
        """
        self.tx = tx
        self.plus = tx.strand != "-"
        self._cum: list[int] = []
        total = 0
        for exon in tx.exons:
            self._cum.append(total)
            total += exon.length
        self.length = total
        self.cds_start: int | None = None
        self.cds_end: int | None = None
        if tx.cds:
            first = tx.cds[0].start if self.plus else tx.cds[0].end
            last = tx.cds[-1].end if self.plus else tx.cds[-1].start
            self.cds_start = self._cdna(first)[0]
            self.cds_end = self._cdna(last)[0]

    @property
    def prefix(self) -> str:
        """``c.`` for coding, ``n.`` for non-coding transcripts."""
        return "c." if self.cds_start is not None else "n."

    def _cdna(self, g: int) -> tuple[int, int]:
        """Genomic position → (transcript position, intronic offset)."""
        exons = self.tx.exons
        for i, exon in enumerate(exons):
            if exon.start <= g <= exon.end:
                off = g - exon.start if self.plus else exon.end - g
                return self._cum[i] + off + 1, 0
        first, last = exons[0], exons[-1]
        if (self.plus and g < first.start) or (not self.plus and g > first.end):
            dist = first.start - g if self.plus else g - first.end
            return 1 - dist, 0
        if (self.plus and g > last.end) or (not self.plus and g < last.start):
            dist = g - last.end if self.plus else last.start - g
            return self.length + dist, 0
        for i in range(len(exons) - 1):
            up, down = exons[i], exons[i + 1]
            if self.plus and up.end < g < down.start:
                d_up, d_down = g - up.end, down.start - g
            elif not self.plus and down.end < g < up.start:
                d_up, d_down = up.start - g, g - down.end
            else:
                continue
            if d_up <= d_down:
                return self._cum[i] + up.length, d_up
            return self._cum[i + 1] + 1, -d_down
        raise ValueError(f"position {g} not placeable on {self.tx.id}")

    def position(self, g: int) -> str:
        """HGVS position (without ``c.``) of a genomic position.

        E.g. ``2149``, ``-5``, ``*10``, ``123+5``.
        """
        cdna, offset = self._cdna(g)
        if self.cds_start is None or self.cds_end is None:
            base = str(cdna) if cdna >= 1 else f"-{1 - cdna}"
        elif cdna < self.cds_start:
            base = f"-{self.cds_start - cdna}"
        elif cdna > self.cds_end:
            base = f"*{cdna - self.cds_end}"
        else:
            base = str(cdna - self.cds_start + 1)
        if offset > 0:
            return f"{base}+{offset}"
        if offset < 0:
            return f"{base}{offset}"
        return base

    def span(self, start: int, end: int) -> str:
        """HGVS range for genomic ``start..end`` in transcript order."""
        if start == end:
            return self.position(start)
        lo, hi = (start, end) if self.plus else (end, start)
        return f"{self.position(lo)}_{self.position(hi)}"

    def strand_seq(self, seq: str) -> str:
        """A genomic (+) sequence on the transcript strand."""
        return seq if self.plus else revcomp(seq)


def _trim(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    while ref and alt and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    return pos, ref, alt


def _shift_deletion(
    ref_seq: Reference | None, chrom: str, start: int, end: int, plus: bool
) -> tuple[int, int]:
    """A deletion's span shifted 3' on the transcript strand (unchanged without a genome)."""
    if ref_seq is None:
        return start, end
    for _ in range(_MAX_SHIFT):
        if plus:
            nxt = ref_seq.fetch(chrom, end + 1, end + 1)
            if not nxt or nxt != ref_seq.fetch(chrom, start, start) or nxt == "N":
                break
            start, end = start + 1, end + 1
        else:
            prv = ref_seq.fetch(chrom, start - 1, start - 1)
            if not prv or prv != ref_seq.fetch(chrom, end, end) or prv == "N":
                break
            start, end = start - 1, end - 1
    return start, end


def hgvs_c(
    tx: Transcript,
    chrom: str,
    pos: int,
    ref: str,
    alt: str,
    reference: Reference | None = None,
) -> str:
    """HGVS c. (or n.) description of a VCF allele on a transcript.

    Args:
        tx: the transcript.
        chrom: VCF chrom.
        pos: VCF position (1-based).
        ref: VCF REF.
        alt: VCF ALT (a plain allele; symbolic alleles give an empty string).
        reference: the genome, needed for 3' shifting and duplications; without it indels are
            described where the VCF puts them.

    Returns:
        e.g. ``c.2149G>A``, ``c.100_102del``, ``c.100_101insA``, ``c.99dup``; empty when the
        allele is symbolic or identical to REF.
    """
    ref, alt = ref.upper(), alt.upper()
    if not alt or not set(alt) <= set("ACGTN") or not set(ref) <= set("ACGTN"):
        return ""
    tmap = TranscriptMap(tx)
    pfx = tmap.prefix
    pos, r, a = _trim(pos, ref, alt)
    if not r and not a:
        return ""
    if len(r) == 1 and len(a) == 1:
        return f"{pfx}{tmap.position(pos)}{tmap.strand_seq(r)}>{tmap.strand_seq(a)}"
    if not a:
        start, end = _shift_deletion(reference, chrom, pos, pos + len(r) - 1, tmap.plus)
        return f"{pfx}{tmap.span(start, end)}del"
    if not r:
        return _insertion(tmap, chrom, pos - 1, a, reference)
    return f"{pfx}{tmap.span(pos, pos + len(r) - 1)}delins{tmap.strand_seq(a)}"


def _insertion(
    tmap: TranscriptMap, chrom: str, left: int, ins: str, reference: Reference | None
) -> str:
    """Insertion of ``ins`` between genomic ``left`` and ``left + 1``."""
    pfx = tmap.prefix
    n = len(ins)
    if reference is not None:
        for _ in range(_MAX_SHIFT):
            if tmap.plus:
                nxt = reference.fetch(chrom, left + 1, left + 1)
                if not nxt or nxt == "N" or nxt != ins[0]:
                    break
                ins, left = ins[1:] + ins[0], left + 1
            else:
                prv = reference.fetch(chrom, left, left)
                if not prv or prv == "N" or prv != ins[-1]:
                    break
                ins, left = ins[-1] + ins[:-1], left - 1
        if tmap.plus:
            before = reference.fetch(chrom, left - n + 1, left)
            if before == ins:
                return f"{pfx}{tmap.span(left - n + 1, left)}dup"
        else:
            before = reference.fetch(chrom, left + 1, left + n)
            if before == ins:
                return f"{pfx}{tmap.span(left + 1, left + n)}dup"
    lo, hi = (left, left + 1) if tmap.plus else (left + 1, left)
    return f"{pfx}{tmap.position(lo)}_{tmap.position(hi)}ins{tmap.strand_seq(ins)}"


def _aa3(seq: str) -> str:
    try:
        return "".join(AA3[c] for c in seq)
    except KeyError as err:
        raise ValueError(f"unknown amino acid {err.args[0]!r}") from err


def _split_aa(part: str) -> tuple[int, str]:
    digits = ""
    i = 0
    while i < len(part) and part[i].isdigit():
        digits += part[i]
        i += 1
    if not digits:
        raise ValueError(f"amino-acid change part without position: {part!r}")
    return int(digits), part[i:]


def _protein_change(pos: int, ref_r: str, alt_r: str, consequence: Severity | None) -> str:
    """The HGVS p. description of residues ``ref_r`` > ``alt_r`` starting at ``pos``."""
    if consequence == Severity.frameshift_variant:
        if not ref_r:
            return ""
        if alt_r.startswith("*"):
            return f"p.({_aa3(ref_r[0])}{pos}Ter)"
        return f"p.({_aa3(ref_r[0])}{pos}fs)"
    if ref_r.startswith("*") and alt_r and alt_r[:1] != "*":
        return f"p.(Ter{pos}{_aa3(alt_r[0])}ext*?)"
    # common suffix, keeping at least one residue on the reference side
    j = 0
    while j < len(ref_r) - 1 and j < len(alt_r) and ref_r[-1 - j] == alt_r[-1 - j]:
        j += 1
    if j:
        ref_r, alt_r = ref_r[:-j], alt_r[:-j]
    if alt_r.startswith("*") and len(ref_r) >= 1:
        return f"p.({_aa3(ref_r[0])}{pos}Ter)"
    first = f"{_aa3(ref_r[0])}{pos}"
    span = first if len(ref_r) == 1 else f"{first}_{_aa3(ref_r[-1])}{pos + len(ref_r) - 1}"
    if not alt_r:
        return f"p.({span}del)"
    if len(ref_r) == 1 and len(alt_r) == 1:
        return f"p.({first}{_aa3(alt_r)})"
    return f"p.({span}delins{_aa3(alt_r)})"


def hgvs_p(aa_change: str, consequence: Severity | None = None) -> str:
    """HGVS p. (predicted) from a bcftools csq amino-acid change.

    Args:
        aa_change: e.g. ``717V>717I``, ``42S`` (synonymous), ``100R>100*``,
            ``40AVSF..*>40ACHS..*`` (frameshift), ``38FK>38L``.
        consequence: the SO consequence of the entry (selects fs/ext/start-lost forms).

    Returns:
        e.g. ``p.(Val717Ile)``, ``p.(Ser42=)``, ``p.(Arg100Ter)``, ``p.(Val41fs)``,
        ``p.(Phe38_Lys39delinsLeu)``, ``p.(Met1?)``; empty when nothing can be said.
    """
    if consequence == Severity.start_lost:
        return "p.(Met1?)"
    if not aa_change:
        return ""
    try:
        if ">" not in aa_change:
            p, seq = _split_aa(aa_change)
            return f"p.({_aa3(seq[:1])}{p}=)" if seq else ""
        left, right = aa_change.split(">", 1)
        p_ref, ref = _split_aa(left)
        p_alt, alt = _split_aa(right)
        if p_ref != p_alt:
            return ""
        # common prefix
        i = 0
        while i < len(ref) and i < len(alt) and ref[i] == alt[i]:
            i += 1
        if i == len(ref) == len(alt):
            return f"p.({_aa3(ref[:1])}{p_ref}=)"
        return _protein_change(p_ref + i, ref[i:], alt[i:], consequence)
    except ValueError:
        return ""
