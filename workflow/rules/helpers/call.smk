"""Helpers of the call rules (call.smk): input functions, parameters, settings."""

CALLING = config.get("calling", {})
# The caller (calling.caller): bcftools mpileup/call is the only one; the schema refuses others.
CALLER = CALLING.get("caller", "bcftools")
assert CALLER == "bcftools", f"unsupported calling.caller {CALLER!r}"

# Joint calling of a family's alignments over a BED (a genome shard, or the panel fast path's
# regions): written under a temporary name, indexed, then renamed with its index. Rules give
# input alignments/bed/sexes/fasta and params mapq/baseq/min_qual/ploidy/part.
CALL_FAMILY_REGIONS = (
    "(bcftools mpileup -f {input.fasta:q} -R {input.bed:q} -a FORMAT/AD,FORMAT/DP"
    " -q {params.mapq} -Q {params.baseq} --max-depth 1000 -Ou {input.alignments:q}"
    " | bcftools call -m -v -a GQ --ploidy {params.ploidy}"
    " --samples-file {input.sexes:q} -Ou"
    " | bcftools norm -m -any -f {input.fasta:q} -Ou"
    " | bcftools filter -m + -s LowQual -e 'QUAL<{params.min_qual}' -Ob -o {params.part:q}"
    " && bcftools index {params.part:q}"
    " && mv {params.part:q}.csi {output.csi:q} && mv {params.part:q} {output.bcf:q})"
    " 2> {log:q}"
)


def family_crams(wildcards):
    return expand(
        "results/alignment/{sample}.cram", sample=family_samples(wildcards.family)
    )
