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
    conda:
        "../../envs/samtools.yaml"
    threads: 2
    params:
        tmp="results/fastq/{sample}/{unit}.collate",
    shell:
        "(samtools collate -@ {threads} -u -O {input.bam} {params.tmp}"
        " | samtools fastq -@ {threads} -F 0x900 -1 {output.r1} -2 {output.r2}"
        " -0 /dev/null -s /dev/null -n -) 2> {log}"


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
    conda:
        "../../envs/fastp.yaml"
    threads: 2
    params:
        split=(
            f"--split_by_lines {4 * CHUNK_READS} --split_prefix_digits 4"
            if CHUNK_READS
            else ""
        ),
    shell:
        "(mkdir -p {output.chunks}"
        " && fastp --in1 {input.r1} --in2 {input.r2}"
        " --out1 {output.chunks}/R1.fastq.gz --out2 {output.chunks}/R2.fastq.gz {params.split}"
        " --detect_adapter_for_pe --thread {threads} --compression 1"
        " --json {output.json} --html {output.html}"
        " && if [ -e {output.chunks}/R1.fastq.gz ]; then"
        " mv {output.chunks}/R1.fastq.gz {output.chunks}/0001.R1.fastq.gz"
        " && mv {output.chunks}/R2.fastq.gz {output.chunks}/0001.R2.fastq.gz; fi"
        " && ls {output.chunks}/0001.R1.fastq.gz > /dev/null) 2> {log}"


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
        # bwa -K fixes the batch size so results do not depend on the thread count.
        (
            "(bwa mem -t {threads} -K 100000000 -Y -R '{params.rg}' {params.index}"
            if ALIGNER == "bwa"
            else "(minimap2 -ax sr -t {threads} -Y -R '{params.rg}' {params.index}"
        )
        + " {input.r1} {input.r2}"
        " | samtools fixmate -m -u - -"
        " | samtools sort -@ {threads} -m 512M -T {params.tmp} -o {output.bam} -) 2> {log}"


rule mark_duplicates:
    input:
        bams=unit_chunk_bams,
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
