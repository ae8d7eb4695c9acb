"""Helpers of the SV rules (sv.smk): settings and per-sample arguments of hurtig sv-merge."""

SV = config.get("sv", {})
SV_ENABLED = SV.get("enabled", True)
# The in-house SV database (hurtig sv-inhouse) and the SV population-frequency file: optional
SV_INHOUSE = cfg_path("sv", "inhouse")
SV_POPULATION = cfg_path("sv", "population")


def sv_population_inputs():
    """The SV population file and its index (none when not configured)."""
    if not SV_POPULATION:
        return []
    index = next(
        (
            f"{SV_POPULATION}{s}"
            for s in (".tbi", ".csi")
            if Path(f"{SV_POPULATION}{s}").exists()
        ),
        f"{SV_POPULATION}.tbi",
    )
    return [str(SV_POPULATION), index]


def sv_frequency_args(wildcards):
    """hurtig sv-annotate's --inhouse/--family and --population options (quoted)."""
    args = []
    if SV_INHOUSE:
        args.append(f"--inhouse {shlex.quote(str(SV_INHOUSE))}")
        args.append(f"--family {shlex.quote(wildcards.family)}")
    if SV_POPULATION:
        args.append(f"--population {shlex.quote(str(SV_POPULATION))}")
    return " ".join(args)


def sv_panel_inputs(wildcards):
    """The family's annotated SV VCF and every member's CNVkit bins (none when sv is off)."""
    if not SV_ENABLED:
        return []
    family = SAMPLES[wildcards.sample].family
    return [f"results/sv/{family}.vcf.gz", f"results/sv/{family}.vcf.gz.tbi"] + [
        f"results/sv/cnvkit/{s}.cnr" for s in family_samples(family)
    ]


def sv_panel_args(wildcards):
    """hurtig prioritise's --sv-vcf and --sv-cnr options (quoted), empty when sv is off."""
    if not SV_ENABLED:
        return ""
    family = SAMPLES[wildcards.sample].family
    args = [f"--sv-vcf {shlex.quote(f'results/sv/{family}.vcf.gz')}"]
    args += [
        f"--sv-cnr {shlex.quote(f'{s}=results/sv/cnvkit/{s}.cnr')}"
        for s in family_samples(family)
    ]
    return " ".join(args)


def sv_sample_args(wildcards):
    """--tiddit SAMPLE=VCF and --cnvkit SAMPLE=CNS for every sample of the family (quoted)."""
    args = []
    for sample in family_samples(wildcards.family):
        tiddit = shlex.quote(f"{sample}=results/sv/tiddit/{sample}.vcf")
        cnvkit = shlex.quote(f"{sample}=results/sv/cnvkit/{sample}.call.cns")
        args += [f"--tiddit {tiddit}", f"--cnvkit {cnvkit}"]
    return " ".join(args)
