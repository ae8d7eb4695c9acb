"""Reads to duplicate-marked CRAM: (BAM to FASTQ) -> fastp -> bwa mem | fixmate | sort -> merge
units -> markdup -> CRAM + index."""


include: "helpers/align.smk"


rule convert_bam_to_fastq:
    input:
        bam=bam_input,
    output:
        r1=temp("results/fastq/{sample}/{unit}_R1.fastq.gz"),
        r2=temp("results/fastq/{sample}/{unit}_R2.fastq.gz"),
    log:
        "logs/align/convert_bam_to_fastq/{sample}/{unit}.log",
    benchmark:
        "benchmarks/align/convert_bam_to_fastq/{sample}/{unit}.tsv"
    priority: reads_priority
    conda:
        "../../envs/samtools.yaml"
    threads: 2
    params:
        tmp="results/fastq/{sample}/{unit}.collate",
    shell:
        # quickcheck: a truncated BAM/CRAM would otherwise convert to part of its reads
        "(samtools quickcheck -v {input.bam:q}"
        " || (echo 'hurtig error: '{input.bam:q}': truncated or not a BAM/CRAM file' >&2;"
        " exit 1))"
        " 2> {log:q}"
        " && (samtools collate -@ {threads} -u -O {input.bam:q} {params.tmp:q}"
        " | samtools fastq -@ {threads} -F 0x900 -1 {output.r1:q}.tmp.gz -2 {output.r2:q}.tmp.gz"
        " -0 /dev/null -s /dev/null -n -) 2>> {log:q}"
        " && mv {output.r1:q}.tmp.gz {output.r1:q} && mv {output.r2:q}.tmp.gz {output.r2:q}"


rule check_reads:
    input:
        unpack(trim_input),
    output:
        "results/qc/reads/{sample}/{unit}.json",
    log:
        "logs/align/check_reads/{sample}/{unit}.log",
    benchmark:
        "benchmarks/align/check_reads/{sample}/{unit}.tsv"
    priority: reads_priority
    conda:
        "../../envs/hurtig.yaml"
    threads: 2
    shell:
        # fastp exits 0 on a truncated gzip, a short R2 or R1 given twice: read both to the end
        "hurtig check-reads --r1 {input.r1:q} --r2 {input.r2:q} --out {output:q} 2> {log:q}"


checkpoint trim_reads:
    input:
        unpack(trim_input),
    output:
        # read chunks 0001.R1.fastq.gz/0001.R2.fastq.gz, ... (alignment.chunk_reads pairs each)
        chunks=temp(directory("results/trimmed/{sample}/{unit}")),
        json="results/qc/fastp/{sample}/{unit}.json",
        html="results/qc/fastp/{sample}/{unit}.html",
    log:
        "logs/align/trim_reads/{sample}/{unit}.log",
    benchmark:
        "benchmarks/align/trim_reads/{sample}/{unit}.tsv"
    priority: reads_priority
    conda:
        "../../envs/fastp.yaml"
    threads: 2
    params:
        split=(
            f"--split_by_lines {4 * CHUNK_READS} --split_prefix_digits 4"
            if CHUNK_READS
            else ""
        ),
        part="results/trimmed/{sample}/{unit}.partial",
        # fastp's read-quality filter drops whole pairs, mostly homopolymer reads that carry
        # indel evidence (GIAB window indel F1 0.721 with it, 0.744 without: docs/VALIDATION.md);
        # off unless alignment.fastp_quality_filter. The length filter (15 bp) stays: a pair
        # trimmed that short cannot be placed by the aligner anyway.
        quality=(
            ""
            if ALIGNMENT.get("fastp_quality_filter", False)
            else "--disable_quality_filtering"
        ),
    shell:
        # Everything is written under temporary names and renamed at the end: a killed job
        # leaves no chunk folder or report that looks finished.
        "(rm -rf {params.part:q} && mkdir -p {params.part:q}"
        " && fastp --in1 {input.r1:q} --in2 {input.r2:q}"
        " --out1 {params.part:q}/R1.fastq.gz --out2 {params.part:q}/R2.fastq.gz {params.split}"
        " {params.quality} --detect_adapter_for_pe --thread {threads} --compression 1"
        " --json {params.part:q}/fastp.json --html {params.part:q}/fastp.html"
        " && if [ -e {params.part:q}/R1.fastq.gz ]; then"
        " mv {params.part:q}/R1.fastq.gz {params.part:q}/0001.R1.fastq.gz"
        " && mv {params.part:q}/R2.fastq.gz {params.part:q}/0001.R2.fastq.gz; fi"
        " && ls {params.part:q}/0001.R1.fastq.gz > /dev/null"
        # fastp exits 0 even when it could not write its output: the chunks must hold every
        # pair it kept, whole
        " && hurtig check-trimmed --dir {params.part:q} --fastp {params.part:q}/fastp.json"
        " && mv {params.part:q}/fastp.json {output.json:q}"
        # fastp's page loads scripts from the web: rewritten to load nothing (hurtig offline-html)
        " && hurtig offline-html --in {params.part:q}/fastp.html --out {output.html:q}"
        " && mv {params.part:q} {output.chunks:q}) 2> {log:q}"


rule align_reads:
    input:
        r1="results/trimmed/{sample}/{unit}/{chunk}.R1.fastq.gz",
        r2="results/trimmed/{sample}/{unit}/{chunk}.R2.fastq.gz",
        fasta=str(REFERENCE),
        index=ALIGNER_INDEX,
    output:
        bam=temp("results/alignment/units/{sample}/{unit}/{chunk}.bam"),
    log:
        "logs/align/align_reads/{sample}/{unit}/{chunk}.log",
    benchmark:
        "benchmarks/align/align_reads/{sample}/{unit}/{chunk}.tsv"
    priority: reads_priority
    conda:
        "../../envs/bwa.yaml" if ALIGNER == "bwa" else "../../envs/minimap2.yaml"
    threads: 4
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
    params:
        rg=read_group,
        tmp="results/alignment/units/{sample}/{unit}/{chunk}.sorttmp",
        index=lambda wc, input: input.index[0] if ALIGNER == "minimap2" else input.fasta,
    shell:
        ALIGN_READS


rule verify_reads:
    input:
        checks=lambda wc: expand(
            "results/qc/reads/{{sample}}/{unit}.json",
            unit=[u.unit for u in units_of(wc.sample)],
        ),
        fastp=lambda wc: expand(
            "results/qc/fastp/{{sample}}/{unit}.json",
            unit=[u.unit for u in units_of(wc.sample)],
        ),
    output:
        "results/qc/reads/{sample}.json",
    log:
        "logs/align/verify_reads/{sample}.log",
    priority: reads_priority
    conda:
        "../../envs/hurtig.yaml"
    params:
        min_pairs=ALIGNMENT.get("min_read_pairs", 1000),
    shell:
        "hurtig verify-reads --sample {wildcards.sample} --checks {input.checks:q}"
        " --fastp {input.fastp:q} --min-read-pairs {params.min_pairs} --out {output:q}"
        " 2> {log:q}"


rule mark_duplicates:
    input:
        bams=unit_chunk_bams,
        # the sample's reads were whole, paired and enough (hurtig verify-reads)
        reads="results/qc/reads/{sample}.json",
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        cram="results/alignment/{sample}.cram",
        crai="results/alignment/{sample}.cram.crai",
        stats="results/qc/markdup/{sample}.txt",
    log:
        "logs/align/mark_duplicates/{sample}.log",
    benchmark:
        "benchmarks/align/mark_duplicates/{sample}.tsv"
    conda:
        "../../envs/samtools.yaml"
    threads: 2
    params:
        tmp="results/alignment/{sample}.markdup",
        part="results/alignment/{sample}.partial.cram",
    shell:
        # Inputs and output are checked for truncation (samtools quickcheck); the CRAM and its
        # index are written under temporary names and renamed together at the end.
        "(rm -f {params.tmp:q}.* {params.part:q}*"
        " && samtools quickcheck -v {input.bams:q}"
        " && samtools merge -@ {threads} -u -o - {input.bams:q}"
        " | samtools markdup -@ {threads} -T {params.tmp:q} -f {output.stats:q}.tmp"
        " --reference {input.fasta:q} -O cram --write-index - {params.part:q}"
        " && samtools quickcheck -v {params.part:q}"
        " && hurtig check-markdup --stats {output.stats:q}.tmp --reads {input.reads:q}"
        " && mv {params.part:q}.crai {output.crai:q} && mv {params.part:q} {output.cram:q}"
        " && mv {output.stats:q}.tmp {output.stats:q}) 2> {log:q}"
