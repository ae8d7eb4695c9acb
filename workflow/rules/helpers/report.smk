"""Helpers of the report rules (report.smk): input functions, parameters, settings."""


def provenance_inputs(wildcards):
    """Every input file behind a sample's reports, named, for checksums in the provenance."""
    files = {
        "reference": REFERENCE,
        "gff3": GFF3,
        "gnomad": GNOMAD,
        "clinvar": CLINVAR,
    }
    files.update({f"score_{s['name']}": s["file"] for s in SCORES})
    for panel in sample_panels(wildcards.sample):
        for i, path in enumerate(panel_inputs(panel)):
            files[f"panel_{panel}_{i}" if i else f"panel_{panel}"] = path
    if SAMPLES[wildcards.sample].hpo:
        # the phenotype scores name the HPO release; a user's ontology files are checksummed
        files["phenotype_scores"] = f"results/phenotype/{wildcards.sample}.json"
        files.update({f"hpo_{Path(p).name}": p for p in ontology_inputs()})
    for unit in units_of(wildcards.sample):
        for name in ("fq1", "fq2", "bam"):
            path = getattr(unit, name)
            if path is not None:
                files[f"{unit.unit}_{name}"] = path
    return {k: str(v) for k, v in files.items() if v is not None}


def provenance_args(wildcards, input):
    """The named inputs of ``hurtig provenance --inputs`` (quoted name=path pairs)."""
    return " ".join(
        shlex.quote(f"{name}={path}")
        for name, path in input.items()
        if name not in ("cram", "run_config")
    )


# A sample's provenance record; rules give input run_config and params inputs.
PROVENANCE = (
    "hurtig provenance --sample {wildcards.sample}"
    " --config-json {input.run_config:q} --inputs {params.inputs} --out {output:q} 2> {log:q}"
)


def read_view_members(sample):
    """(role, sample) of a sample and its parents that are sequenced in this run."""
    person = SAMPLES[sample]
    members = [("proband", sample)]
    for role in ("father", "mother"):
        parent = getattr(person, role)
        if parent is not None and parent in SAMPLES:
            members.append((role, parent))
    return members


def read_view_alignments(wildcards):
    """The CRAMs (and indexes) of the sample and its sequenced parents, named by role."""
    files = {}
    for role, sample in read_view_members(wildcards.sample):
        files[role] = f"results/alignment/{sample}.cram"
        files[f"{role}_crai"] = f"results/alignment/{sample}.cram.crai"
    return files


def read_view_parents(wildcards):
    """The --father/--mother arguments of hurtig read-views (quoted paths)."""
    return " ".join(
        f"--{role} {shlex.quote(f'results/alignment/{sample}.cram')}"
        for role, sample in read_view_members(wildcards.sample)
        if role != "proband"
    )


def publish(pairs):
    """Copy each finished staged file to its deliverable path, then rename them all in place.

    Copies (not links): a deliverable is newer than every staged file it was made from, as
    Snakemake expects, and the staged files keep their times, so nothing upstream reruns. The
    copies are made under temporary names first and renamed one after the other at the end.
    """
    staged = []
    for source, final in pairs:
        tmp = Path(f"{final}.publishing")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tmp)
        staged.append((tmp, final))
    for tmp, final in staged:
        os.replace(tmp, final)
