r"""``hurtig prioritise``: prioritise one sample's variants within one gene panel.

CLI::

    hurtig prioritise --vcf results/annotated/{family}.vcf.gz --samples samples.tsv \
        --sample S --panel-json {panel}.json --panel-bed {panel}.bed \
        --settings results/provenance/settings.json --out-tsv OUT.tsv --out-json OUT.json \
        [--fasta REF.fa] [--managed MANAGED.tsv] [--genome-build GRCh38|GRCh37] \
        [--phenotype results/phenotype/S.json]
        [--sv-vcf results/sv/{family}.vcf.gz --sv-cnr SAMPLE=results/sv/cnvkit/SAMPLE.cnr ...]

The annotated family VCF is streamed one panel region at a time; records are filtered
(``settings["filters"]``, :mod:`hurtig.prioritise.filters`), inheritance is assessed over the
family (:mod:`hurtig.prioritise.inheritance`), and the survivors are scored
(``settings["ranking"]``, :mod:`hurtig.prioritise.points`) and written best first
(:mod:`hurtig.prioritise.results`). The genome build (its chrX PARs) comes from
``--genome-build``, else the settings' ``genome_build``, else GRCh38. Managed variants
(``--managed``): see :mod:`hurtig.prioritise.managed`. Phenotype evidence (``--phenotype``, the
sample's gene phenotype scores): see :mod:`hurtig.prioritise.phenotype_evidence`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from hurtig.genes.hgvs import FastaReference
from hurtig.io.files import sha256_file
from hurtig.panels.model import ResolvedPanel, read_bed
from hurtig.phenotype.scores_file import PhenotypeScores
from hurtig.prioritise.managed import load_managed
from hurtig.prioritise.ranking import prioritise
from hurtig.prioritise.results import (
    ManagedSummary,
    PanelGeneSummary,
    PanelSummary,
    PrioritisedResults,
)
from hurtig.prioritise.settings import PrioritisationSettings
from hurtig.prioritise.sources import vcf_source_releases
from hurtig.run.genome_build import BUILDS, DEFAULT_BUILD
from hurtig.run.pedigree import load_pedigree


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line arguments."""
    parser = argparse.ArgumentParser(prog="hurtig prioritise", description=__doc__)
    parser.add_argument("--vcf", required=True, type=Path)
    parser.add_argument("--samples", required=True, type=Path)
    parser.add_argument("--sample", required=True)
    parser.add_argument("--panel-json", required=True, type=Path)
    parser.add_argument("--panel-bed", required=True, type=Path)
    parser.add_argument("--settings", required=True, type=Path)
    parser.add_argument("--out-tsv", required=True, type=Path)
    parser.add_argument("--out-json", required=True, type=Path)
    parser.add_argument("--fasta", type=Path, help="reference FASTA for HGVS 3' shifting")
    parser.add_argument(
        "--managed",
        type=Path,
        help="lab-managed variants TSV (chrom,pos,ref,alt,classification,comment)",
    )
    parser.add_argument("--sv-vcf", type=Path, help="the family's annotated SV/CNV VCF")
    parser.add_argument(
        "--sv-cnr",
        action="append",
        default=[],
        metavar="SAMPLE=CNR",
        help="CNVkit bins of a sample, for the SV depth plots (repeatable)",
    )
    parser.add_argument(
        "--genome-build",
        choices=sorted(BUILDS),
        help=f"reference build, for the chrX PARs (default: the settings' or {DEFAULT_BUILD})",
    )
    parser.add_argument(
        "--phenotype", type=Path, help="the sample's phenotype scores (hurtig phenotype-scores)"
    )
    return parser.parse_args(argv)


def panel_summary(panel: ResolvedPanel) -> PanelSummary:
    """What the results record about the panel."""
    return PanelSummary(
        id=panel.id,
        version=panel.version,
        display_name=panel.display_name,
        sha256=panel.sha256,
        genes=tuple(
            PanelGeneSummary(
                g.symbol,
                g.hgnc_id,
                g.model.id,
                "/".join(g.inheritance),
                g.model.versioned_id,
                g.model.refseq,
                g.transcript_note,
                g.disease.phenotypes,
                g.disease.omim,
                g.disease.mechanism,
            )
            for g in panel.genes_by_symbol().values()
        ),
        missing_genes=panel.missing_genes,
    )


def phenotype_summary(scores: PhenotypeScores | None) -> dict[str, object] | None:
    """What the results record about the phenotype: terms and ontology release."""
    if scores is None or not scores.terms:
        return None
    return {
        "terms": [{"id": i, "name": n} for i, n in scores.terms],
        "ontology": scores.ontology.describe(),
        "release": scores.ontology.release,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    args = parse_args(argv)
    settings = PrioritisationSettings.read(args.settings)
    build = settings.build(args.genome_build)
    pedigree = load_pedigree(args.samples)
    panel = ResolvedPanel.read(args.panel_json)
    regions = read_bed(args.panel_bed)
    reference = FastaReference(str(args.fasta)) if args.fasta else None
    managed = load_managed(args.managed) if args.managed else None
    phenotype = PhenotypeScores.read(args.phenotype) if args.phenotype else None
    cnr = {s: Path(p) for s, _, p in (item.partition("=") for item in args.sv_cnr)}
    variants = prioritise(
        args.vcf,
        pedigree,
        args.sample,
        panel,
        regions,
        settings,
        reference,
        managed,
        build,
        phenotype=phenotype,
        sv_vcf=args.sv_vcf,
        cnr=cnr,
    )
    person = pedigree.person(args.sample)
    results = PrioritisedResults(
        sample=args.sample,
        family=person.family,
        affected=person.affected,
        panel=panel_summary(panel),
        managed_variants=ManagedSummary(
            file=str(args.managed) if args.managed else None,
            sha256=sha256_file(args.managed) if args.managed else None,
            count=len(managed or {}),
        ),
        filters=settings.filters,
        ranking=settings.ranking,
        variants=tuple(variants),
        phenotype=phenotype_summary(phenotype),
        sources=vcf_source_releases(args.vcf),
        sv_assessed=args.sv_vcf is not None,
    )
    results.table().write(args.out_tsv)
    results.write(args.out_json)
    return 0
