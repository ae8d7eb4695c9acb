"""Per-sample alignment QC: samtools stats and mosdepth coverage."""


rule compute_alignment_stats:
    input:
        cram="results/alignment/{sample}.cram",
        crai="results/alignment/{sample}.cram.crai",
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        "results/qc/samtools_stats/{sample}.txt",
    log:
        "logs/qc/compute_alignment_stats/{sample}.log",
    benchmark:
        "benchmarks/qc/compute_alignment_stats/{sample}.tsv"
    conda:
        "../../envs/samtools.yaml"
    threads: 2
    shell:
        "samtools stats -@ {threads} --reference {input.fasta} {input.cram} > {output} 2> {log}"


rule compute_coverage:
    input:
        cram="results/alignment/{sample}.cram",
        shards=expand("results/shards/shard_{shard}.bed", shard=SHARDS),
        crai="results/alignment/{sample}.cram.crai",
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        summary="results/qc/mosdepth/{sample}.mosdepth.summary.txt",
        dist="results/qc/mosdepth/{sample}.mosdepth.global.dist.txt",
    log:
        "logs/qc/compute_coverage/{sample}.log",
    benchmark:
        "benchmarks/qc/compute_coverage/{sample}.tsv"
    conda:
        "../../envs/mosdepth.yaml"
    threads: 2
    params:
        prefix="results/qc/mosdepth/{sample}",
    shell:
        # --by the callable reference (the shards: all non-N sequence), so the summary's
        # total_region row is the mean coverage over sequence reads can map to.
        "(cat {input.shards} > {params.prefix}.callable.bed"
        " && mosdepth --threads {threads} --no-per-base --by {params.prefix}.callable.bed"
        " --fasta {input.fasta} {params.prefix} {input.cram}"
        " && rm -f {params.prefix}.callable.bed {params.prefix}.regions.bed.gz*) 2> {log}"
