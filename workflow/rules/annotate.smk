"""Annotation: bcftools csq consequences (Ensembl GFF3), gnomAD, ClinVar, in-house frequencies
and configured score sources, in one sharded streaming pass (hurtig.annotate); then the
family's calls are added to the in-house database when one is configured."""


rule annotate_calls:
    input:
        vcf="results/calls/{family}.vcf.gz",
        tbi="results/calls/{family}.vcf.gz.tbi",
        fasta=str(REFERENCE),
        fai=REF_FAI,
        gff3=str(GFF3) if GFF3 else [],
        sources=annotation_source_files(),
    output:
        vcf="results/annotated/{family}.vcf.gz",
        tbi="results/annotated/{family}.vcf.gz.tbi",
    log:
        "logs/annotate/annotate_calls/{family}.log",
    benchmark:
        "benchmarks/annotate/annotate_calls/{family}.tsv"
    conda:
        "../../envs/hurtig.yaml"
    threads: 4
    resources:
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
    params:
        sources=lambda wildcards: source_args(wildcards.family),
        csq=f"--fasta {REFERENCE} --gff3 {GFF3}" if GFF3 else "",
    shell:
        # Without a gene model the calls get no BCSQ (e.g. the GIAB validation run).
        "python -m hurtig.annotate --vcf {input.vcf} --out {output.vcf} {params.csq}"
        " {params.sources} --threads {threads} 2> {log}"


rule add_to_inhouse:
    input:
        vcf="results/annotated/{family}.vcf.gz",
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
        "python -m hurtig.inhouse add --db {params.db} --vcf {input.vcf} --done {output}"
        " 2> {log}"
