r"""``hurtig phenotype-scores``: score every annotated gene against one sample's HPO terms.

CLI::

    hurtig phenotype-scores --sample S --hpo HP:0001336,HP:0001251 \
        [--ontology-dir DIR] --out results/phenotype/S.json

Without ``--hpo`` terms the file records the release and no scores. The ontology is the one
``hpo3`` ships, or the files in ``--ontology-dir`` (:mod:`hurtig.phenotype.ontology`); scores:
:mod:`hurtig.phenotype.similarity`.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from hurtig.phenotype.ontology import check_terms, load_ontology, parse_terms
from hurtig.phenotype.scores_file import PhenotypeScores
from hurtig.phenotype.similarity import score_genes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line arguments."""
    parser = argparse.ArgumentParser(prog="hurtig phenotype-scores", description=__doc__)
    parser.add_argument("--sample", required=True)
    parser.add_argument("--hpo", default="", help="comma-separated HPO ids (may be empty)")
    parser.add_argument("--ontology-dir", type=Path, help="hp.obo, phenotype.hpoa, ...")
    parser.add_argument("--out", required=True, type=Path)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    args = parse_args(argv)
    started = time.monotonic()
    release = load_ontology(args.ontology_dir)
    terms = check_terms(f"--hpo of {args.sample}", parse_terms(args.hpo))
    genes = score_genes(terms)
    PhenotypeScores(
        sample=args.sample,
        ontology=release,
        terms=tuple((t.id, t.name) for t in terms),
        genes=genes,
        seconds=time.monotonic() - started,
    ).write(args.out)
    return 0
