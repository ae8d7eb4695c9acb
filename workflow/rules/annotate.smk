"""Annotation sources are prepared once (hurtig prepare-source: binary caches, rebuilt when a
source file changes); then annotation per shard: bcftools csq consequences (Ensembl GFF3), gnomAD,
ClinVar, in-house frequencies and configured score sources (hurtig annotate); the genome-wide
annotated VCF is the concatenation of the shards; then the family's calls are added to the
in-house database.
"""


include: "helpers/annotate.smk"


rule prepare_annotation_source:
    input:
        source=lambda wildcards: cached_sources()[wildcards.source],
        scores=SCORE_SOURCES if SCORES else [],
    output:
        # A note, not the cache folder itself: the folder may be shared by several runs
        # (annotation.cache_dir), and Snakemake deletes a job's outputs before it runs.
        "results/annotation_sources/{source}.json",
    log:
        "logs/annotate/prepare_annotation_source/{source}.log",
    benchmark:
        "benchmarks/annotate/prepare_annotation_source/{source}.tsv"
    wildcard_constraints:
        source=r"(?!consequences$)[A-Za-z][A-Za-z0-9_]*",
    # Every annotated shard waits for the caches, the panel's shards and the fast path's
    # annotation too: above the whole-genome alignment (measured: the 1/1000 rehearsal's
    # preliminary report waited 42 s for one of these behind align_reads at equal priority).
    priority: FAST_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    threads: 2
    resources:
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
    params:
        out=CACHE_DIR,
        sources=" ".join(static_source_args()),
        gff3=f"--gff3 {shlex.quote(str(GFF3))}" if GFF3 else "",
    shell:
        "hurtig prepare-source --out {params.out:q} --only {wildcards.source}"
        " {params.sources} {params.gff3} --threads {threads} --done {output:q} 2> {log:q}"


rule prepare_consequences:
    input:
        gnomad=str(GNOMAD) if GNOMAD else [],
        gff3=str(GFF3) if GFF3 else [],
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        # a note (the folder, keyed by the gene model and reference, may be shared by runs)
        CONSEQUENCES_NOTE,
    log:
        "logs/annotate/prepare_consequences.log",
    benchmark:
        "benchmarks/annotate/prepare_consequences.tsv"
    conda:
        "../../envs/hurtig.yaml"
    threads: 2
    resources:
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
    params:
        out=CACHE_DIR,
    shell:
        "hurtig prepare-source --out {params.out:q} --only consequences"
        " --gnomad {input.gnomad:q} --gff3 {input.gff3:q} --fasta {input.fasta:q}"
        " --consequences --threads {threads} --done {output:q} 2> {log:q}"


rule annotate_shard:
    input:
        bcf="results/calls/shards/{family}/{shard}.bcf",
        csi="results/calls/shards/{family}/{shard}.bcf.csi",
        fasta=str(REFERENCE),
        fai=REF_FAI,
        gff3=str(GFF3) if GFF3 else [],
        sources=annotation_source_files(),
        scores=SCORE_SOURCES if SCORES else [],
        caches=annotation_caches(),
    output:
        vcf="results/annotated/shards/{family}/{shard}.vcf.gz",
        tbi="results/annotated/shards/{family}/{shard}.vcf.gz.tbi",
    log:
        "logs/annotate/annotate_shard/{family}/{shard}.log",
    benchmark:
        "benchmarks/annotate/annotate_shard/{family}/{shard}.tsv"
    priority: shard_priority
    conda:
        "../../envs/hurtig.yaml"
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
    params:
        sources=lambda wildcards: source_args(wildcards.family),
        csq=CSQ_ARGS,
    shell:
        ANNOTATE_CALLS


rule concat_annotated:
    input:
        vcfs=lambda wc: expand(
            "results/annotated/shards/{family}/{shard}.vcf.gz",
            family=wc.family,
            shard=SHARDS,
        ),
    output:
        vcf="results/annotated/{family}.vcf.gz",
        tbi="results/annotated/{family}.vcf.gz.tbi",
    log:
        "logs/annotate/concat_annotated/{family}.log",
    benchmark:
        "benchmarks/annotate/concat_annotated/{family}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    params:
        tmp="results/annotated/{family}.sorttmp",
    shell:
        CONCAT_SORTED_VCF


rule add_to_inhouse:
    input:
        vcf="results/annotated/{family}.vcf.gz",
        # Every family of the run is annotated against the database as it was when the run
        # started: no family is added before all are annotated, whatever the job order.
        annotated=expand("results/annotated/{family}.vcf.gz", family=FAMILIES),
    output:
        "results/inhouse/{family}.tsv",
    log:
        "logs/annotate/add_to_inhouse/{family}.log",
    benchmark:
        "benchmarks/annotate/add_to_inhouse/{family}.tsv"
    conda:
        "../../envs/hurtig.yaml"
    params:
        db=str(INHOUSE),
    shell:
        "hurtig inhouse add --db {params.db:q} --vcf {input.vcf:q} --done {output:q}"
        " 2> {log:q}"
