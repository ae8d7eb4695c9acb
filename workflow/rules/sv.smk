"""Structural and copy-number variants: Delly (split reads and discordant pairs, joint over the
family), TIDDIT (split reads and discordant pairs, per sample) and CNVkit (read depth, per
sample, flat reference), merged into one normalised SV VCF per family (hurtig sv-merge) and
annotated with the genes and exons they overlap, their count in the run and, when configured,
the in-house SV database and an SV population file (hurtig sv-annotate); with sv.inhouse set,
every family is added to the database once all the run's families are annotated
(hurtig sv-inhouse add).
Every output is written under a temporary name and renamed when complete.
"""


include: "helpers/sv.smk"


rule prepare_sv_reference:
    input:
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        fasta="results/sv/reference/genome.fa",
        fai="results/sv/reference/genome.fa.fai",
        access="results/sv/reference/access.bed",
    log:
        "logs/sv/prepare_sv_reference/reference.log",
    benchmark:
        "benchmarks/sv/prepare_sv_reference/reference.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/cnvkit.yaml"
    params:
        tmp="results/sv/reference/genome.partial",
    shell:
        # TIDDIT reads an uncompressed FASTA only; CNVkit's access regions skip the N runs
        "(gzip -dcf {input.fasta:q} > {params.tmp:q}.fa"
        " && samtools faidx {params.tmp:q}.fa"
        " && cnvkit access {params.tmp:q}.fa -o {params.tmp:q}.access.bed"
        " && mv {params.tmp:q}.access.bed {output.access:q}"
        " && mv {params.tmp:q}.fa.fai {output.fai:q}"
        " && mv {params.tmp:q}.fa {output.fasta:q}) 2> {log:q}"


rule call_sv_delly:
    input:
        crams=family_crams,
        crais=lambda wc: [f"{c}.crai" for c in family_crams(wc)],
        fasta="results/sv/reference/genome.fa",
        fai="results/sv/reference/genome.fa.fai",
    output:
        bcf="results/sv/delly/{family}.bcf",
        csi="results/sv/delly/{family}.bcf.csi",
    log:
        "logs/sv/call_sv_delly/{family}.log",
    benchmark:
        "benchmarks/sv/call_sv_delly/{family}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/delly.yaml"
    # Delly reads its input files in parallel (OpenMP), one thread per file
    threads: lambda wildcards: len(family_samples(wildcards.family))
    resources:
        # the members' files are read at the same time
        mem_mb=lambda wildcards, attempt: 2000
        * (1 + len(family_samples(wildcards.family)))
        * attempt,
        runtime=lambda wildcards, attempt: 240 * attempt,
    params:
        tmp="results/sv/delly/{family}.partial.bcf",
        mapq=SV.get("min_mapq", 20),
    shell:
        "(OMP_NUM_THREADS={threads} delly call -q {params.mapq} -g {input.fasta:q} -o {params.tmp:q} {input.crams:q}"
        " && mv {params.tmp:q}.csi {output.csi:q} && mv {params.tmp:q} {output.bcf:q})"
        " > {log:q} 2>&1"


rule call_sv_tiddit:
    input:
        cram="results/alignment/{sample}.cram",
        crai="results/alignment/{sample}.cram.crai",
        fasta="results/sv/reference/genome.fa",
        fai="results/sv/reference/genome.fa.fai",
    output:
        vcf="results/sv/tiddit/{sample}.vcf",
    log:
        "logs/sv/call_sv_tiddit/{sample}.log",
    benchmark:
        "benchmarks/sv/call_sv_tiddit/{sample}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/tiddit.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
        runtime=lambda wildcards, attempt: 240 * attempt,
    params:
        prefix="results/sv/tiddit/{sample}.partial",
    shell:
        # TIDDIT refuses to reuse a working folder: one left by a failed attempt is removed.
        # TIDDIT 3.5.2 crashes (numpy percentile of an empty array) on a sample with no split
        # read at all (the demo's father: 1.2 Mbp, no SV); only then is its header-only VCF
        # kept, saying so in the log; any other failure fails the job.
        "(rm -rf {params.prefix:q}_tiddit"
        " && (tiddit --sv --skip_assembly --threads {threads} --bam {input.cram:q}"
        " --ref {input.fasta:q} -o {params.prefix:q}"
        " || (test -f {params.prefix:q}_tiddit/splits_{wildcards.sample}.tab"
        " && ! test -s {params.prefix:q}_tiddit/splits_{wildcards.sample}.tab"
        " && grep -q '^#CHROM' {params.prefix:q}.vcf"
        " && echo 'hurtig: TIDDIT found no split read in {wildcards.sample}: no TIDDIT calls'))"
        " && rm -rf {params.prefix:q}_tiddit {params.prefix:q}.ploidies.tab"
        " && mv {params.prefix:q}.vcf {output.vcf:q}) > {log:q} 2>&1"


rule prepare_cnvkit_reference:
    input:
        fasta="results/sv/reference/genome.fa",
        fai="results/sv/reference/genome.fa.fai",
        access="results/sv/reference/access.bed",
    output:
        bins="results/sv/reference/cnvkit.bins.bed",
        reference="results/sv/reference/cnvkit.flat.cnn",
        antitarget="results/sv/reference/cnvkit.antitarget.cnn",
    log:
        "logs/sv/prepare_cnvkit_reference/reference.log",
    benchmark:
        "benchmarks/sv/prepare_cnvkit_reference/reference.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/cnvkit.yaml"
    resources:
        mem_mb=lambda wildcards, attempt: 8000 * attempt,
        runtime=lambda wildcards, attempt: 120 * attempt,
    params:
        tmp="results/sv/reference/cnvkit.partial",
        bin_size=SV.get("cnv_bin_size", 1000),
    shell:
        # what `cnvkit batch -m wgs -n` builds before it reads a sample: the accessible genome
        # cut into bins, no off-target bins, and a flat reference with the bins' GC content
        "(cnvkit target {input.access:q} --split --avg-size {params.bin_size}"
        " -o {params.tmp:q}.bins.bed"
        " && : > {params.tmp:q}.antitarget.bed"
        " && cnvkit reference -f {input.fasta:q} -t {params.tmp:q}.bins.bed"
        " -a {params.tmp:q}.antitarget.bed -o {params.tmp:q}.flat.cnn"
        " && printf 'chromosome\\tstart\\tend\\tgene\\tlog2\\n' > {params.tmp:q}.antitarget.cnn"
        " && rm {params.tmp:q}.antitarget.bed"
        " && mv {params.tmp:q}.antitarget.cnn {output.antitarget:q}"
        " && mv {params.tmp:q}.flat.cnn {output.reference:q}"
        " && mv {params.tmp:q}.bins.bed {output.bins:q}) > {log:q} 2>&1"


rule compute_cnv_coverage:
    input:
        cram="results/alignment/{sample}.cram",
        crai="results/alignment/{sample}.cram.crai",
        fasta="results/sv/reference/genome.fa",
        fai="results/sv/reference/genome.fa.fai",
        bins="results/sv/reference/cnvkit.bins.bed",
    output:
        cnn=temp("results/sv/cnvkit/{sample}.targetcoverage.cnn"),
    log:
        "logs/sv/compute_cnv_coverage/{sample}.log",
    benchmark:
        "benchmarks/sv/compute_cnv_coverage/{sample}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    # CNVkit's cost on a genome: the read depth of ~3 M bins, in chunks side by side
    threads: SV.get("cnv_threads", 8)
    resources:
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
        runtime=lambda wildcards, attempt: 240 * attempt,
    shell:
        "hurtig cnv-coverage --bins {input.bins:q} --alignments {input.cram:q}"
        " --fasta {input.fasta:q} --threads {threads} --out {output.cnn:q} 2> {log:q}"


rule call_cnv_cnvkit:
    input:
        coverage="results/sv/cnvkit/{sample}.targetcoverage.cnn",
        reference="results/sv/reference/cnvkit.flat.cnn",
        antitarget="results/sv/reference/cnvkit.antitarget.cnn",
    output:
        cnr="results/sv/cnvkit/{sample}.cnr",
        cns="results/sv/cnvkit/{sample}.call.cns",
    log:
        "logs/sv/call_cnv_cnvkit/{sample}.log",
    benchmark:
        "benchmarks/sv/call_cnv_cnvkit/{sample}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/cnvkit.yaml"
    threads: min(4, SV.get("cnv_threads", 8))
    resources:
        mem_mb=lambda wildcards, attempt: 8000 * attempt,
        runtime=lambda wildcards, attempt: 240 * attempt,
    params:
        outdir="results/sv/cnvkit/{sample}.partial",
    shell:
        # `cnvkit batch -m wgs -n` after its coverage step (same steps and settings, cnvlib
        # batch_run_sample): GC/RepeatMasker correction, CBS segmentation at p 1e-6, segment
        # confidence intervals; then segments called without batch's CI filter, which merged
        # a clear one-copy loss into its neighbours on the demo
        "(rm -rf {params.outdir:q} && mkdir -p {params.outdir:q}"
        " && cnvkit fix {input.coverage:q} {input.antitarget:q} {input.reference:q} --no-edge"
        " -o {params.outdir:q}/{wildcards.sample}.cnr"
        " && cnvkit segment {params.outdir:q}/{wildcards.sample}.cnr -m cbs -t 1e-6"
        " -p {threads} -o {params.outdir:q}/{wildcards.sample}.segments.cns"
        " && cnvkit segmetrics {params.outdir:q}/{wildcards.sample}.cnr"
        " -s {params.outdir:q}/{wildcards.sample}.segments.cns --ci --alpha 0.5"
        " --smooth-bootstrap -o {params.outdir:q}/{wildcards.sample}.cns"
        " && cnvkit call {params.outdir:q}/{wildcards.sample}.cns"
        " -o {params.outdir:q}/{wildcards.sample}.nofilter.call.cns"
        " && mv {params.outdir:q}/{wildcards.sample}.cnr {output.cnr:q}"
        " && mv {params.outdir:q}/{wildcards.sample}.nofilter.call.cns {output.cns:q}"
        " && rm -rf {params.outdir:q}) > {log:q} 2>&1"


rule merge_sv:
    input:
        delly="results/sv/delly/{family}.bcf",
        tiddit=lambda wc: expand(
            "results/sv/tiddit/{sample}.vcf", sample=family_samples(wc.family)
        ),
        cnvkit=lambda wc: expand(
            "results/sv/cnvkit/{sample}.call.cns", sample=family_samples(wc.family)
        ),
        fasta="results/sv/reference/genome.fa",
        fai="results/sv/reference/genome.fa.fai",
    output:
        vcf="results/sv/merged/{family}.vcf.gz",
        tbi="results/sv/merged/{family}.vcf.gz.tbi",
    log:
        "logs/sv/merge_sv/{family}.log",
    benchmark:
        "benchmarks/sv/merge_sv/{family}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        samples=lambda wc: ",".join(family_samples(wc.family)),
        per_sample=sv_sample_args,
    shell:
        "hurtig sv-merge --fasta {input.fasta:q} --samples {params.samples}"
        " --delly {input.delly:q} {params.per_sample} --out {output.vcf:q} 2> {log:q}"


rule annotate_sv:
    input:
        vcf="results/sv/merged/{family}.vcf.gz",
        run=expand("results/sv/merged/{family}.vcf.gz", family=FAMILIES),
        gff3=str(GFF3) if GFF3 else [],
        population=sv_population_inputs(),
    output:
        vcf="results/sv/{family}.vcf.gz",
        tbi="results/sv/{family}.vcf.gz.tbi",
    log:
        "logs/sv/annotate_sv/{family}.log",
    benchmark:
        "benchmarks/sv/annotate_sv/{family}.tsv"
    priority: PANEL_PRIORITY
    conda:
        "../../envs/hurtig.yaml"
    params:
        gff3=f"--gff3 {shlex.quote(str(GFF3))}" if GFF3 else "",
        frequency=sv_frequency_args,
    shell:
        "hurtig sv-annotate --vcf {input.vcf:q} --run {input.run:q} {params.gff3}"
        " {params.frequency} --out {output.vcf:q} 2> {log:q}"


rule add_to_sv_inhouse:
    input:
        vcf="results/sv/{family}.vcf.gz",
        # Every family of the run is annotated against the database as it was when the run
        # started: no family is added before all are annotated, whatever the job order.
        annotated=expand("results/sv/{family}.vcf.gz", family=FAMILIES),
    output:
        "results/sv/inhouse/{family}.tsv",
    log:
        "logs/sv/add_to_sv_inhouse/{family}.log",
    benchmark:
        "benchmarks/sv/add_to_sv_inhouse/{family}.tsv"
    conda:
        "../../envs/hurtig.yaml"
    params:
        db=str(SV_INHOUSE),
    shell:
        "hurtig sv-inhouse add --db {params.db:q} --vcf {input.vcf:q}"
        " --family {wildcards.family:q} --done {output:q} 2> {log:q}"
