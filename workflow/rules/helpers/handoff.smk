"""Helpers of the hand-off rules (handoff.smk): ELLA and Scout settings, inputs, publishing."""

HANDOFF = config.get("handoff", {})
SCOUT_OWNER = HANDOFF.get("scout_owner", "cust000")
ELLA_PRIORITY = HANDOFF.get("ella_priority", 1)


def family_results(wildcards):
    """The staged prioritised JSONs of every sample and panel of a family."""
    return [
        f"results/.staging/panels/{s}/{p}.json"
        for s in family_samples(wildcards.family)
        for p in sample_panels(s)
    ]


def family_alignments(wildcards):
    """SAMPLE=CRAM arguments of a family (the load config names the alignments)."""
    return " ".join(
        shlex.quote(f"{s}=results/alignment/{s}.cram")
        for s in family_samples(wildcards.family)
    )


def handoff_targets():
    """The ELLA folders (per sample and panel) and Scout files (per family with panels)."""
    targets = [f"results/handoff/ella/{s}/{p}" for s, p in sample_panel_pairs()]
    for family in FAMILIES:
        if family_panels(family):
            targets += [
                f"results/handoff/scout/{family}/{family}.{suffix}"
                for suffix in ("vcf.gz", "vcf.gz.tbi", "ped", "load_config.yaml")
            ]
    return targets


def publish_tree(source, final):
    """Copy a finished staged folder to its deliverable path under a temporary name, then rename."""
    tmp = Path(f"{final}.publishing")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, tmp)
    os.replace(tmp, final)
