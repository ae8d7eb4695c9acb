"""Provenance per sample and the clinical report (HTML, PDF, XLSX) per sample and panel."""


include: "helpers/report.smk"


rule write_provenance:
    input:
        unpack(provenance_inputs),
        cram="results/alignment/{sample}.cram",
        run_config="results/run/config.json",
    output:
        "results/provenance/{sample}.json",
    log:
        "logs/report/write_provenance/{sample}.log",
    benchmark:
        "benchmarks/report/write_provenance/{sample}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        inputs=provenance_args,
    shell:
        PROVENANCE


rule write_read_views:
    # The reads of the proband and the parents around each prioritised variant, for the report.
    input:
        unpack(read_view_alignments),
        json="results/.staging/panels/{sample}/{panel}.json",
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        "results/.staging/read_views/{sample}/{panel}.json",
    log:
        "logs/report/write_read_views/{sample}/{panel}.log",
    benchmark:
        "benchmarks/report/write_read_views/{sample}/{panel}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        parents=read_view_parents,
    shell:
        "hurtig read-views --json {input.json:q} --reference {input.fasta:q}"
        " --proband {input.proband:q} {params.parents} --out {output:q} 2> {log:q}"


rule render_report:
    input:
        tsv="results/.staging/panels/{sample}/{panel}.tsv",
        json="results/.staging/panels/{sample}/{panel}.json",
        fastp=lambda wc: expand(
            "results/qc/fastp/{{sample}}/{unit}.json",
            unit=[u.unit for u in units_of(wc.sample)],
        ),
        stats="results/qc/samtools_stats/{sample}.txt",
        summary="results/qc/mosdepth/{sample}.mosdepth.summary.txt",
        thresholds="results/qc/coverage/{sample}/{panel}.thresholds.bed.gz",
        regions="results/qc/coverage/{sample}/{panel}.regions.bed.gz",
        provenance="results/provenance/{sample}.json",
        checks=lambda wc: f"results/qc/checks/{SAMPLES[wc.sample].family}.json",
        read_views="results/.staging/read_views/{sample}/{panel}.json",
    output:
        "results/.staging/report/{sample}/{panel}.html",
    log:
        "logs/report/render_report/{sample}/{panel}.log",
    benchmark:
        "benchmarks/report/render_report/{sample}/{panel}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        threshold=COVERAGE_THRESHOLD,
        sex=lambda wc: SAMPLES[wc.sample].sex,
        build=BUILD,
    shell:
        "hurtig render-report --tsv {input.tsv:q} --json {input.json:q} --fastp {input.fastp:q}"
        " --samtools-stats {input.stats:q} --mosdepth-summary {input.summary:q}"
        " --coverage-thresholds {input.thresholds:q} --coverage-regions {input.regions:q}"
        " --provenance {input.provenance:q} --checks {input.checks:q}"
        " --read-views {input.read_views:q}"
        " --coverage-threshold {params.threshold}"
        " --sex {params.sex} --genome-build {params.build}"
        " --out {output:q} 2> {log:q}"


rule print_report_pdf:
    input:
        "results/.staging/report/{sample}/{panel}.html",
    output:
        "results/.staging/report/{sample}/{panel}.pdf",
    log:
        "logs/report/print_report_pdf/{sample}/{panel}.log",
    benchmark:
        "benchmarks/report/print_report_pdf/{sample}/{panel}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    shell:
        "hurtig print-pdf --html {input:q} --out {output:q} 2> {log:q}"


rule write_report_xlsx:
    input:
        tsv="results/.staging/panels/{sample}/{panel}.tsv",
        json="results/.staging/panels/{sample}/{panel}.json",
        fastp=lambda wc: expand(
            "results/qc/fastp/{{sample}}/{unit}.json",
            unit=[u.unit for u in units_of(wc.sample)],
        ),
        stats="results/qc/samtools_stats/{sample}.txt",
        summary="results/qc/mosdepth/{sample}.mosdepth.summary.txt",
        thresholds="results/qc/coverage/{sample}/{panel}.thresholds.bed.gz",
        regions="results/qc/coverage/{sample}/{panel}.regions.bed.gz",
        checks=lambda wc: f"results/qc/checks/{SAMPLES[wc.sample].family}.json",
        read_views="results/.staging/read_views/{sample}/{panel}.json",
    output:
        "results/.staging/report/{sample}/{panel}.xlsx",
    log:
        "logs/report/write_report_xlsx/{sample}/{panel}.log",
    benchmark:
        "benchmarks/report/write_report_xlsx/{sample}/{panel}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        threshold=COVERAGE_THRESHOLD,
    shell:
        "hurtig write-xlsx --sample {wildcards.sample} --panel {wildcards.panel}"
        " --tsv {input.tsv:q} --json {input.json:q} --fastp {input.fastp:q}"
        " --samtools-stats {input.stats:q}"
        " --mosdepth-summary {input.summary:q} --coverage-thresholds {input.thresholds:q}"
        " --coverage-regions {input.regions:q} --checks {input.checks:q}"
        " --read-views {input.read_views:q}"
        " --coverage-threshold {params.threshold} --out {output:q} 2> {log:q}"


rule publish_panel_results:
    # A sample x panel's deliverables appear together, and only once all five are complete: a
    # rerun that fails before this point leaves the previous complete set in place.
    input:
        tsv="results/.staging/panels/{sample}/{panel}.tsv",
        json="results/.staging/panels/{sample}/{panel}.json",
        html="results/.staging/report/{sample}/{panel}.html",
        pdf="results/.staging/report/{sample}/{panel}.pdf",
        xlsx="results/.staging/report/{sample}/{panel}.xlsx",
    output:
        tsv="results/panels/{sample}/{panel}.tsv",
        json="results/panels/{sample}/{panel}.json",
        html="results/report/{sample}/{panel}.html",
        pdf="results/report/{sample}/{panel}.pdf",
        xlsx="results/report/{sample}/{panel}.xlsx",
    log:
        "logs/report/publish_panel_results/{sample}/{panel}.log",
    priority: PANEL_PRIORITY
    run:
        publish(
            [(input[k], output[k]) for k in ("tsv", "json", "xlsx", "pdf", "html")]
        )
