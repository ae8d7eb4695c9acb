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
        ontology=(
            f"--ontology-dir {shlex.quote(str(ONTOLOGY_DIR))}" if ONTOLOGY_DIR else ""
        ),
    shell:
        "hurtig phenotype-scores --sample {wildcards.sample} --hpo {params.hpo:q}"
        " {params.ontology} --out {output:q} 2> {log:q}"


rule research_list:
    # Genome-wide: waits for the family's annotated VCF, never holds up the panel answer.
    input:
        vcf=lambda wc: f"results/annotated/{SAMPLES[wc.sample].family}.vcf.gz",
        tbi=lambda wc: f"results/annotated/{SAMPLES[wc.sample].family}.vcf.gz.tbi",
        pedigree=lambda wc: f"results/run/pedigree/{SAMPLES[wc.sample].family}.tsv",
        phenotype="results/phenotype/{sample}.json",
        settings="results/provenance/settings.json",
        exclude=research_exclude,
        gff3=str(GFF3) if GFF3 else [],
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        tsv="results/.staging/research/{sample}.tsv",
        json="results/.staging/research/{sample}.json",
    log:
        "logs/phenotype/research_list/{sample}.log",
    benchmark:
        "benchmarks/phenotype/research_list/{sample}.tsv"
    conda:
        "../../envs/hurtig.yaml"
    params:
        min_score=RESEARCH_MIN_SCORE,
        build=BUILD,
    shell:
        "hurtig research-list --vcf {input.vcf:q} --samples {input.pedigree:q}"
        " --sample {wildcards.sample} --gff3 {input.gff3:q}"
        " --phenotype {input.phenotype:q} --settings {input.settings:q}"
        " --exclude-panel {input.exclude:q} --fasta {input.fasta:q}"
        " --min-score {params.min_score} --genome-build {params.build}"
        " --out-tsv {output.tsv:q} --out-json {output.json:q} 2> {log:q}"


rule render_research_report:
    input:
        "results/.staging/research/{sample}.json",
    output:
        "results/.staging/research/{sample}.html",
    log:
        "logs/phenotype/render_research_report/{sample}.log",
    conda:
        "../../envs/hurtig.yaml"
    shell:
        "hurtig render-research --json {input:q} --out {output:q} 2> {log:q}"


rule publish_research_list:
    # The research list's deliverables appear together, apart from every panel's.
    input:
        tsv="results/.staging/research/{sample}.tsv",
        json="results/.staging/research/{sample}.json",
        html="results/.staging/research/{sample}.html",
    output:
        tsv="results/research/{sample}.tsv",
        json="results/research/{sample}.json",
        html="results/research/{sample}.html",
    log:
        "logs/phenotype/publish_research_list/{sample}.log",
    run:
        publish([(input[k], output[k]) for k in ("tsv", "json", "html")])
