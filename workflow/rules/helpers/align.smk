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
