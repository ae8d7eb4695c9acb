"""Builders for test inputs, made inside each test, and one way to run the workflow.

``tests/`` is on pytest's ``pythonpath`` (pyproject.toml), so any test imports them::

    from builders import Call, ReadsBuilder, SampleSheet, VcfBuilder, write_fasta

    vcf = VcfBuilder(samples=["kid"], contigs={"chr1": 5_000})
    vcf.add("chr1", 120, "C", "T", calls={"kid": Call("0/1", ad=(9, 8), dp=17, gq=99)})
    calls = vcf.to_path(tmp_path / "calls.vcf.gz")  # bgzipped + tabix; "calls.vcf" is plain text
    sheet = SampleSheet.trio(panels=("neuro_demo",)).to_path(tmp_path / "samples.tsv")

Modules: :mod:`builders.vcf` (VCFs on fgpyo's VariantBuilder), :mod:`builders.sheets`
(samples.tsv and units.tsv), :mod:`builders.reference` (FASTA and BED), :mod:`builders.reads`
(BAM/CRAM on fgpyo's SamBuilder) and :mod:`builders.snakemake_runner` (real and dry workflow runs
for the end-to-end, workflow and cluster tests).
"""

from builders.reads import ReadsBuilder
from builders.reference import write_bed, write_fasta
from builders.sheets import SampleSheet, UnitSheet
from builders.snakemake_runner import (
    WorkflowRun,
    dry_run,
    job_start,
    run_pipeline,
    run_workflow,
    snakemake_argv,
)
from builders.vcf import Call, VcfBuilder

__all__ = [
    "Call",
    "ReadsBuilder",
    "SampleSheet",
    "UnitSheet",
    "VcfBuilder",
    "WorkflowRun",
    "dry_run",
    "job_start",
    "run_pipeline",
    "run_workflow",
    "snakemake_argv",
    "write_bed",
    "write_fasta",
]
