"""What a report's analysis did not examine: variant classes not assessed, panel genes concerned.

hurtig calls single-nucleotide variants and small insertions/deletions (``bcftools call``) on the
reference's contigs and reports those in the panel's regions. :data:`NOT_ASSESSED` names the
variant classes it does not assess; :func:`read_catalogue` reads the curated catalogue of genes
whose known disease mechanisms include such a class (``catalogue/known_mechanisms.tsv``, its
sources in ``catalogue/README.md``); :func:`report_scope` picks the panel's genes from it.
"""

from __future__ import annotations

import csv
import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from hashlib import sha256

from hurtig.errors import InputError

CATALOGUE = importlib.resources.files("hurtig.report") / "catalogue" / "known_mechanisms.tsv"
CATALOGUE_LABEL = "hurtig.report/catalogue/known_mechanisms.tsv"
CATALOGUE_COLUMNS = ("gene", "mechanism", "locus", "condition", "source", "url")

ASSESSED_SMALL = (
    "single-nucleotide variants and small insertions/deletions (bcftools) on the reference's "
    "contigs, in the panel's coding exons with splice padding"
)
ASSESSED = (
    f"{ASSESSED_SMALL}; deletions and duplications (Delly, TIDDIT, CNVkit) overlapping the panel "
    "transcripts' exons"
)
"""What the pipeline calls: one sentence for the report."""

SV_NOT_CALLED: tuple[str, str] = (
    "Structural and copy-number variants",
    "deletions, duplications, inversions, translocations and other structural or copy-number "
    "variants were not called in this run (sv.enabled: false, or results from before SV "
    "calling)",
)
"""The class not assessed when the run did not call SVs/CNVs (replaces the first two rows)."""

NOT_ASSESSED: tuple[tuple[str, str], ...] = (
    (
        "Balanced and complex structural variants",
        "inversions, translocations, insertions (mobile elements) and complex rearrangements "
        "are not reported; deletions and duplications are",
    ),
    (
        "Small copy-number changes read depth alone would show",
        "a single-exon deletion or duplication without split reads or discordant pairs can be "
        "missed (read-depth bins of about 1 kb); copy-number changes on chrX/chrY are not "
        "called by read depth",
    ),
    (
        "Repeat expansions",
        "short tandem repeats longer than the reads are neither sized nor called",
    ),
    (
        "Mitochondrial DNA",
        "mtDNA variants and their heteroplasmy are not assessed",
    ),
    (
        "Variants outside the panel regions",
        "deep-intronic, promoter, untranslated and regulatory variants outside the coding exons "
        "and splice padding are not reported",
    ),
    (
        "Poorly mappable regions",
        "reads below the calling's mapping-quality minimum (calling.min_mapq, default 20) are "
        "not used, so genes with a close paralog or pseudogene can be partly uncalled",
    ),
    (
        "Methylation and uniparental disomy",
        "imprinting and methylation defects and uniparental disomy are not assessed",
    ),
)
"""(variant class, what is not done) for every class the pipeline does not assess."""

MOSAIC = "Low-level mosaicism"


@dataclass(frozen=True)
class Mechanism:
    """One catalogue row: a gene whose known disease mechanism is a class not assessed."""

    gene: str
    mechanism: str
    locus: str
    condition: str
    source: str
    url: str


@dataclass(frozen=True)
class Scope:
    """What the report's analysis did and did not examine.

    Attributes:
        assessed: what the pipeline calls (one sentence).
        not_assessed: (variant class, what is not done) of the classes not assessed.
        genes: catalogue rows of the panel's genes (resolved or not), by gene.
        catalogue_sha256: checksum of the catalogue read.
    """

    assessed: str
    not_assessed: tuple[tuple[str, str], ...]
    genes: tuple[Mechanism, ...]
    catalogue_sha256: str


@cache
def read_catalogue() -> tuple[tuple[Mechanism, ...], str]:
    """The catalogue's rows and its SHA-256.

    Raises:
        InputError: the catalogue has another header or a row with an empty cell.
    """
    text = CATALOGUE.read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines(), delimiter="\t"))
    if not rows or tuple(rows[0]) != CATALOGUE_COLUMNS:
        raise InputError(f"{CATALOGUE_LABEL}: the header is not {', '.join(CATALOGUE_COLUMNS)}")
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(CATALOGUE_COLUMNS) or not all(cell.strip() for cell in row):
            raise InputError(f"{CATALOGUE_LABEL}: line {number} needs six non-empty cells")
        entries.append(Mechanism(*row))
    return tuple(entries), sha256(text.encode("utf-8")).hexdigest()


def not_assessed(
    min_allele_balance: str | None, sv_assessed: bool = True
) -> tuple[tuple[str, str], ...]:
    """The classes not assessed, with low-level mosaicism when the filters set an allele balance.

    Without SV/CNV calling, one row naming every structural and copy-number class replaces the
    two rows that describe the limits of the SV/CNV callers.
    """
    classes = NOT_ASSESSED if sv_assessed else (SV_NOT_CALLED, *NOT_ASSESSED[2:])
    if not min_allele_balance:
        return classes
    mosaic = f"variants below an allele balance of {min_allele_balance} are filtered out"
    return (*classes, (MOSAIC, mosaic))


def report_scope(
    panel_genes: Iterable[str], min_allele_balance: str | None = None, sv_assessed: bool = True
) -> Scope:
    """The report's scope for a panel: ``panel_genes`` are all its symbols, resolved or not.

    ``sv_assessed`` says whether the run called SVs/CNVs (the prioritised JSON records it).
    """
    entries, digest = read_catalogue()
    wanted = {gene.upper() for gene in panel_genes}
    genes = sorted((e for e in entries if e.gene.upper() in wanted), key=lambda e: e.gene)
    assessed = ASSESSED if sv_assessed else ASSESSED_SMALL
    return Scope(assessed, not_assessed(min_allele_balance, sv_assessed), tuple(genes), digest)
