"""hurtig: rapid clinical WGS, FASTQ to prioritised and explained variant reports per gene panel.

Run from any working directory:
    snakemake -s <repo>/Snakefile --configfile config.yaml --cores N
With no --configfile, config/config.yaml runs the embedded demo trio.
"""

import os
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")

# Patient data: nothing we write is readable by other users of a shared machine.
os.umask(0o077)

REPO = Path(workflow.basedir).resolve()


if not workflow.overwrite_configfiles:

    configfile: str(REPO / "config" / "config.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/demo.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/align.smk"
include: "workflow/rules/qc.smk"
include: "workflow/rules/call.smk"
include: "workflow/rules/annotate.smk"
include: "workflow/rules/panels.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        all_targets(),
