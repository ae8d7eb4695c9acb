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
    for unit in units_of(wildcards.sample):
        for name in ("fq1", "fq2", "bam"):
            path = getattr(unit, name)
            if path is not None:
                files[f"{unit.unit}_{name}"] = path
    return {k: str(v) for k, v in files.items() if v is not None}


def publish(pairs):
    """Link each finished staged file to its deliverable path (a rename, so never half there).

    The staged copies stay, so Snakemake still sees them as up to date; the deliverable and its
    staged file are the same bytes (a hard link, or a copy where links are impossible).
    """
    for staged, final in pairs:
        tmp = Path(f"{final}.publishing")
        tmp.unlink(missing_ok=True)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(staged, tmp)
        except OSError:
            shutil.copy2(staged, tmp)
        os.replace(tmp, final)
