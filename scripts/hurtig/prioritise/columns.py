"""Column contract of the prioritised-variant TSV (written by prioritise, read by report)."""

from __future__ import annotations

CONTRACT_COLUMNS: tuple[str, ...] = (
    "rank",
    "chrom",
    "pos",
    "ref",
    "alt",
    "gene",
    "transcript",
    "hgvs_c",
    "hgvs_p",
    "consequence",
    "genotype",
    "depth",
    "allele_balance",
    "gnomad_af",
    "clinvar",
    "inheritance",
    "score",
    "explanation",
)
"""The contract columns, in order: the first columns of every prioritised TSV."""

EXTRA_COLUMNS: tuple[str, ...] = (
    "gq",
    "gnomad_popmax_af",
    "clinvar_stars",
    "family_genotypes",
    "panel_inheritance",
    "panel_id",
    "panel_version",
)
"""Further columns hurtig.prioritise.candidates writes after the contract ones."""

SV_COLUMNS: tuple[str, ...] = (
    "variant_type",
    "end",
    "sv_length",
    "exons",
)
"""Columns for structural and copy-number variants, after the extra ones (empty for small ones
except ``variant_type``: ``SNV``, ``MNV``, ``indel``, ``DEL`` or ``DUP``)."""
