"""The run model and the few helpers every stage shares.

Everything here runs when the workflow is parsed: hurtig.run.model.load_run validates the config
(every key, filters and ranking included), the sheets, the files and the panels once, so bad input
stops the run before any job. Stage-specific helpers live next to their rules.
"""

import json
import os
import re
import shlex
import shutil
import sys

try:
    from hurtig.calling import regions
    from hurtig.errors import InputError
    from hurtig.io.files import write_text_atomic
    from hurtig.panels import registry as panels
    from hurtig.prioritise.settings import settings_file_text
    from hurtig.run.layout import DEMO_READS
    from hurtig.run.model import load_run
    from hurtig.run.pedigree import pedigree_sheet
except ImportError as err:  # Snakemake started from a Python without the hurtig package
    sys.exit(
        f"hurtig error: the hurtig package is not installed for {sys.executable} ({err}); "
        f"run: bash {REPO / 'scripts' / 'install.sh'} and use {REPO / '.venv' / 'bin'}/snakemake"
    )

from snakemake.settings.types import DeploymentMethod

# Strict bash and private outputs. Without conda envs, jobs use the Python environment that runs
# Snakemake (the venv with pysam, cyvcf2 and the `hurtig` command the rules call).
_PATH = (
    ""
    if DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method
    else f"export PATH={Path(sys.executable).parent}:$PATH; "
)
shell.prefix(f"set -euo pipefail; umask 077; {_PATH}")

# Files are read (FASTQ heads, indexes, contig names) in the main process only: a job that
# Snakemake starts on its own (cluster, subprocess) re-parses this file after that check passed.
try:
    RUN = load_run(
        config,
        (
            Path(workflow.configfiles[-1])
            if workflow.configfiles
            else REPO / "config" / "config.yaml"
        ),
        check_contents=workflow.is_main_process,
        cache_dir=Path(".snakemake") / "hurtig" / "contigs",
    )
except InputError as err:
    sys.exit(f"hurtig error: {err}")

SAMPLES = RUN.samples
UNITS = RUN.units
FAMILIES = RUN.families
cfg_path = RUN.path

REFERENCE = cfg_path("reference", "fasta")
GFF3 = cfg_path("reference", "gff3")
BUILD = RUN.build.name
N_SHARDS = config.get("calling", {}).get("shards", 8)
SHARDS = [f"{i:04d}" for i in range(N_SHARDS)]
PANEL_DIR = cfg_path("panels")
COVERAGE_THRESHOLD = config.get("report", {}).get("coverage_threshold", 20)

# Panel first: panel stages and the shards they need run before the rest of the genome.
PANEL_PRIORITY = 50
# Above the panel stage's priority: the preliminary panel answer first (fast.smk), then the rest.
FAST_PRIORITY = PANEL_PRIORITY + 10
FAMILY_PANELS = "_family"  # pseudo panel: all panels requested by a family's samples

# One way to merge per-shard VCF/BCF parts: concatenate, sort, drop an exact duplicate (left-
# alignment can move an indel just across a shard start, so both shards call it), bgzip, index;
# written under a temporary name and renamed with its index (rules give params.tmp, a folder
# name for bcftools sort's temporary files, used for the partial output too).
CONCAT_SORTED_VCF = (
    "(bcftools concat -Ou {input.vcfs:q}"
    " | bcftools sort -T {params.tmp:q} -Ou"
    " | bcftools norm -d exact -Oz -o {params.tmp:q}.partial.vcf.gz"
    " && bcftools index -t {params.tmp:q}.partial.vcf.gz"
    " && mv {params.tmp:q}.partial.vcf.gz.tbi {output.tbi:q}"
    " && mv {params.tmp:q}.partial.vcf.gz {output.vcf:q}) 2> {log:q}"
)


def family_samples(family):
    """Sample ids of one family, in sheet order (the VCF sample order)."""
    return RUN.family_samples(family)


def sample_panels(sample):
    """Panel ids requested for a sample (version pins are handled by the panel stage)."""
    return [p.split("@")[0] for p in SAMPLES[sample].panels]


def sample_panel_pairs():
    return [(s, p) for s in SAMPLES for p in sample_panels(s)]


def family_panels(family):
    """Panel ids requested by any sample of a family."""
    return sorted({p for s in family_samples(family) for p in sample_panels(s)})


def units_of(sample):
    return [u for u in UNITS if u.sample == sample]


def _alternatives(values):
    return "|".join(re.escape(v) for v in sorted(values)) or "^$"


wildcard_constraints:
    sample=_alternatives(SAMPLES),
    family=_alternatives(FAMILIES),
    unit=_alternatives({u.unit for u in UNITS}),
    shard=r"\d{4}",
    panel=r"[A-Za-z0-9._-]+",


def shard_priority(wildcards):
    """PANEL_PRIORITY for a shard that overlaps a panel of the family, else 0.

    Read from the files directly (not through the checkpoints): the priority is recomputed when
    the checkpoints finish, which happens before any calling job can start.
    """
    beds = [
        Path(f"results/panels/_regions/{p}.bed")
        for p in family_panels(wildcards.family)
    ]
    shard = Path(f"results/shards/shard_{wildcards.shard}.bed")
    if not beds or not shard.exists() or not all(b.exists() for b in beds):
        return 0
    selected = regions.overlapping_shards({wildcards.shard: shard}, beds)
    return PANEL_PRIORITY if selected else 0


def all_targets():
    """Everything a complete run produces."""
    targets = []
    for sample in SAMPLES:
        targets += [
            f"results/alignment/{sample}.cram",
            f"results/qc/samtools_stats/{sample}.txt",
            f"results/qc/mosdepth/{sample}.mosdepth.summary.txt",
            f"results/provenance/{sample}.json",
        ]
    for family in FAMILIES:
        targets += [
            f"results/calls/{family}.vcf.gz",
            f"results/annotated/{family}.vcf.gz",
        ]
        if INHOUSE:
            targets.append(f"results/inhouse/{family}.tsv")
        if SV_ENABLED:
            targets.append(f"results/sv/{family}.vcf.gz")
            if SV_INHOUSE:
                targets.append(f"results/sv/inhouse/{family}.tsv")
    for sample, panel in sample_panel_pairs():
        targets += [
            f"results/panels/{sample}/{panel}.tsv",
            f"results/panels/{sample}/{panel}.json",
            f"results/report/{sample}/{panel}.html",
            f"results/report/{sample}/{panel}.pdf",
            f"results/report/{sample}/{panel}.xlsx",
        ]
    targets += research_targets()
    targets += [f"results/qc/checks/{family}.json" for family in FAMILIES]
    targets.append("results/qc/multiqc.html")
    targets += handoff_targets()  # workflow/rules/helpers/handoff.smk
    targets += fast_targets()  # workflow/rules/helpers/fast.smk
    return targets
