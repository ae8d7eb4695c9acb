"""INFO keys other tools read, made from our annotation: VEP-style ``CSQ`` and ClinVar keys.

``CSQ`` is one entry per ``BCSQ`` transcript entry, ``|``-separated in the order of
:data:`CSQ_FIELDS` (named in the header's ``Format:`` list, as VEP writes it; Scout and ELLA
both read the field names from there). Values come from the ``BCSQ`` entry (consequence as SO
terms, gene symbol, transcript, biotype), the gene model (Ensembl gene id, HGNC id, strand,
exon/intron number, canonical tag) and our HGVS code (``hurtig.genes.hgvs``, the same c./p.
descriptions as the report). ClinVar keys are renamed to the ones ClinVar's own VCF uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pysam
from cyvcf2 import VCF, Variant, Writer

from hurtig.errors import InputError
from hurtig.genes.consequences import Consequence, parse_bcsq
from hurtig.genes.gene_model import GeneModel, Transcript
from hurtig.genes.hgvs import Reference, hgvs_c, hgvs_p
from hurtig.io.files import temp_path

CSQ_FIELDS: tuple[str, ...] = (
    "Allele",
    "Consequence",
    "IMPACT",
    "SYMBOL",
    "Gene",
    "Feature_type",
    "Feature",
    "BIOTYPE",
    "EXON",
    "INTRON",
    "HGVSc",
    "HGVSp",
    "STRAND",
    "SYMBOL_SOURCE",
    "HGNC_ID",
    "CANONICAL",
)
"""The CSQ fields, in order (VEP's names; Scout upper-cases them, ELLA reads them as written)."""

CSQ_HEADER = (
    '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations in the form of '
    "Ensembl VEP, made by hurtig from bcftools csq (BCSQ) and the gene model. Format: "
    + "|".join(CSQ_FIELDS)
    + '">'
)
"""The CSQ header line (the field list follows ``Format: ``, as both readers split on it)."""

CLINVAR_KEYS: tuple[tuple[str, str, str], ...] = (
    ("CLNSIG", "CLINVAR_SIG", "String"),
    ("CLNREVSTAT", "CLINVAR_REVSTAT", "String"),
    ("CLNVID", "CLINVAR_ID", "Integer"),
)
"""(ClinVar VCF key, our key, type): the ClinVar keys written from our annotation."""

CLINVAR_HEADERS: tuple[str, ...] = (
    '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar clinical significance '
    '(copied from CLINVAR_SIG)">',
    '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status '
    '(copied from CLINVAR_REVSTAT)">',
    '##INFO=<ID=CLNVID,Number=1,Type=Integer,Description="ClinVar variation id '
    '(copied from CLINVAR_ID)">',
)
"""Header lines of the ClinVar keys, in ClinVar's own VCF's Number/Type."""


def vep_allele(ref: str, alt: str) -> str:
    """The allele as VEP writes it: the shared first base trimmed, ``-`` for a deletion."""
    if len(ref) == len(alt) == 1 or not ref or not alt or ref[0] != alt[0]:
        return alt
    return alt[1:] or "-"


def exon_intron(tx: Transcript, pos: int) -> tuple[str, str]:
    """VEP's ``EXON``/``INTRON`` (``i/N``) of a position on a transcript (transcript order)."""
    exons = tx.exons
    for i, exon in enumerate(exons, start=1):
        if exon.start <= pos <= exon.end:
            return f"{i}/{len(exons)}", ""
    for i in range(1, len(exons)):
        lo = min(exons[i - 1].end, exons[i].end) + 1
        hi = max(exons[i - 1].start, exons[i].start) - 1
        if lo <= pos <= hi:
            return "", f"{i}/{len(exons) - 1}"
    return "", ""


@dataclass(frozen=True)
class CsqMaker:
    """Makes CSQ entries of records from their BCSQ value.

    Attributes:
        model: the gene model the annotation used.
        reference: the genome (3' shifting of indels in HGVS c.), or ``None``.
    """

    model: GeneModel
    reference: Reference | None = None

    def entry(self, chrom: str, pos: int, ref: str, alt: str, csq: Consequence) -> str:
        """The CSQ entry of one BCSQ transcript entry."""
        tx = self.model.transcript(csq.transcript)
        gene = self.model.gene_by_symbol(csq.gene)
        exon, intron = exon_intron(tx, pos) if tx is not None else ("", "")
        hgnc = gene.hgnc_id.split(":")[-1] if gene is not None and gene.hgnc_id else ""
        tx_name = tx.versioned_id if tx is not None else csq.transcript
        c_dot = hgvs_c(tx, chrom, pos, ref, alt, self.reference) if tx is not None else ""
        p_dot = hgvs_p(csq.aa_change, csq.worst) if csq.aa_change else ""
        strand = csq.strand or (tx.strand if tx is not None else "")
        values = {
            "Allele": vep_allele(ref, alt),
            "Consequence": csq.so_terms,
            "IMPACT": csq.impact.value,
            "SYMBOL": csq.gene,
            "Gene": tx.gene_id if tx is not None else "",
            "Feature_type": "Transcript",
            "Feature": csq.transcript,
            "BIOTYPE": csq.biotype,
            "EXON": exon,
            "INTRON": intron,
            "HGVSc": f"{tx_name}:{c_dot}" if c_dot else "",
            "HGVSp": f"{tx_name}:{p_dot}" if p_dot else "",
            "STRAND": {"+": "1", "-": "-1"}.get(strand, ""),
            "SYMBOL_SOURCE": "HGNC" if hgnc else "",
            "HGNC_ID": hgnc,
            "CANONICAL": "YES" if tx is not None and tx.is_canonical else "",
        }
        return "|".join(values[name] for name in CSQ_FIELDS)

    def value(self, variant: Variant) -> str | None:
        """The CSQ value of a record (``None`` without transcript consequences)."""
        raw = variant.INFO.get("BCSQ")
        if raw is None or not variant.ALT:
            return None
        try:
            parsed = parse_bcsq(raw if isinstance(raw, str) else ",".join(raw))
        except ValueError as err:
            raise InputError(f"{variant.CHROM}:{variant.POS}: {err}") from err
        entries = [
            self.entry(variant.CHROM, variant.POS, variant.REF, variant.ALT[0], c)
            for c in parsed
            if c.terms and c.transcript
        ]
        return ",".join(dict.fromkeys(entries)) or None


def clinvar_values(variant: Variant) -> dict[str, str | int]:
    """ClinVar's own keys (``CLNSIG``, ``CLNREVSTAT``, ``CLNVID``) from our ``CLINVAR_*`` keys."""
    out: dict[str, str | int] = {}
    for theirs, ours, kind in CLINVAR_KEYS:
        value = variant.INFO.get(ours)
        if value is None or value == "":
            continue
        text = value if isinstance(value, str) else ",".join(str(v) for v in value)
        if kind == "Integer":
            if text.isdigit():
                out[theirs] = int(text)
        else:
            out[theirs] = text
    return out


def rewrite_vcf(
    source: Path,
    out: Path,
    headers: Iterable[str],
    update: Callable[[Variant], Mapping[str, str | int] | None],
) -> int:
    """Copy a VCF with added header lines and INFO values, atomically.

    Args:
        source: the input VCF/BCF.
        out: ``*.vcf`` (plain text) or ``*.vcf.gz`` (bgzip, with a ``.tbi`` index).
        headers: ``##INFO`` lines to add.
        update: the INFO values of a record to write, or ``None`` to leave the record out.

    Returns:
        The number of records written.

    Raises:
        InputError: the input cannot be read.
    """
    try:
        reader = VCF(str(source))
    except OSError as err:
        raise InputError(f"{source}: cannot read VCF ({err})") from err
    for line in headers:
        reader.add_to_header(line)
    gz = out.name.endswith(".gz")
    tmp = temp_path(out, ".vcf.gz" if gz else ".vcf")
    writer = Writer(str(tmp), reader, mode="wz" if gz else "w")
    written = 0
    try:
        for variant in reader:
            values = update(variant)
            if values is None:
                continue
            for key, value in values.items():
                variant.INFO[key] = value
            writer.write_record(variant)
            written += 1
    finally:
        writer.close()
        reader.close()
    tmp.chmod(0o600)  # patient data, whatever the umask
    if gz:
        pysam.tabix_index(str(tmp), preset="vcf", force=True)
        Path(f"{tmp}.tbi").chmod(0o600)
        Path(f"{tmp}.tbi").replace(f"{out}.tbi")
    tmp.replace(out)
    return written
