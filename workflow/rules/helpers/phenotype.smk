"""Helpers of the phenotype rules (phenotype.smk): which samples have HPO terms, the ontology."""

ONTOLOGY_DIR = cfg_path("phenotype", "ontology_dir")
ONTOLOGY_FILES = ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt")


def phenotype_scores(wildcards):
    """The sample's phenotype scores file, or nothing when the sample has no HPO terms."""
    if not SAMPLES[wildcards.sample].hpo:
        return []
    return f"results/phenotype/{wildcards.sample}.json"


def phenotype_option(wildcards, input):
    """``--phenotype FILE`` for ``hurtig prioritise`` when the sample has HPO terms."""
    return f"--phenotype {shlex.quote(input.phenotype)}" if input.get("phenotype") else ""


def ontology_inputs():
    """The user's ontology files (nothing: the release the hpo3 package ships)."""
    return [str(ONTOLOGY_DIR / name) for name in ONTOLOGY_FILES] if ONTOLOGY_DIR else []
