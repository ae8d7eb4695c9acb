"""Consequences (bcftools csq on the Ensembl GFF3) and our own gnomAD/ClinVar annotation."""


rule predict_consequences:
    input:
        vcf="results/calls/{family}.vcf.gz",
        fasta=str(REFERENCE),
        fai=REF_FAI,
        gff3=str(GFF3) if GFF3 else [],
    output:
        temp("results/annotated/{family}.csq.bcf"),
    log:
        "logs/annotate/predict_consequences/{family}.log",
    benchmark:
        "benchmarks/annotate/predict_consequences/{family}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    shell:
        # Without a gene model the calls pass through unchanged (e.g. the GIAB validation run).
        (
            "bcftools csq -l -f {input.fasta} -g {input.gff3} -Ob -o {output} {input.vcf} 2> {log}"
            if GFF3
            else "bcftools view -Ob -o {output} {input.vcf} 2> {log}"
        )


rule annotate_calls:
    input:
        vcf="results/annotated/{family}.csq.bcf",
        sources=[str(p) for p in (GNOMAD, CLINVAR) if p],
    output:
        vcf="results/annotated/{family}.vcf.gz",
        tbi="results/annotated/{family}.vcf.gz.tbi",
    log:
        "logs/annotate/annotate_calls/{family}.log",
    benchmark:
        "benchmarks/annotate/annotate_calls/{family}.tsv"
    conda:
        "../../envs/hurtig.yaml"
    params:
        sources=source_args(),
    shell:
        "python -m hurtig.annotate --vcf {input.vcf} --out {output.vcf} {params.sources} 2> {log}"
