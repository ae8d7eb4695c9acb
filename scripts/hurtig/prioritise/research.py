r"""``hurtig research-list``: phenotype-matched candidates outside a sample's clinical panels.

CLI::

    hurtig research-list --vcf results/annotated/{family}.vcf.gz --samples pedigree.tsv \
        --sample S --gff3 genes.gff3.gz --phenotype results/phenotype/S.json \
        --settings results/provenance/settings.json --exclude-panel {panel}.json ... \
        --out-tsv OUT.tsv --out-json OUT.json [--fasta REF.fa] [--min-score 0.5]

The genes of the gene model whose phenotype score (:mod:`hurtig.phenotype.similarity`) reaches
``--min-score`` and that none of the sample's panels hold (``--exclude-panel``) become one
pseudo-panel, ``research``; its variants pass the same filters, inheritance assessment and points
as a panel's (:func:`hurtig.prioritise.ranking.prioritise`) and are then ordered phenotype first:
by the gene's phenotype score, then by points. The list is written to its own files and never
mixed into a panel's results. It is research: the genes were not chosen for the clinical question.
"""

from __future__ import annotations

import argparse
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

from hurtig.genes.gene_model import GeneModel, load_gff3
from hurtig.genes.hgvs import FastaReference
from hurtig.panels.formats.definition import Panel, PanelGene
from hurtig.panels.model import ResolvedPanel
from hurtig.panels.resolve import resolved_panel
from hurtig.phenotype.scores_file import PhenotypeScores
from hurtig.prioritise.cli import panel_summary, phenotype_summary
from hurtig.prioritise.points import sort_key
from hurtig.prioritise.ranking import prioritise
from hurtig.prioritise.results import ManagedSummary, PrioritisedResults, PrioritisedVariant
from hurtig.prioritise.settings import PrioritisationSettings
from hurtig.run.pedigree import load_pedigree

RESEARCH_ID = "research"
RESEARCH_NAME = "Research list: phenotype-matched genes outside the clinical panels"
DEFAULT_MIN_SCORE = 0.5
"""Genes whose phenotype score is below this are left out of the research list."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line arguments."""
    parser = argparse.ArgumentParser(prog="hurtig research-list", description=__doc__)
    parser.add_argument("--vcf", required=True, type=Path)
    parser.add_argument("--samples", required=True, type=Path)
    parser.add_argument("--sample", required=True)
    parser.add_argument("--gff3", required=True, type=Path)
    parser.add_argument("--phenotype", required=True, type=Path)
    parser.add_argument("--settings", required=True, type=Path)
    parser.add_argument("--exclude-panel", type=Path, nargs="*", default=[])
    parser.add_argument("--out-tsv", required=True, type=Path)
    parser.add_argument("--out-json", required=True, type=Path)
    parser.add_argument("--fasta", type=Path, help="reference FASTA for HGVS 3' shifting")
    parser.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE)
    parser.add_argument("--genome-build", help="reference build (default: the settings')")
    return parser.parse_args(argv)


def research_panel(
    model: GeneModel,
    gff3: str,
    scores: PhenotypeScores,
    exclude: Collection[str],
    min_score: float,
) -> ResolvedPanel:
    """The pseudo-panel of phenotype-matched genes outside the sample's panels.

    Args:
        model: the gene model.
        gff3: its path (recorded).
        scores: the sample's gene phenotype scores.
        exclude: symbols of the sample's panel genes (upper case).
        min_score: the lowest phenotype score a gene needs.
    """
    genes = tuple(
        PanelGene(hgnc_id=g.hgnc_id, symbol=g.name, transcripts=(), inheritance=())
        for g in model.genes
        if g.transcripts
        and g.name.upper() not in exclude
        and g.name in scores.genes
        and scores.genes[g.name].score >= min_score
    )
    panel = Panel(
        id=RESEARCH_ID,
        version="",
        display_name=RESEARCH_NAME,
        sha256="",
        path=gff3,
        genes=genes,
        format="research",
    )
    return resolved_panel(panel, model, gff3)


def phenotype_first(
    variants: Sequence[PrioritisedVariant], scores: PhenotypeScores
) -> list[PrioritisedVariant]:
    """Variants ordered by their gene's phenotype score, then by points; ranked from 1."""

    def key(v: PrioritisedVariant) -> tuple[float, tuple[float, tuple[int, str], int, str, str]]:
        match = scores.genes.get(v.gene)
        return (-(match.score if match else 0.0), sort_key(v.score, v.chrom, v.pos, v.ref, v.alt))

    ordered = sorted(variants, key=key)
    return [replace(v, rank=rank) for rank, v in enumerate(ordered, start=1)]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    args = parse_args(argv)
    settings = PrioritisationSettings.read(args.settings)
    scores = PhenotypeScores.read(args.phenotype)
    pedigree = load_pedigree(args.samples)
    exclude = {
        g.symbol.upper() for path in args.exclude_panel for g in ResolvedPanel.read(path).genes
    }
    model = load_gff3(args.gff3)
    panel = research_panel(model, str(args.gff3), scores, exclude, args.min_score)
    regions = [r for g in panel.genes for r in g.regions]
    reference = FastaReference(str(args.fasta)) if args.fasta else None
    build = settings.build(args.genome_build)
    found = prioritise(
        args.vcf, pedigree, args.sample, panel, regions, settings, reference, None, build,
        phenotype=scores,
    )  # fmt: skip
    person = pedigree.person(args.sample)
    results = PrioritisedResults(
        sample=args.sample,
        family=person.family,
        affected=person.affected,
        panel=panel_summary(panel),
        managed_variants=ManagedSummary(file=None, sha256=None, count=0),
        filters=settings.filters,
        ranking=settings.ranking,
        variants=tuple(phenotype_first(found, scores)),
        phenotype=phenotype_summary(scores),
    )
    results.table().write(args.out_tsv)
    results.write(args.out_json)
    return 0
