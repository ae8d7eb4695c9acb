"""Reads to duplicate-marked CRAM: (BAM to FASTQ) -> fastp -> bwa mem | fixmate | sort -> merge
units -> markdup -> CRAM + index."""


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
    conda:
        "../../envs/samtools.yaml"
    threads: 2
    params:
        tmp="results/fastq/{sample}/{unit}.collate",
    shell:
        "(samtools collate -@ {threads} -u -O {input.bam} {params.tmp}"
        " | samtools fastq -@ {threads} -F 0x900 -1 {output.r1} -2 {output.r2}"
        " -0 /dev/null -s /dev/null -n -) 2> {log}"


rule trim_reads:
    input:
        unpack(trim_input),
    output:
        r1=temp("results/trimmed/{sample}/{unit}_R1.fastq.gz"),
        r2=temp("results/trimmed/{sample}/{unit}_R2.fastq.gz"),
        json="results/qc/fastp/{sample}/{unit}.json",
        html="results/qc/fastp/{sample}/{unit}.html",
    log:
        "logs/align/trim_reads/{sample}/{unit}.log",
    benchmark:
        "benchmarks/align/trim_reads/{sample}/{unit}.tsv"
    conda:
        "../../envs/fastp.yaml"
    threads: 2
    shell:
        "fastp --in1 {input.r1} --in2 {input.r2} --out1 {output.r1} --out2 {output.r2}"
        " --detect_adapter_for_pe --thread {threads} --compression 1"
        " --json {output.json} --html {output.html} 2> {log}"


rule align_reads:
    input:
        r1="results/trimmed/{sample}/{unit}_R1.fastq.gz",
        r2="results/trimmed/{sample}/{unit}_R2.fastq.gz",
        fasta=str(REFERENCE),
        index=REF_BWA,
    output:
        bam=temp("results/alignment/units/{sample}/{unit}.bam"),
    log:
        "logs/align/align_reads/{sample}/{unit}.log",
    benchmark:
        "benchmarks/align/align_reads/{sample}/{unit}.tsv"
    conda:
        "../../envs/bwa.yaml"
    threads: 4
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
    params:
        rg=read_group,
        tmp="results/alignment/units/{sample}/{unit}.sorttmp",
    shell:
        # -K fixes the batch size so results do not depend on the thread count.
        "(bwa mem -t {threads} -K 100000000 -Y -R '{params.rg}' {input.fasta} {input.r1} {input.r2}"
        " | samtools fixmate -m -u - -"
        " | samtools sort -@ {threads} -m 512M -T {params.tmp} -o {output.bam} -) 2> {log}"


rule mark_duplicates:
    input:
        bams=lambda wc: expand(
            "results/alignment/units/{{sample}}/{unit}.bam",
            unit=[u.unit for u in units_of(wc.sample)],
        ),
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
    shell:
        "(samtools merge -@ {threads} -u -o - {input.bams}"
        " | samtools markdup -@ {threads} -T {params.tmp} -f {output.stats}"
        " --reference {input.fasta} -O cram --write-index - {output.cram}) 2> {log}"
