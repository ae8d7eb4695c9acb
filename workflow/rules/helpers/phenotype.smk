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
    return (
        f"--phenotype {shlex.quote(input.phenotype)}" if input.get("phenotype") else ""
    )


def ontology_inputs():
    """The user's ontology files (nothing: the release the hpo3 package ships)."""
    return [str(ONTOLOGY_DIR / name) for name in ONTOLOGY_FILES] if ONTOLOGY_DIR else []


RESEARCH_MIN_SCORE = config.get("phenotype", {}).get("research_min_score", 0.5)


def research_samples():
    """Samples that get a research list: switched on (sheet or config) and with HPO terms."""
    return [s for s in SAMPLES if RUN.research(s) and SAMPLES[s].hpo]


def research_targets():
    """The research list's deliverables of every sample that gets one."""
    return [
        path
        for s in research_samples()
        for path in (
            f"results/research/{s}.tsv",
            f"results/research/{s}.json",
            f"results/research/{s}.html",
        )
    ]


def research_exclude(wildcards):
    """The resolved panels of the sample: their genes stay out of its research list."""
    return [
        f"results/panels/_regions/{p}.json" for p in sample_panels(wildcards.sample)
    ]
