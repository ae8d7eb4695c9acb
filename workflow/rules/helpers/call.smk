"""Helpers of the call rules (call.smk): input functions, parameters, settings."""

CALLING = config.get("calling", {})
# The caller (calling.caller): bcftools mpileup/call is the only one; the schema refuses others.
CALLER = CALLING.get("caller", "bcftools")
assert CALLER == "bcftools", f"unsupported calling.caller {CALLER!r}"


def family_crams(wildcards):
    return expand(
        "results/alignment/{sample}.cram", sample=family_samples(wildcards.family)
    )
