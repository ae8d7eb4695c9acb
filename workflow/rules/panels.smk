"""Panel stages: resolve a panel to regions, filter and rank one sample's variants, panel coverage.

Everything here depends on the genome-wide annotated VCF only, so a new panel or panel version
reruns these jobs alone (call once, filter many).
"""


include: "helpers/panels.smk"


checkpoint resolve_panel:
    input:
        # the definition file(s) the sample sheet's spec (id or id@version) selects
        panel=lambda wc: panel_inputs(wc.panel),
        gff3=str(GFF3) if GFF3 else [],
    output:
        bed="results/panels/_regions/{panel}.bed",
        json="results/panels/_regions/{panel}.json",
    log:
        "logs/panels/resolve_panel/{panel}.log",
    benchmark:
        "benchmarks/panels/resolve_panel/{panel}.tsv"
    priority: 100
    conda:
        "../../envs/hurtig.yaml"
    params:
        acceptor=PADDING.get("acceptor", 20),
        donor=PADDING.get("donor", 6),
        registry=str(PANEL_DIR),
        spec=lambda wc: panel_spec(wc.panel),
    shell:
        "hurtig resolve-panel --registry {params.registry:q} --spec {params.spec}"
        " --gff3 {input.gff3:q}"
        " --out-bed {output.bed:q} --out-json {output.json:q}"
        " --acceptor-padding {params.acceptor} --donor-padding {params.donor} 2> {log:q}"


rule gather_panel_calls:
    input:
        vcfs=panel_shard_vcfs,
    output:
        vcf="results/panels/_vcf/{family}/{panel}.vcf.gz",
        tbi="results/panels/_vcf/{family}/{panel}.vcf.gz.tbi",
    log:
        "logs/panels/gather_panel_calls/{family}/{panel}.log",
    benchmark:
        "benchmarks/panels/gather_panel_calls/{family}/{panel}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/bcftools.yaml"
    params:
        tmp="results/panels/_vcf/{family}/{panel}.sorttmp",
    shell:
        # Only the shards the panel overlaps: the panel answer does not wait for the genome.
        CONCAT_SORTED_VCF


rule prioritise_variants:
    input:
        vcf=lambda wc: f"results/panels/_vcf/{SAMPLES[wc.sample].family}/{wc.panel}.vcf.gz",
        tbi=lambda wc: f"results/panels/_vcf/{SAMPLES[wc.sample].family}/{wc.panel}.vcf.gz.tbi",
        bed="results/panels/_regions/{panel}.bed",
        panel="results/panels/_regions/{panel}.json",
        settings="results/provenance/settings.json",
        pedigree=lambda wc: f"results/run/pedigree/{SAMPLES[wc.sample].family}.tsv",
        managed=str(MANAGED) if MANAGED else [],
        fasta=str(REFERENCE),
        fai=REF_FAI,
        phenotype=phenotype_scores,
        sv=sv_panel_inputs,
    output:
        tsv="results/.staging/panels/{sample}/{panel}.tsv",
        json="results/.staging/panels/{sample}/{panel}.json",
    log:
        "logs/panels/prioritise_variants/{sample}/{panel}.log",
    benchmark:
        "benchmarks/panels/prioritise_variants/{sample}/{panel}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        managed=MANAGED_ARG,
        build=BUILD,
        phenotype=phenotype_option,
        sv=sv_panel_args,
    shell:
        PRIORITISE


rule compute_panel_coverage:
    input:
        alignment="results/alignment/{sample}.cram",
        index="results/alignment/{sample}.cram.crai",
        bed="results/panels/_regions/{panel}.bed",
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        regions="results/qc/coverage/{sample}/{panel}.regions.bed.gz",
        thresholds="results/qc/coverage/{sample}/{panel}.thresholds.bed.gz",
        summary="results/qc/coverage/{sample}/{panel}.mosdepth.summary.txt",
    log:
        "logs/panels/compute_panel_coverage/{sample}/{panel}.log",
    benchmark:
        "benchmarks/panels/compute_panel_coverage/{sample}/{panel}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/mosdepth.yaml"
    params:
        prefix="results/qc/coverage/{sample}/{panel}",
        threshold=COVERAGE_THRESHOLD,
    shell:
        PANEL_COVERAGE
