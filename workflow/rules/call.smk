"""Joint calling per family per genomic shard with bcftools (normalised and soft-filtered per
shard, so each shard can be annotated and reported on its own), then the genome-wide VCF.
"""


include: "helpers/call.smk"


checkpoint make_shards:
    input:
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        beds=expand("results/shards/shard_{shard}.bed", shard=SHARDS),
        summary="results/shards/shards.tsv",
    log:
        "logs/call/make_shards/shards.log",
    benchmark:
        "benchmarks/call/make_shards/shards.tsv"
    priority: 100
    conda:
        "../../envs/hurtig.yaml"
    params:
        n=N_SHARDS,
    shell:
        "hurtig make-shards --fasta {input.fasta:q} --n {params.n} --outdir results/shards"
        " 2> {log:q}"


rule call_shard:
    input:
        alignments=family_crams,
        indexes=lambda wc: [f"{c}.crai" for c in family_crams(wc)],
        bed="results/shards/shard_{shard}.bed",
        sexes="results/run/pedigree/{family}.sexes.tsv",
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        bcf=temp("results/calls/shards/{family}/{shard}.bcf"),
        csi=temp("results/calls/shards/{family}/{shard}.bcf.csi"),
    log:
        "logs/call/call_shard/{family}/{shard}.log",
    benchmark:
        "benchmarks/call/call_shard/{family}/{shard}.tsv"
    priority: shard_priority
    conda:
        "../../envs/bcftools.yaml"
    params:
        mapq=CALLING.get("min_mapq", 20),
        baseq=CALLING.get("min_baseq", 13),
        min_qual=CALLING.get("min_qual", 20),
        ploidy=BUILD,
        part="results/calls/shards/{family}/{shard}.partial.bcf",
    shell:
        CALL_FAMILY_REGIONS


rule concat_calls:
    input:
        vcfs=lambda wc: expand(
            "results/calls/shards/{family}/{shard}.bcf", family=wc.family, shard=SHARDS
        ),
        csis=lambda wc: expand(
            "results/calls/shards/{family}/{shard}.bcf.csi",
            family=wc.family,
            shard=SHARDS,
        ),
    output:
        vcf="results/calls/{family}.vcf.gz",
        tbi="results/calls/{family}.vcf.gz.tbi",
    log:
        "logs/call/concat_calls/{family}.log",
    benchmark:
        "benchmarks/call/concat_calls/{family}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    params:
        tmp="results/calls/{family}.sorttmp",
    shell:
        CONCAT_SORTED_VCF
