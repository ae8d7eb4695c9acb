"""Helpers of the qc rules (qc.smk): input functions, parameters, settings."""

from hurtig.qc.identity import choose_sites, shipped_sites
from hurtig.run.contig_names import ContigCache, reference_contigs


def override_args():
    """hurtig check-family options for the checks the config overrides (report.override_checks)."""
    settings = config.get("report", {})
    names = settings.get("override_checks") or []
    if not names:
        return ""
    reason = settings.get("override_reason", "")
    return f"--override {' '.join(names)} --override-reason {shlex.quote(reason)}"


def _identity_sites():
    """The run's common SNP site list (identity.sites, else the build's shipped list), or None
    and why there is none."""
    settings = dict(config.get("identity") or {})
    if settings.get("sites"):
        settings["sites"] = cfg_path("identity", "sites")
    reference = reference_contigs(
        REFERENCE, ContigCache(Path(".snakemake") / "hurtig" / "contigs")
    )
    try:
        return choose_sites(
            settings, shipped_sites(REPO / "resources" / "identity", BUILD), reference
        )
    except InputError as err:
        sys.exit(f"hurtig error: {err}")


IDENTITY_SITES, NO_IDENTITY_SITES = _identity_sites()


def identity_inputs(wildcards):
    """The family's identity-site genotypes (none without a site list)."""
    if IDENTITY_SITES is None:
        return {}
    vcf = f"results/qc/identity/{wildcards.family}.vcf.gz"
    return {"sites_vcf": vcf, "sites_tbi": f"{vcf}.tbi"}


def identity_args(wildcards, input):
    """hurtig check-family option for the identity sites (or why there are none)."""
    if IDENTITY_SITES is None:
        return f"--no-sites {shlex.quote(NO_IDENTITY_SITES)}"
    return f"--sites-vcf {shlex.quote(input.sites_vcf)}"
