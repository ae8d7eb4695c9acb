"""hurtig: rapid clinical WGS, FASTQ to prioritised and explained variant reports per gene panel.

Run from any working directory:
    snakemake -s <repo>/Snakefile --configfile config.yaml --cores N
With no --configfile, config/config.yaml runs the embedded demo trio.
"""

import os
import sys
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")

# Patient data: nothing we write is readable by other users of a shared machine.
os.umask(0o077)


# Snakemake's own records name the samples (.snakemake/log/*.snakemake.log, metadata). Snakemake
# creates the folder and this run's log file before it reads this file, with the user's umask
# (world-readable when they forgot `umask 077`): the folder, its subfolders and the log files
# lose every group/other permission here; a folder that cannot be made private stops the run.
_SMK = Path(".snakemake")
_private = [_SMK, *(p for p in _SMK.iterdir() if p.is_dir())] if _SMK.is_dir() else []
if (_SMK / "log").is_dir():
    _private += sorted((_SMK / "log").iterdir())
for _path in _private:
    try:
        _mode = _path.stat().st_mode & 0o7777
        if _mode & 0o077:
            os.chmod(_path, _mode & 0o700)
    except FileNotFoundError:
        pass  # a lock or log file removed meanwhile
    except OSError as _err:
        sys.exit(
            f"hurtig error: {_path.resolve()}: readable by other users and cannot be made "
            f"private ({_err.strerror}); run the workflow in a folder of your own"
        )

REPO = Path(workflow.basedir).resolve()


if not workflow.overwrite_configfiles:

    configfile: str(REPO / "config" / "config.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/run_files.smk"
include: "workflow/rules/demo.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/align.smk"
include: "workflow/rules/qc.smk"
include: "workflow/rules/call.smk"
include: "workflow/rules/annotate.smk"
include: "workflow/rules/phenotype.smk"
include: "workflow/rules/sv.smk"
include: "workflow/rules/panels.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/fast.smk"
include: "workflow/rules/handoff.smk"


# The panel stage (seconds to a minute per sample and panel), the panel fast path included (it
# reads only the panel regions of the chunks), runs in the controlling Snakemake process, also on
# a cluster: no queue wait before the panel answer, no sample ids in the
# cluster's job list, and no grouped jobs downstream of the panel checkpoints (Snakemake 9.27
# lost track of those: KeyError in DAG.update_ready, "Out of jobs ready to be started").
localrules:
    verify_reads,
    write_family_pedigree,
    write_family_sexes,
    write_settings,
    write_run_config,
    write_score_sources,
    gather_panel_calls,
    check_family,
    prioritise_variants,
    compute_panel_coverage,
    render_report,
    print_report_pdf,
    write_report_xlsx,
    publish_panel_results,
    write_ella_analysis,
    write_scout_case,
    publish_ella_analysis,
    publish_scout_case,
    score_phenotype,
    research_list,
    render_research_report,
    publish_research_list,
    write_read_views,
    fast_path_regions,
    merge_panel_reads,
    call_panel_fast,
    annotate_panel_fast,
    prioritise_fast,
    compute_fast_panel_coverage,
    write_fast_provenance,
    render_preliminary_report,


rule all:
    default_target: True
    input:
        # a function: evaluated when the DAG is built, once the run's job groups are known
        lambda wildcards: all_targets(),
