"""Phenotype scores per sample: every annotated gene scored against the sample's HPO terms.

The job depends on the sample's terms (a parameter) and the ontology only, so adding or changing
HPO terms reruns it and the panel and report stages after it, never calling or annotation (call
once, filter many).
"""


include: "helpers/phenotype.smk"


rule score_phenotype:
    input:
        ontology=ontology_inputs(),
    output:
        "results/phenotype/{sample}.json",
    log:
        "logs/phenotype/score_phenotype/{sample}.log",
    benchmark:
        "benchmarks/phenotype/score_phenotype/{sample}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        # the rerun trigger: the sample's HPO terms (checked against the ontology at parse time)
        hpo=lambda wc: ",".join(SAMPLES[wc.sample].hpo),
        ontology=f"--ontology-dir {shlex.quote(str(ONTOLOGY_DIR))}" if ONTOLOGY_DIR else "",
    shell:
        "hurtig phenotype-scores --sample {wildcards.sample} --hpo {params.hpo:q}"
        " {params.ontology} --out {output:q} 2> {log:q}"
