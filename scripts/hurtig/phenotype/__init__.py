"""Phenotype-driven prioritisation: HPO terms, the ontology, and gene phenotype scores."""
