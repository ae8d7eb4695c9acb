"""The phenotype evidence of a variant: its gene's phenotype score as points.

A gene whose best disease explains all of the patient's HPO terms earns ``phenotype_match``
points (default 6); a partial match earns that share of them
(:mod:`hurtig.phenotype.similarity`). Without HPO terms for the sample there is no phenotype
evidence at all, so runs without the ``hpo`` column rank as before.
"""

from __future__ import annotations

from collections.abc import Mapping

from hurtig.phenotype.scores_file import PhenotypeScores
from hurtig.prioritise.points import Evidence


def phenotype_points(gene: str, scores: PhenotypeScores | None, w: Mapping[str, float]) -> float:
    """The points a gene's phenotype score earns (0 without terms or without a match)."""
    if scores is None or not scores.terms or gene not in scores.genes:
        return 0.0
    return round(w["phenotype_match"] * scores.genes[gene].score, 2)


def phenotype_evidence(
    gene: str, scores: PhenotypeScores | None, w: Mapping[str, float]
) -> list[Evidence]:
    """The phenotype evidence item of a variant in ``gene`` (none when the sample has no terms).

    Args:
        gene: gene symbol.
        scores: the sample's phenotype scores, or ``None`` (no phenotype given).
        w: complete ranking weights.

    Returns:
        One item naming the matched terms and the best disease, or saying that no disease of the
        gene matches; empty without terms.
    """
    if scores is None or not scores.terms:
        return []
    match = scores.genes.get(gene)
    if match is None:
        text = f"phenotype: no disease of {gene} in HPO {scores.ontology.release} to match"
        return [Evidence("phenotype", 0.0, text)]
    return [Evidence("phenotype", phenotype_points(gene, scores, w), match.text())]
