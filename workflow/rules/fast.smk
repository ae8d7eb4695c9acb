"""The panel fast path: the panel answer straight after alignment.

As soon as a sample's read chunks are aligned, the reads over the family's panel regions are
merged and duplicate-marked on their own, called, annotated and prioritised, and a preliminary
report is written, while the whole-genome merge, duplicate marking, CRAM, QC, calling and SV/CNV
calling run on. Its calls equal the genome-wide calls inside the panels (tests/e2e); the final
report (results/report/{sample}/{panel}.html) supersedes the preliminary one.
"""


include: "helpers/fast.smk"


rule fast_path_regions:
    input:
        # the family's panel definitions and the gene model, resolved here (as resolve_panel
        # does): the fast path's reads do not wait for the panel checkpoint
        panels=fast_panel_definitions,
        gff3=str(GFF3) if GFF3 else [],
        beds=[str(FAST_EXTRA_REGIONS)] if FAST_EXTRA_REGIONS else [],
        fai=REF_FAI,
    output:
        call="results/fast/_regions/{family}.call.bed",
        reads="results/fast/_regions/{family}.reads.bed",
    log:
        "logs/fast/fast_path_regions/{family}.log",
    benchmark:
        "benchmarks/fast/fast_path_regions/{family}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        panels=fast_panel_args,
        call_padding=FAST_PATH.get("call_padding", 100),
        read_padding=FAST_PATH.get("read_padding", 1000),
        fai=lambda wc, input: input.fai[0],
    shell:
        "hurtig fast-regions {params.panels} --beds {input.beds:q} --fai {params.fai:q}"
        " --call-padding {params.call_padding} --read-padding {params.read_padding}"
        " --out-call {output.call:q} --out-reads {output.reads:q} 2> {log:q}"


rule build_panel_kmers:
    input:
        bed="results/fast/_regions/{family}.reads.bed",
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        "results/fast/_regions/{family}.kmers.npz",
    log:
        "logs/fast/build_panel_kmers/{family}.log",
    benchmark:
        "benchmarks/fast/build_panel_kmers/{family}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        max_copies=FAST_PATH.get("screen_max_copies", 0),
    shell:
        # canonical 31-mers; written under a temporary name and renamed (hurtig.panels.read_screen)
        "hurtig panel-kmers --fasta {input.fasta:q} --bed {input.bed:q}"
        " --max-copies {params.max_copies} --out {output:q} 2> {log:q}"


rule screen_reads:
    input:
        r1="results/trimmed/{sample}/{unit}/{chunk}.R1.fastq.gz",
        r2="results/trimmed/{sample}/{unit}/{chunk}.R2.fastq.gz",
        kmers=lambda wc: f"results/fast/_regions/{SAMPLES[wc.sample].family}.kmers.npz",
    output:
        r1=temp("results/fast/screen/{sample}/{unit}/{chunk}.R1.fastq.gz"),
        r2=temp("results/fast/screen/{sample}/{unit}/{chunk}.R2.fastq.gz"),
        stats="results/fast/screen/{sample}/{unit}/{chunk}.json",
    log:
        "logs/fast/screen_reads/{sample}/{unit}/{chunk}.log",
    benchmark:
        "benchmarks/fast/screen_reads/{sample}/{unit}/{chunk}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    shell:
        # the pairs with a mate sharing a k-mer with the family's read regions, before any
        # alignment; written under temporary names and renamed (hurtig.panels.read_screen)
        "hurtig screen-reads --kmers {input.kmers:q} --r1 {input.r1:q} --r2 {input.r2:q}"
        " --out-r1 {output.r1:q} --out-r2 {output.r2:q} --stats {output.stats:q} 2> {log:q}"


rule concat_screened_reads:
    input:
        r1=lambda wc: screened_chunks(wc, "R1"),
        r2=lambda wc: screened_chunks(wc, "R2"),
    output:
        r1=temp("results/fast/screen/{sample}/{unit}.R1.fastq.gz"),
        r2=temp("results/fast/screen/{sample}/{unit}.R2.fastq.gz"),
    log:
        "logs/fast/concat_screened_reads/{sample}/{unit}.log",
    priority: FAST_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    shell:
        # one gzip FASTQ pair of the unit (gzip members concatenated), renamed when complete
        "(cat {input.r1:q} > {output.r1:q}.tmp && cat {input.r2:q} > {output.r2:q}.tmp"
        " && mv {output.r1:q}.tmp {output.r1:q} && mv {output.r2:q}.tmp {output.r2:q})"
        " 2> {log:q}"


rule align_screened_reads:
    input:
        r1="results/fast/screen/{sample}/{unit}.R1.fastq.gz",
        r2="results/fast/screen/{sample}/{unit}.R2.fastq.gz",
        fasta=str(REFERENCE),
        index=ALIGNER_INDEX,
    output:
        bam=temp("results/fast/screen/{sample}/{unit}.bam"),
    log:
        "logs/fast/align_screened_reads/{sample}/{unit}.log",
    benchmark:
        "benchmarks/fast/align_screened_reads/{sample}/{unit}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/bwa.yaml" if ALIGNER == "bwa" else "../../envs/minimap2.yaml"
    # the fast path's longest job: as many threads as the run allows (fast_path.align_threads)
    threads: FAST_PATH.get("align_threads", 16)
    resources:
        # the aligner's index (~5.5 GB for GRCh38) and samtools sort's 512 MB a thread
        mem_mb=lambda wc, threads, attempt: (6000 + 600 * threads) * attempt,
    params:
        rg=read_group,
        tmp="results/fast/screen/{sample}/{unit}.sorttmp",
        index=lambda wc, input: input.index[0] if ALIGNER == "minimap2" else input.fasta,
    shell:
        # the unit's screened pairs aligned to the whole reference exactly as the genome path
        # aligns a read chunk (same command and read group)
        ALIGN_READS


rule merge_panel_reads:
    input:
        # the read chunks aligned by the genome path, or with fast_path.screen_reads the
        # screened reads of each unit
        bams=fast_read_bams,
        # the sample's reads were whole, paired and enough (hurtig verify-reads)
        reads="results/qc/reads/{sample}.json",
        bed=lambda wc: f"results/fast/_regions/{SAMPLES[wc.sample].family}.reads.bed",
    output:
        bam="results/fast/alignment/{sample}.bam",
        csi="results/fast/alignment/{sample}.bam.csi",
    log:
        "logs/fast/merge_panel_reads/{sample}.log",
    benchmark:
        "benchmarks/fast/merge_panel_reads/{sample}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/samtools.yaml"
    threads: 2
    params:
        tmp="results/fast/alignment/{sample}.markdup",
        part="results/fast/alignment/{sample}.partial.bam",
        indexes=lambda wc, input: " ".join(shlex.quote(f"{b}.csi") for b in input.bams),
    shell:
        # Only the reads over the panel regions (the chunks' indexes), duplicate-marked among
        # themselves: the same duplicates as genome-wide there (hurtig.panels.fast_regions).
        "(rm -f {params.tmp:q}.* {params.part:q}*"
        " && samtools quickcheck -v {input.bams:q}"
        # the chunks are indexed here (samtools merge -L reads the regions through the indexes),
        # and the indexes removed with the merge
        " && samtools index -c -M {input.bams:q}"
        " && samtools merge -@ {threads} -u -L {input.bed:q} -o - {input.bams:q}"
        " | samtools markdup -@ {threads} -T {params.tmp:q} --write-index"
        " - {params.part:q}##idx##{params.part:q}.csi"
        " && samtools quickcheck -v {params.part:q}"
        " && mv {params.part:q}.csi {output.csi:q} && mv {params.part:q} {output.bam:q}"
        " && rm -f {params.indexes})"
        " 2> {log:q}"


rule call_panel_fast:
    input:
        alignments=fast_alignments,
        indexes=lambda wc: [f"{b}.csi" for b in fast_alignments(wc)],
        bed="results/fast/_regions/{family}.call.bed",
        sexes="results/run/pedigree/{family}.sexes.tsv",
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        bcf="results/fast/calls/{family}.bcf",
        csi="results/fast/calls/{family}.bcf.csi",
    log:
        "logs/fast/call_panel_fast/{family}.log",
    benchmark:
        "benchmarks/fast/call_panel_fast/{family}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/bcftools.yaml"
    params:
        mapq=CALLING.get("min_mapq", 20),
        baseq=CALLING.get("min_baseq", 13),
        min_qual=CALLING.get("min_qual", 20),
        ploidy=BUILD,
        part="results/fast/calls/{family}.partial.bcf",
    shell:
        CALL_FAMILY_REGIONS


rule annotate_panel_fast:
    input:
        bcf="results/fast/calls/{family}.bcf",
        csi="results/fast/calls/{family}.bcf.csi",
        fasta=str(REFERENCE),
        fai=REF_FAI,
        gff3=str(GFF3) if GFF3 else [],
        sources=annotation_source_files(),
        scores=SCORE_SOURCES if SCORES else [],
        caches=annotation_caches(consequences=False),
    output:
        vcf="results/fast/_vcf/{family}.vcf.gz",
        tbi="results/fast/_vcf/{family}.vcf.gz.tbi",
    log:
        "logs/fast/annotate_panel_fast/{family}.log",
    benchmark:
        "benchmarks/fast/annotate_panel_fast/{family}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
    params:
        sources=lambda wildcards: source_args(wildcards.family),
        csq=CSQ_ARGS,
    shell:
        ANNOTATE_CALLS


rule prioritise_fast:
    input:
        vcf=lambda wc: f"results/fast/_vcf/{SAMPLES[wc.sample].family}.vcf.gz",
        tbi=lambda wc: f"results/fast/_vcf/{SAMPLES[wc.sample].family}.vcf.gz.tbi",
        bed="results/panels/_regions/{panel}.bed",
        panel="results/panels/_regions/{panel}.json",
        settings="results/provenance/settings.json",
        pedigree=lambda wc: f"results/run/pedigree/{SAMPLES[wc.sample].family}.tsv",
        managed=str(MANAGED) if MANAGED else [],
        fasta=str(REFERENCE),
        fai=REF_FAI,
        phenotype=phenotype_scores,
    output:
        tsv="results/fast/panels/{sample}/{panel}.tsv",
        json="results/fast/panels/{sample}/{panel}.json",
    log:
        "logs/fast/prioritise_fast/{sample}/{panel}.log",
    benchmark:
        "benchmarks/fast/prioritise_fast/{sample}/{panel}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        managed=MANAGED_ARG,
        build=BUILD,
        phenotype=phenotype_option,
        # SVs/CNVs need the whole-genome alignment: the preliminary report says so
        sv="",
    shell:
        PRIORITISE


rule compute_fast_panel_coverage:
    input:
        alignment="results/fast/alignment/{sample}.bam",
        index="results/fast/alignment/{sample}.bam.csi",
        bed="results/panels/_regions/{panel}.bed",
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        regions="results/fast/qc/coverage/{sample}/{panel}.regions.bed.gz",
        thresholds="results/fast/qc/coverage/{sample}/{panel}.thresholds.bed.gz",
        summary="results/fast/qc/coverage/{sample}/{panel}.mosdepth.summary.txt",
    log:
        "logs/fast/compute_fast_panel_coverage/{sample}/{panel}.log",
    benchmark:
        "benchmarks/fast/compute_fast_panel_coverage/{sample}/{panel}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/mosdepth.yaml"
    params:
        prefix="results/fast/qc/coverage/{sample}/{panel}",
        threshold=COVERAGE_THRESHOLD,
    shell:
        PANEL_COVERAGE


rule write_fast_provenance:
    input:
        unpack(provenance_inputs),
        run_config="results/run/config.json",
    output:
        "results/fast/provenance/{sample}.json",
    log:
        "logs/fast/write_fast_provenance/{sample}.log",
    benchmark:
        "benchmarks/fast/write_fast_provenance/{sample}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        inputs=provenance_args,
    shell:
        PROVENANCE


rule render_preliminary_report:
    input:
        tsv="results/fast/panels/{sample}/{panel}.tsv",
        json="results/fast/panels/{sample}/{panel}.json",
        fastp=lambda wc: expand(
            "results/qc/fastp/{{sample}}/{unit}.json",
            unit=[u.unit for u in units_of(wc.sample)],
        ),
        thresholds="results/fast/qc/coverage/{sample}/{panel}.thresholds.bed.gz",
        regions="results/fast/qc/coverage/{sample}/{panel}.regions.bed.gz",
        provenance="results/fast/provenance/{sample}.json",
    output:
        "results/report/{sample}/preliminary/{panel}.html",
    log:
        "logs/fast/render_preliminary_report/{sample}/{panel}.log",
    benchmark:
        "benchmarks/fast/render_preliminary_report/{sample}/{panel}.tsv"
    priority: FAST_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        threshold=COVERAGE_THRESHOLD,
        sex=lambda wc: SAMPLES[wc.sample].sex,
        build=BUILD,
    shell:
        # written under a temporary name and renamed (hurtig render-report)
        "hurtig render-report --preliminary --tsv {input.tsv:q} --json {input.json:q}"
        " --fastp {input.fastp:q}"
        " --coverage-thresholds {input.thresholds:q} --coverage-regions {input.regions:q}"
        " --provenance {input.provenance:q} --coverage-threshold {params.threshold}"
        " --sex {params.sex} --genome-build {params.build} --out {output:q} 2> {log:q}"
