"""Simulated demo trio reads (only needed when the units sheet points at resources/demo/reads)."""


rule simulate_demo_reads:
    input:
        planted=str(REPO / "resources/demo/planted_truth.tsv"),
        planted_sv=str(REPO / "resources/demo/planted_sv.tsv"),
        truth=str(REPO / "resources/demo/truth/NA12878_platinum.vcf.gz"),
        fasta=str(REPO / "resources/demo/reference/chr21.fa.gz"),
    output:
        reads=expand(
            str(DEMO_READS / "{person}_R{read}.fastq.gz"),
            person=["proband", "father", "mother"],
            read=[1, 2],
        ),
        truth=str(DEMO_READS / "trio_truth.vcf.gz"),
    log:
        "logs/demo/simulate_demo_reads/demo.log",
    benchmark:
        "benchmarks/demo/simulate_demo_reads/demo.tsv"
    conda:
        "../../envs/hurtig.yaml"
    threads: 2
    params:
        demo=lambda wc, input: Path(input.planted).parent,
        outdir=lambda wc, output: Path(output.truth).parent,
    shell:
        "hurtig simulate-demo --demo-dir {params.demo:q} --outdir {params.outdir:q} "
        "--threads {threads} > {log:q} 2>&1"
