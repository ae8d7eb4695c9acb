"""Helpers of the align rules (align.smk): input functions, parameters, settings."""


def unit_of(wildcards):
    """The units.tsv row of a {sample}/{unit} job."""
    for u in UNITS:
        if u.sample == wildcards.sample and u.unit == wildcards.unit:
            return u
    raise ValueError(f"unknown unit {wildcards.sample}/{wildcards.unit}")


def trim_input(wildcards):
    """The unit's FASTQ pair (converted from its BAM when the sheet gives a BAM)."""
    unit = unit_of(wildcards)
    if unit.bam is not None:
        return {
            "r1": f"results/fastq/{wildcards.sample}/{wildcards.unit}_R1.fastq.gz",
            "r2": f"results/fastq/{wildcards.sample}/{wildcards.unit}_R2.fastq.gz",
        }
    return {"r1": str(unit.fq1), "r2": str(unit.fq2)}


def unit_chunk_bams(wildcards):
    """Aligned read chunks of all units of a sample (known once fastp has split the reads)."""
    bams = []
    for unit in units_of(wildcards.sample):
        chunks = checkpoints.trim_reads.get(sample=wildcards.sample, unit=unit.unit)
        ids = sorted(
            glob_wildcards(f"{chunks.output.chunks}/{{chunk}}.R1.fastq.gz").chunk
        )
        bams += [
            f"results/alignment/units/{wildcards.sample}/{unit.unit}/{chunk}.bam"
            for chunk in ids
        ]
    return bams


def bam_input(wildcards):
    return str(unit_of(wildcards).bam)


def read_group(wildcards):
    unit = unit_of(wildcards)
    return (
        f"@RG\\tID:{unit.sample}.{unit.unit}\\tSM:{unit.sample}\\tLB:{unit.library}"
        f"\\tPL:{unit.platform}\\tPU:{unit.unit}"
    )


CHUNK_READS = ALIGNMENT.get("chunk_reads", 0)


def reads_priority(wildcards):
    """Every family member's reads are aligned before any whole-genome step (duplicate marking,
    SV calling, genome QC): the panel fast path calls the family jointly from their chunks. Not
    with job groups (the SLURM profile), where the fast path is off (helpers/fast.smk).
    """
    return 0 if grouped_run() else PANEL_PRIORITY


# Aligner | fixmate | sort of the FASTQ pair {input.r1}, {input.r2} into {output.bam} (params rg,
# index, tmp): the same for the read chunks (align_reads) and the fast path's screened reads
# (align_screened_reads). bwa -K fixes the batch size so results do not depend on the thread
# count. The sorted BAM is written under a temporary name and renamed once complete (temporary
# files of a killed earlier attempt are removed first).
ALIGN_READS = (
    "rm -f {params.tmp:q}.*.bam && "
    + (
        "(bwa mem -t {threads} -K 100000000 -Y -R '{params.rg}' {params.index:q}"
        if ALIGNER == "bwa"
        else "(minimap2 -ax sr -t {threads} -Y -R '{params.rg}' {params.index:q}"
    )
    + " {input.r1:q} {input.r2:q}"
    " | samtools fixmate -m -u - -"
    " | samtools sort -@ {threads} -m 512M -T {params.tmp:q} -o {output.bam:q}.tmp.bam -)"
    " 2> {log:q} && mv {output.bam:q}.tmp.bam {output.bam:q}"
)
