"""Reference indexes (bwa, fai), built next to the FASTA when missing."""

ALIGNMENT = config.get("alignment", {})
ALIGNER = ALIGNMENT.get("aligner", "bwa")
REF_FAI = [f"{REFERENCE}.fai"] + (
    [f"{REFERENCE}.gzi"] if str(REFERENCE).endswith(".gz") else []
)
REF_BWA = multiext(str(REFERENCE), ".amb", ".ann", ".bwt", ".pac", ".sa")
ALIGNER_INDEX = REF_BWA if ALIGNER == "bwa" else [f"{REFERENCE}.sr.mmi"]


rule index_reference_fai:
    input:
        fasta=str(REFERENCE),
    output:
        REF_FAI,
    log:
        "logs/reference/index_reference_fai/reference.log",
    benchmark:
        "benchmarks/reference/index_reference_fai/reference.tsv"
    conda:
        "../../envs/samtools.yaml"
    params:
        fai=lambda wc, output: output[0],
        gzi=lambda wc, output: output[1] if len(output) > 1 else "",
    shell:
        # indexes written under temporary names and renamed (they sit next to the FASTA)
        "(if [ -n {params.gzi:q} ]; then"
        " samtools faidx --fai-idx {params.fai:q}.tmp --gzi-idx {params.gzi:q}.tmp {input.fasta:q}"
        " && mv {params.gzi:q}.tmp {params.gzi:q};"
        " else samtools faidx --fai-idx {params.fai:q}.tmp {input.fasta:q}; fi"
        " && mv {params.fai:q}.tmp {params.fai:q}) 2> {log:q}"


rule index_reference_bwa:
    input:
        fasta=str(REFERENCE),
        fai=REF_FAI,
    output:
        REF_BWA,
    log:
        "logs/reference/index_reference_bwa/reference.log",
    benchmark:
        "benchmarks/reference/index_reference_bwa/reference.tsv"
    conda:
        "../../envs/bwa.yaml"
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        # The 'is' algorithm is ~5x faster than 'bwtsw' but only works below 2 Gbp (both strands).
        # The index is built under a temporary prefix and its five files renamed at the end.
        '(algo=$(awk \'{{n += $2}} END {{print (2 * n < 2000000000) ? "is" : "bwtsw"}}\' {input.fai[0]:q})'
        " && bwa index -a $algo -p {input.fasta:q}.tmpidx {input.fasta:q}"
        " && mv {input.fasta:q}.tmpidx.amb {input.fasta:q}.amb"
        " && mv {input.fasta:q}.tmpidx.ann {input.fasta:q}.ann"
        " && mv {input.fasta:q}.tmpidx.bwt {input.fasta:q}.bwt"
        " && mv {input.fasta:q}.tmpidx.pac {input.fasta:q}.pac"
        " && mv {input.fasta:q}.tmpidx.sa {input.fasta:q}.sa"
        ") 2> {log:q}"


rule index_reference_minimap2:
    input:
        fasta=str(REFERENCE),
    output:
        f"{REFERENCE}.sr.mmi",
    log:
        "logs/reference/index_reference_minimap2/reference.log",
    benchmark:
        "benchmarks/reference/index_reference_minimap2/reference.tsv"
    conda:
        "../../envs/minimap2.yaml"
    resources:
        mem_mb=lambda wc, attempt: 16000 * attempt,
    shell:
        "(minimap2 -x sr -d {output:q}.tmp {input.fasta:q} && mv {output:q}.tmp {output:q})"
        " 2> {log:q}"
