"""Quality control: QC tool outputs and the sample identity checks that gate the report.

- :mod:`~hurtig.qc.tool_outputs` — parsers of fastp JSON, samtools stats, mosdepth summary,
  thresholds and regions, and the panel coverage summaries.
- :mod:`~hurtig.qc.family_vcf` — what the checks read from the family VCF (contig roles, usable
  SNVs, genotype dosages).
- :mod:`~hurtig.qc.sex` — the sex check (X/Y coverage, X heterozygosity).
- :mod:`~hurtig.qc.relatedness` — kinship (KING-robust) and Mendelian consistency.
- :mod:`~hurtig.qc.family_checks` — runs both checks for one family and decides clinical use.
- :mod:`~hurtig.qc.checks_file` — owner type of ``results/qc/checks/{family}.json``
  (:class:`~hurtig.qc.checks_file.FamilyChecks`, ``read_checks``/``write_checks``).
- :mod:`~hurtig.qc.cli` — ``hurtig check-family``.
"""
