r"""``hurtig sv-annotate``: the genes and exons a merged SV overlaps, and its count in the run.

CLI::

    hurtig sv-annotate --vcf results/sv/merged/FAM.vcf.gz \
        --run results/sv/merged/*.vcf.gz [--gff3 genes.gff3.gz] \
        [--inhouse sv_inhouse.sqlite --family FAM] [--population gnomad_sv.vcf.gz] \
        --out results/sv/FAM.vcf.gz

INFO keys added:

- ``SVGENES``: one ``SYMBOL|TRANSCRIPT|EXONS`` item per gene overlapped, on the gene's preferred
  transcript (MANE Select / Ensembl canonical tag, else the longest CDS, else the longest);
  ``EXONS`` is e.g. ``6-8``, ``4`` or ``none`` (intronic), numbered in transcript order. The
  panel stage describes the panel's own transcript (:func:`exons_overlapped`).
- ``RUN_CARRIERS`` / ``RUN_SAMPLES``: samples of this run (all families' merged SV VCFs) that
  carry an event of the same type with reciprocal overlap ≥ 50 %, and samples in the run.
- With ``--inhouse`` (the in-house SV database, :mod:`hurtig.sv.inhouse`; the family ``--family``
  and the VCF's own samples left out): ``INHOUSE_SV_AC`` / ``INHOUSE_SV_AN`` / ``INHOUSE_SV_AF``
  (alleles of other families' samples carrying a matching event, 2 per sample in the database,
  their ratio; no AF for an empty database), ``INHOUSE_SV_FAMILIES`` (other families carrying it)
  and ``INHOUSE_SV_DBFAM`` (other families in the database). A database file not yet created
  reads as empty. Without ``--inhouse`` none of these keys is declared.
- With ``--population`` (:mod:`hurtig.sv.population`, checked first): ``SV_POP_AF``, the highest
  AF of matching records (0: none matches; absent: the file lacks the contig); the header names
  the file (``##hurtig_sv_population``).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pysam

from hurtig.genes.gene_model import Gene, GeneModel, Transcript, load_gff3
from hurtig.io.files import temp_path
from hurtig.sv.inhouse import SvDatabase
from hurtig.sv.merge import MIN_RECIPROCAL_OVERLAP, reciprocal_overlap
from hurtig.sv.population import PopulationFile


def exons_overlapped(tx: Transcript, start: int, end: int) -> list[int]:
    """Numbers (transcript order, 1-based) of the exons of ``tx`` that ``start..end`` overlaps."""
    return [n for n, e in enumerate(tx.exons, start=1) if e.start <= end and start <= e.end]


def exon_range(numbers: Sequence[int]) -> str:
    """``6-8`` for consecutive exons 6, 7, 8; ``4`` for one; ``none`` for no exon."""
    if not numbers:
        return "none"
    lo, hi = min(numbers), max(numbers)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def preferred_transcript(gene: Gene) -> Transcript | None:
    """The gene's tagged canonical transcript, else the longest CDS, else the longest."""
    if not gene.transcripts:
        return None
    tagged = [t for t in gene.transcripts if t.is_canonical]
    if tagged:
        return tagged[0]
    return max(gene.transcripts, key=lambda t: (t.cds_length, t.end - t.start, t.id))


def genes_item(model: GeneModel, chrom: str, start: int, end: int) -> list[str]:
    """``SYMBOL|TRANSCRIPT|EXONS`` of every gene ``chrom:start-end`` overlaps."""
    items = []
    for gene in model.genes:
        if gene.chrom != chrom or gene.end < start or end < gene.start:
            continue
        tx = preferred_transcript(gene)
        if tx is None:
            continue
        items.append(f"{gene.name}|{tx.id}|{exon_range(exons_overlapped(tx, start, end))}")
    return items


@dataclass(frozen=True)
class RunEvent:
    """One event of the run and how many samples carry it."""

    chrom: str
    start: int
    end: int
    svtype: str
    carriers: int


def _carriers(rec: pysam.VariantRecord) -> int:
    return sum(
        1 for s in rec.samples.values() if any(a is not None and a > 0 for a in s.get("GT", ()))
    )


def run_events(paths: Sequence[Path]) -> tuple[list[RunEvent], int]:
    """The events of every family of the run, and the number of samples in the run."""
    events: list[RunEvent] = []
    samples = 0
    for path in paths:
        with pysam.VariantFile(str(path)) as vcf:
            samples += len(vcf.header.samples)
            for rec in vcf:
                svtype = str(rec.info["SVTYPE"])
                events.append(RunEvent(rec.chrom, rec.pos + 1, rec.stop, svtype, _carriers(rec)))
    return events, samples


def run_carriers(events: Sequence[RunEvent], chrom: str, start: int, end: int, svtype: str) -> int:
    """Samples of the run carrying a matching event (same type, reciprocal overlap)."""
    return sum(
        e.carriers
        for e in events
        if e.chrom == chrom
        and e.svtype == svtype
        and reciprocal_overlap(e.start, e.end, start, end) >= MIN_RECIPROCAL_OVERLAP
    )


INHOUSE_HEADER: tuple[tuple[str, str, str], ...] = (
    (
        "INHOUSE_SV_AC",
        "Integer",
        "Alleles of other families' samples in the in-house SV database"
        " carrying a matching event (same type, reciprocal overlap >= 50%)",
    ),
    (
        "INHOUSE_SV_AN",
        "Integer",
        "Alleles in the in-house SV database (2 per sample), this family left out",
    ),
    ("INHOUSE_SV_AF", "Float", "INHOUSE_SV_AC / INHOUSE_SV_AN"),
    (
        "INHOUSE_SV_FAMILIES",
        "Integer",
        "Other families of the in-house SV database carrying a matching event",
    ),
    ("INHOUSE_SV_DBFAM", "Integer", "Other families in the in-house SV database"),
)


@dataclass
class Frequencies:
    """The optional frequency sources of the annotation."""

    inhouse: SvDatabase | None = None
    population: PopulationFile | None = None

    def declare(self, header: pysam.VariantHeader) -> None:
        """Add the INFO lines of the configured sources."""
        if self.inhouse is not None:
            for key, kind, text in INHOUSE_HEADER:
                header.add_line(f'##INFO=<ID={key},Number=1,Type={kind},Description="{text}">')
        if self.population is not None:
            header.add_line(f'##hurtig_sv_population=<File="{self.population.path.name}">')
            header.add_line(
                '##INFO=<ID=SV_POP_AF,Number=1,Type=Float,Description="Highest AF of the SV '
                "population file's matching events (same type, reciprocal overlap >= 50%); 0: "
                'none matches">'
            )

    def fill(self, rec: pysam.VariantRecord, start: int, svtype: str) -> None:
        """Set the INFO values of one record."""
        if self.inhouse is not None:
            f = self.inhouse.frequency(rec.chrom, start, rec.stop, svtype)
            rec.info["INHOUSE_SV_AC"] = f.ac
            rec.info["INHOUSE_SV_AN"] = f.an
            if f.af is not None:
                rec.info["INHOUSE_SV_AF"] = round(f.af, 6)
            rec.info["INHOUSE_SV_FAMILIES"] = f.families
            rec.info["INHOUSE_SV_DBFAM"] = f.db_families
        if self.population is not None:
            af = self.population.max_af(rec.chrom, start, rec.stop, svtype)
            if af is not None:
                rec.info["SV_POP_AF"] = af

    def close(self) -> None:
        """Close the sources."""
        for source in (self.inhouse, self.population):
            if source is not None:
                source.close()


def annotate(
    vcf_path: Path,
    run: Sequence[Path],
    model: GeneModel | None,
    out: Path,
    frequencies: Frequencies | None = None,
) -> None:
    """Write the annotated VCF (bgzipped and indexed, under a temporary name, then renamed)."""
    events, n_samples = run_events(run)
    freq = frequencies or Frequencies()
    plain = temp_path(out, ".vcf")
    with pysam.VariantFile(str(vcf_path)) as vcf:
        header = vcf.header
        header.add_line(
            '##INFO=<ID=SVGENES,Number=.,Type=String,Description="Genes overlapped: '
            'SYMBOL|TRANSCRIPT|EXONS (preferred transcript, exons in transcript order)">'
        )
        header.add_line(
            '##INFO=<ID=RUN_CARRIERS,Number=1,Type=Integer,Description="Samples of the run '
            'carrying a matching event (same type, reciprocal overlap >= 50%)">'
        )
        header.add_line(
            '##INFO=<ID=RUN_SAMPLES,Number=1,Type=Integer,Description="Samples in the run">'
        )
        freq.declare(header)
        with pysam.VariantFile(str(plain), "w", header=header) as writer:
            for rec in vcf:
                start, svtype = rec.pos + 1, str(rec.info["SVTYPE"])
                if model is not None:
                    genes = genes_item(model, rec.chrom, start, rec.stop)
                    if genes:
                        rec.info["SVGENES"] = ",".join(genes)
                rec.info["RUN_CARRIERS"] = run_carriers(events, rec.chrom, start, rec.stop, svtype)
                rec.info["RUN_SAMPLES"] = n_samples
                freq.fill(rec, start, svtype)
                writer.write(rec)
    pysam.tabix_index(str(plain), preset="vcf", force=True)
    os.replace(f"{plain}.gz.tbi", f"{out}.tbi")
    os.replace(f"{plain}.gz", out)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="hurtig sv-annotate", description=__doc__)
    parser.add_argument("--vcf", required=True, type=Path)
    parser.add_argument("--run", required=True, nargs="+", type=Path)
    parser.add_argument("--gff3", type=Path)
    parser.add_argument("--inhouse", type=Path, help="in-house SV database (hurtig sv-inhouse)")
    parser.add_argument("--family", help="the family left out of the in-house counts")
    parser.add_argument("--population", type=Path, help="SV population VCF (gnomAD-SV style)")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    if args.inhouse is not None and not args.family:
        parser.error("--inhouse needs --family")
    frequencies = Frequencies(
        population=PopulationFile(args.population) if args.population else None
    )
    model = load_gff3(args.gff3) if args.gff3 else None
    if args.inhouse is not None:
        with pysam.VariantFile(str(args.vcf)) as vcf:
            own = list(vcf.header.samples)
        frequencies.inhouse = SvDatabase(args.inhouse, args.family, own)
    try:
        annotate(args.vcf, args.run, model, args.out, frequencies)
    finally:
        frequencies.close()
    return 0
