"""Hand-off to the lab's tools: an ELLA analysis folder per sample and panel, Scout files per family.

Both read the prioritised results and the panel-region calls, so they rerun with the panel
stage only; each is written to results/.staging first and published when complete.
"""


include: "helpers/handoff.smk"


rule write_ella_analysis:
    input:
        vcf=lambda wc: f"results/panels/_vcf/{SAMPLES[wc.sample].family}/{wc.panel}.vcf.gz",
        tbi=lambda wc: f"results/panels/_vcf/{SAMPLES[wc.sample].family}/{wc.panel}.vcf.gz.tbi",
        pedigree=lambda wc: f"results/run/pedigree/{SAMPLES[wc.sample].family}.tsv",
        results="results/.staging/panels/{sample}/{panel}.json",
        checks=lambda wc: f"results/qc/checks/{SAMPLES[wc.sample].family}.json",
        bed="results/panels/_regions/{panel}.bed",
        gff3=str(GFF3),
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        directory("results/.staging/handoff/ella/{sample}/{panel}"),
    log:
        "logs/handoff/write_ella_analysis/{sample}/{panel}.log",
    benchmark:
        "benchmarks/handoff/write_ella_analysis/{sample}/{panel}.tsv"
    conda:
        "../../envs/hurtig.yaml"
    params:
        priority=ELLA_PRIORITY,
    shell:
        "hurtig write-ella --vcf {input.vcf:q} --samples {input.pedigree:q}"
        " --sample {wildcards.sample} --results {input.results:q} --panel-bed {input.bed:q}"
        " --gff3 {input.gff3:q} --fasta {input.fasta:q} --priority {params.priority}"
        " --checks {input.checks:q} --out {output:q} 2> {log:q}"


rule write_scout_case:
    input:
        vcf=f"results/panels/_vcf/{{family}}/{FAMILY_PANELS}.vcf.gz",
        tbi=f"results/panels/_vcf/{{family}}/{FAMILY_PANELS}.vcf.gz.tbi",
        pedigree="results/run/pedigree/{family}.tsv",
        results=family_results,
        crams=lambda wc: [
            f"results/alignment/{s}.cram" for s in family_samples(wc.family)
        ],
        gff3=str(GFF3),
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        vcf="results/.staging/handoff/scout/{family}/{family}.vcf.gz",
        tbi="results/.staging/handoff/scout/{family}/{family}.vcf.gz.tbi",
        ped="results/.staging/handoff/scout/{family}/{family}.ped",
        config="results/.staging/handoff/scout/{family}/{family}.load_config.yaml",
    log:
        "logs/handoff/write_scout_case/{family}.log",
    benchmark:
        "benchmarks/handoff/write_scout_case/{family}.tsv"
    conda:
        "../../envs/hurtig.yaml"
    params:
        alignments=family_alignments,
        owner=shlex.quote(SCOUT_OWNER),
        build=BUILD,
        deliver="results/handoff/scout/{family}",
    shell:
        "hurtig write-scout --vcf {input.vcf:q} --samples {input.pedigree:q}"
        " --family {wildcards.family} --results {input.results:q}"
        " --gff3 {input.gff3:q} --fasta {input.fasta:q} --alignment {params.alignments}"
        " --genome-build {params.build} --owner {params.owner}"
        " --out-vcf {output.vcf:q} --out-ped {output.ped:q} --out-config {output.config:q}"
        " --deliver-dir {params.deliver:q} 2> {log:q}"


rule publish_ella_analysis:
    input:
        "results/.staging/handoff/ella/{sample}/{panel}",
    output:
        directory("results/handoff/ella/{sample}/{panel}"),
    log:
        "logs/handoff/publish_ella_analysis/{sample}/{panel}.log",
    run:
        publish_tree(input[0], output[0])


rule publish_scout_case:
    input:
        vcf="results/.staging/handoff/scout/{family}/{family}.vcf.gz",
        tbi="results/.staging/handoff/scout/{family}/{family}.vcf.gz.tbi",
        ped="results/.staging/handoff/scout/{family}/{family}.ped",
        config="results/.staging/handoff/scout/{family}/{family}.load_config.yaml",
    output:
        vcf="results/handoff/scout/{family}/{family}.vcf.gz",
        tbi="results/handoff/scout/{family}/{family}.vcf.gz.tbi",
        ped="results/handoff/scout/{family}/{family}.ped",
        config="results/handoff/scout/{family}/{family}.load_config.yaml",
    log:
        "logs/handoff/publish_scout_case/{family}.log",
    run:
        publish([(input[k], output[k]) for k in ("tbi", "vcf", "ped", "config")])
