"""Helpers of the panel fast path rules (fast.smk): settings, which samples take it, inputs."""

FAST_PATH = config.get("fast_path", {})
FAST_EXTRA_REGIONS = cfg_path("fast_path", "regions")


def grouped_run():
    """True when job groups are in use (the SLURM profile's `groups:`; known once the DAG is
    built, not while this file is parsed).

    With job groups Snakemake 9.27 lost track of a grouped whole-genome job (KeyError in
    DAG.update_ready after the first `sample` group job finished, on a real SLURM) in runs with
    the fast path or the alignment priority (cause not isolated): both are off then, and the run
    says so once (docs/FAST_PATH.md).
    """
    grouped = bool(workflow.group_settings.overwrite_groups)
    if grouped and FAST_PATH.get("enabled", True) and not _FAST_NOTE:
        _FAST_NOTE.append(True)
        print(
            "hurtig: the panel fast path is off in this run: job groups are in use (the SLURM"
            " profile), see docs/FAST_PATH.md",
            file=sys.stderr,
        )
    return grouped


_FAST_NOTE = []


def fast_families():
    """Families that take the fast path: it is on, they have panels or extra regions, and the
    whole-genome alignment of some member is still to come.

    Once every member's CRAM exists (a rerun, e.g. for a new panel) the final report is minutes
    away and the read chunks the fast path reads are gone: no fast path then.
    """
    if not FAST_PATH.get("enabled", True) or grouped_run():
        return []
    return [
        f
        for f in FAMILIES
        if (family_panels(f) or FAST_EXTRA_REGIONS)
        and not all(
            Path(f"results/alignment/{s}.cram").exists() for s in family_samples(f)
        )
    ]


def fast_panel_definitions(wildcards):
    """The definition files of the family's panels (the versions this run uses)."""
    return [f for p in family_panels(wildcards.family) for f in panel_inputs(p)]


def fast_panel_args(wildcards):
    """hurtig fast-regions' panel options: registry, the sheet's specs, gene model, paddings."""
    specs = [panel_spec(p) for p in family_panels(wildcards.family)]
    if not specs:
        return ""
    return (
        f"--registry {shlex.quote(str(PANEL_DIR))} --specs {' '.join(map(shlex.quote, specs))}"
        f" --gff3 {shlex.quote(str(GFF3))}"
        f" --acceptor-padding {PADDING.get('acceptor', 20)}"
        f" --donor-padding {PADDING.get('donor', 6)}"
    )


def fast_alignments(wildcards):
    """The family's fast-path BAMs, in the VCF's sample order."""
    return [f"results/fast/alignment/{s}.bam" for s in family_samples(wildcards.family)]


def fast_targets():
    """The preliminary reports of every sample x panel of a fast-path family."""
    families = set(fast_families())
    return [
        f"results/report/{sample}/preliminary/{panel}.html"
        for sample, panel in sample_panel_pairs()
        if SAMPLES[sample].family in families
    ]


SCREEN_READS = bool(FAST_PATH.get("screen_reads", False))


def screened_chunks(wildcards, mate):
    """The unit's screened read chunks of one mate (R1/R2), known once fastp split the reads."""
    chunks = checkpoints.trim_reads.get(sample=wildcards.sample, unit=wildcards.unit)
    ids = sorted(glob_wildcards(f"{chunks.output.chunks}/{{chunk}}.R1.fastq.gz").chunk)
    return [
        f"results/fast/screen/{wildcards.sample}/{wildcards.unit}/{chunk}.{mate}.fastq.gz"
        for chunk in ids
    ]


def fast_read_bams(wildcards):
    """The sorted BAMs the fast path takes its reads from: the genome path's read chunks, or
    with fast_path.screen_reads each unit's screened reads (aligned before the genome path's).
    """
    if SCREEN_READS:
        return [
            f"results/fast/screen/{wildcards.sample}/{u.unit}.bam"
            for u in units_of(wildcards.sample)
        ]
    return unit_chunk_bams(wildcards)
