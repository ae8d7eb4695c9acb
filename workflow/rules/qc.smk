"""Per-sample alignment QC (samtools stats, mosdepth coverage), the family's sample checks and
the run's MultiQC page."""


include: "helpers/qc.smk"


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
    priority: PANEL_PRIORITY
    conda:
        "../../envs/samtools.yaml"
    threads: 2
    shell:
        "(samtools stats -@ {threads} --reference {input.fasta:q} {input.cram:q} > {output:q}.tmp"
        " && mv {output:q}.tmp {output:q}) 2> {log:q}"


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
    priority: PANEL_PRIORITY
    conda:
        "../../envs/mosdepth.yaml"
    threads: 2
    params:
        prefix="results/qc/mosdepth/{sample}",
    shell:
        # --by the callable reference (the shards: all non-N sequence), so the summary's
        # total_region row is the mean coverage over sequence reads can map to.
        # (mosdepth writes under a temporary prefix; the two outputs are renamed at the end)
        "(cat {input.shards:q} > {params.prefix:q}.callable.bed"
        " && mosdepth --threads {threads} --no-per-base --by {params.prefix:q}.callable.bed"
        " --fasta {input.fasta:q} {params.prefix:q}.partial {input.cram:q}"
        " && mv {params.prefix:q}.partial.mosdepth.global.dist.txt {output.dist:q}"
        " && mv {params.prefix:q}.partial.mosdepth.summary.txt {output.summary:q}"
        " && rm -f {params.prefix:q}.callable.bed {params.prefix:q}.partial.*) 2> {log:q}"


rule genotype_identity_sites:
    input:
        crams=lambda wc: family_crams(wc),
        crais=lambda wc: [f"{c}.crai" for c in family_crams(wc)],
        sites=lambda wc: IDENTITY_SITES or [],
        tbi=lambda wc: f"{IDENTITY_SITES}.tbi" if IDENTITY_SITES else [],
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        vcf="results/qc/identity/{family}.vcf.gz",
        tbi="results/qc/identity/{family}.vcf.gz.tbi",
    log:
        "logs/qc/genotype_identity_sites/{family}.log",
    benchmark:
        "benchmarks/qc/genotype_identity_sites/{family}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/bcftools.yaml"
    params:
        mapq=config.get("calling", {}).get("min_mapq", 20),
        baseq=config.get("calling", {}).get("min_baseq", 13),
        part="results/qc/identity/{family}.partial.vcf.gz",
    shell:
        # every sample genotyped at every common SNP site, homozygous reference included (no -v);
        # written under a temporary name, indexed, then renamed with its index
        "(bcftools mpileup -f {input.fasta:q} -R {input.sites:q} -a FORMAT/AD,FORMAT/DP"
        " -q {params.mapq} -Q {params.baseq} --max-depth 1000 -Ou {input.crams:q}"
        " | bcftools call -m -a GQ -Oz -o {params.part:q}"
        " && bcftools index -t {params.part:q}"
        " && mv {params.part:q}.tbi {output.tbi:q} && mv {params.part:q} {output.vcf:q})"
        " 2> {log:q}"


rule check_family:
    input:
        unpack(identity_inputs),
        # the shards the family's panels need (all shards when it has none), so the checks
        # that gate the panel report do not wait for the rest of the genome
        vcf=lambda wc: f"results/panels/_vcf/{wc.family}/{FAMILY_PANELS}.vcf.gz",
        tbi=lambda wc: f"results/panels/_vcf/{wc.family}/{FAMILY_PANELS}.vcf.gz.tbi",
        fai=REF_FAI,
        pedigree="results/run/pedigree/{family}.tsv",
        summaries=lambda wc: expand(
            "results/qc/mosdepth/{sample}.mosdepth.summary.txt",
            sample=family_samples(wc.family),
        ),
    output:
        "results/qc/checks/{family}.json",
    log:
        "logs/qc/check_family/{family}.log",
    benchmark:
        "benchmarks/qc/check_family/{family}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        fai=lambda wc, input: input.fai[0],
        build=BUILD,
        mosdepth=lambda wc, input: " ".join(
            f"{s}={p}" for s, p in zip(family_samples(wc.family), input.summaries)
        ),
        override=override_args(),
        identity=identity_args,
        # report.not_assessable_blocks: a not-assessable check blocks the report like a failure
        blocks=(
            "--not-assessable-blocks"
            if config.get("report", {}).get("not_assessable_blocks")
            else ""
        ),
    shell:
        "hurtig check-family --samples {input.pedigree:q} --family {wildcards.family}"
        " --vcf {input.vcf:q} --fai {params.fai:q} --mosdepth {params.mosdepth}"
        " --genome-build {params.build} {params.override} {params.blocks} {params.identity}"
        " --out {output:q} 2> {log:q}"


rule run_multiqc:
    input:
        fastp=[f"results/qc/fastp/{u.sample}/{u.unit}.json" for u in UNITS],
        stats=expand("results/qc/samtools_stats/{sample}.txt", sample=SAMPLES),
        summaries=expand(
            "results/qc/mosdepth/{sample}.mosdepth.summary.txt", sample=SAMPLES
        ),
        dists=expand(
            "results/qc/mosdepth/{sample}.mosdepth.global.dist.txt", sample=SAMPLES
        ),
    output:
        "results/qc/multiqc.html",
    log:
        "logs/qc/run_multiqc.log",
    benchmark:
        "benchmarks/qc/run_multiqc.tsv"
    conda:
        "../../envs/multiqc.yaml"
    params:
        tmp="results/qc/.multiqc.tmp",
    shell:
        # --flat: static plots embedded in the page. Debian's multiqc still links its
        # interactive-plot libraries from CDNs: `hurtig offline-html` removes every network
        # load (the page names the samples) and writes the final page atomically, mode 0600.
        "(rm -rf {params.tmp:q}"
        " && multiqc --force --flat --no-data-dir --filename multiqc.html"
        " --outdir {params.tmp:q} {input:q}"
        " && hurtig offline-html --in {params.tmp:q}/multiqc.html --out {output:q}"
        " && rm -rf {params.tmp:q}) > {log:q} 2>&1"
