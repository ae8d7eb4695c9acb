"""Helpers of the panels rules (panels.smk): input functions, parameters, settings."""

PADDING = config.get("padding", {})
MANAGED = cfg_path("managed_variants")


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
