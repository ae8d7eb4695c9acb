"""Helpers of the panels rules (panels.smk): input functions, parameters, settings."""

PADDING = config.get("padding", {})
MANAGED = cfg_path("managed_variants")
MANAGED_ARG = f"--managed {shlex.quote(str(MANAGED))}" if MANAGED else ""

# One sample x panel prioritised (the genome path's panel VCF, or the fast path's); rules give
# input vcf/pedigree/panel/bed/settings/fasta and params managed/sv/build/phenotype.
PRIORITISE = (
    "hurtig prioritise --vcf {input.vcf:q} --samples {input.pedigree:q}"
    " --sample {wildcards.sample} --panel-json {input.panel:q} --panel-bed {input.bed:q}"
    " --settings {input.settings:q} --fasta {input.fasta:q} {params.managed} {params.sv}"
    " --genome-build {params.build} {params.phenotype}"
    " --out-tsv {output.tsv:q} --out-json {output.json:q} 2> {log:q}"
)

# Panel coverage with mosdepth (CRAM or the fast path's BAM), written under a temporary prefix
# and renamed at the end; rules give input alignment/bed/fasta, output summary and params
# prefix/threshold.
PANEL_COVERAGE = (
    "(mosdepth --no-per-base --by {input.bed:q} --thresholds {params.threshold}"
    " --fasta {input.fasta:q} {params.prefix:q}.partial {input.alignment:q}"
    " && mv {params.prefix:q}.partial.regions.bed.gz {params.prefix:q}.regions.bed.gz"
    " && mv {params.prefix:q}.partial.regions.bed.gz.csi {params.prefix:q}.regions.bed.gz.csi"
    " && mv {params.prefix:q}.partial.thresholds.bed.gz {params.prefix:q}.thresholds.bed.gz"
    " && mv {params.prefix:q}.partial.thresholds.bed.gz.csi {params.prefix:q}.thresholds.bed.gz.csi"
    " && mv {params.prefix:q}.partial.mosdepth.global.dist.txt {params.prefix:q}.mosdepth.global.dist.txt"
    " && mv {params.prefix:q}.partial.mosdepth.region.dist.txt {params.prefix:q}.mosdepth.region.dist.txt"
    " && mv {params.prefix:q}.partial.mosdepth.summary.txt {output.summary:q}) 2> {log:q}"
)


def panel_inputs(panel_id):
    """Definition file(s) of the panel version this run uses (newest unless pinned)."""
    requested = [p for s in SAMPLES.values() for p in s.panels]
    return panels.workflow_inputs(PANEL_DIR, panel_id, requested)


def panel_spec(panel_id):
    """The sample sheet's spec of a panel (``id`` or ``id@version``; one per run)."""
    return next(
        p for s in SAMPLES.values() for p in s.panels if p.split("@")[0] == panel_id
    )


def shard_beds():
    return {shard: Path(f"results/shards/shard_{shard}.bed") for shard in SHARDS}


def shards_for(family, panel):
    """Shards whose regions overlap the panel (or, for FAMILY_PANELS, any of the family's panels).

    Waits for the make_shards and resolve_panel checkpoints, so the panel's jobs depend on exactly
    the shards they need and not on the genome-wide VCF. A family without panels needs all shards.
    """
    checkpoints.make_shards.get()
    ids = family_panels(family) if panel == FAMILY_PANELS else [panel]
    if not ids:
        return list(SHARDS)
    beds = [Path(checkpoints.resolve_panel.get(panel=p).output.bed) for p in ids]
    return regions.overlapping_shards(shard_beds(), beds)


def panel_shard_vcfs(wildcards):
    return expand(
        "results/annotated/shards/{family}/{shard}.vcf.gz",
        family=wildcards.family,
        shard=shards_for(wildcards.family, wildcards.panel),
    )
