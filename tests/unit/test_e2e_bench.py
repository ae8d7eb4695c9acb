"""The end-to-end benchmark's pure functions (perf/e2e).

Log parsing, job records, critical paths, fits, the RESULTS.md section splice, and the
bash_env.sh job recorder on a real bash.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

E2E = Path(__file__).resolve().parents[2] / "perf" / "e2e"
sys.path.insert(0, str(E2E))

import e2e_fit as fit  # noqa: E402
import e2e_report as report  # noqa: E402
import e2elib  # noqa: E402

LOG = """\
Building DAG of jobs...
[Sun Nov 22 12:15:00 2026]
localcheckpoint trim_reads:
    input: r1.fq.gz, r2.fq.gz
    output: results/trimmed/s/L1, results/qc/fastp/s/L1.json
    log: logs/align/trim_reads/s/L1.log
    jobid: 3
    wildcards: sample=s, unit=L1
DAG of jobs will be updated after completion.

[Sun Nov 22 12:15:01 2026]
rule align_reads:
    input: results/trimmed/s/L1/0001.R1.fastq.gz, results/trimmed/s/L1/0001.R2.fastq.gz
    output: results/alignment/units/s/L1/0001.bam
    log: logs/align/align_reads/s/L1/0001.log
    jobid: 5
[Sun Nov 22 12:15:01 2026]
rule align_reads:
    input: results/trimmed/s/L1/0002.R1.fastq.gz
    output: results/alignment/units/s/L1/0002.bam
    log: logs/align/align_reads/s/L1/0002.log
    jobid: 6
Finished jobid: 3 (Rule: trim_reads)
[Sun Nov 22 12:15:02 2026]
rule mark_duplicates:
    input: results/alignment/units/s/L1/0001.bam, results/alignment/units/s/L1/0002.bam
    output: results/alignment/s.cram
    log: logs/align/mark_duplicates/s.log
    jobid: 7
localrule all:
    input: results/alignment/s.cram
    jobid: 0
"""


def _jobs() -> dict[int, e2elib.Job]:
    jobs = e2elib.parse_snakemake_log(LOG)
    e2elib.link_dependencies(jobs)
    return jobs


def _time(jobs: dict[int, e2elib.Job], spans: dict[int, tuple[float, float, float]]) -> None:
    for jid, (start, end, cpu) in spans.items():
        jobs[jid].start, jobs[jid].end, jobs[jid].cpu = start, end, cpu


def test_parse_log_and_dependencies() -> None:
    jobs = _jobs()
    assert sorted(jobs) == [0, 3, 5, 6, 7]
    assert jobs[3].rule == "trim_reads" and jobs[3].wildcards == "sample=s, unit=L1"
    assert jobs[5].log == "logs/align/align_reads/s/L1/0001.log"
    assert jobs[0].log == ""
    # a chunk inside the checkpoint's output directory depends on the checkpoint
    assert jobs[5].deps == {3} and jobs[6].deps == {3}
    assert jobs[7].deps == {5, 6} and jobs[0].deps == {7}


def test_records_parse_and_attach() -> None:
    text = (
        "100.5\t103.0\n0m0.010s 0m0.000s\n1m2.500s 0m0.490s\n"
        "set -euo pipefail; (bwa mem x) 2> logs/align/align_reads/s/L1/0001.log\n"
    )
    rec = e2elib.parse_record(text)
    assert rec.start == 100.5 and rec.end == 103.0
    assert rec.cpu == pytest.approx(63.0)
    other = e2elib.Record(1.0, 2.0, 0.5, "x 2> logs/align/align_reads/s/L1/0001.log.bak")
    jobs = _jobs()
    missing = e2elib.attach_records(jobs, [rec, other])
    assert jobs[5].wall == pytest.approx(2.5) and jobs[5].cpu == pytest.approx(63.0)
    assert sorted(j.jobid for j in missing) == [3, 6, 7]  # the .bak command is not job 6's
    with pytest.raises(ValueError):
        e2elib.parse_record("1\t2\n")


def test_critical_paths_and_overhead() -> None:
    jobs = _jobs()
    # run starts at 0; trim 1-3, chunk1 3.5-7, chunk2 3.5-5 (parallel), markdup 7.5-9.5; end 10
    _time(jobs, {3: (1, 3, 2), 5: (3.5, 7, 7), 6: (3.5, 5, 3), 7: (7.5, 9.5, 2)})
    length, chain = e2elib.dag_critical_path(jobs)
    assert length == pytest.approx(2 + 3.5 + 2) and chain == [3, 5, 7]
    sched = e2elib.schedule_chain(jobs, 0.0, 10.0)
    assert sched["busy"] == pytest.approx(7.5)
    assert sched["overhead"] == pytest.approx(2.5)  # 1 start-up + 0.5 + 0.5 gaps + 0.5 tail
    assert sched["startup"] == pytest.approx(1.0) and sched["tail"] == pytest.approx(0.5)
    assert e2elib.idle_time(jobs, 0.0, 10.0) == pytest.approx(2.5)
    eff = e2elib.parallel_efficiency(jobs, "align_reads", cores=2)
    assert eff["phase"] == pytest.approx(3.5)
    assert eff["cpu_eff"] == pytest.approx(10 / 2 / 3.5)
    assert eff["slot_eff"] == pytest.approx(5 / 2 / 3.5)
    assert e2elib.rule_span(jobs, {"trim_reads", "mark_duplicates"}) == (1, 9.5)
    assert e2elib.cpu_by_rule(jobs)["align_reads"] == pytest.approx(10)
    jobs[3].deps.add(7)
    with pytest.raises(ValueError, match="cycle"):
        e2elib.dag_critical_path(jobs)


def test_median() -> None:
    assert e2elib.median([3.0, 1.0, 2.0]) == 2.0
    assert e2elib.median([4.0, 1.0]) == 2.5
    with pytest.raises(ValueError):
        e2elib.median([])


def test_linear_fit_and_projection() -> None:
    f = fit.linear_fit([1.0, 2.0, 4.0], [12.0, 22.0, 42.0])
    assert f.a == pytest.approx(2.0) and f.b == pytest.approx(10.0)
    assert f.r2 == pytest.approx(1.0) and f.max_rel_residual == pytest.approx(0.0, abs=1e-12)
    bent = fit.linear_fit([1.0, 2.0, 3.0], [1.0, 4.0, 9.0])
    assert bent.r2 < 1.0 and bent.max_rel_residual > 0.1
    with pytest.raises(ValueError):
        fit.linear_fit([1.0, 1.0], [2.0, 3.0])
    assert fit.stage_of("call_shard") == "call" and fit.stage_of("render_report") == "report"
    per_gbp = fit.Fit(0.0, 3600.0, 1.0, 0.0, 2)  # 1 core-h per read Gbp
    zero = fit.Fit(0.0, 0.0, 1.0, 0.0, 2)
    fits = {"align": per_gbp, "call": zero, "qc": zero}
    proj = fit.project_genome(fits, 0.0, 0.0, per_gbp, zero, efficiency=1.0)
    assert proj["cpu_h"] == pytest.approx(93.0)
    # our bwa (93 core-h) swapped for the published 1.05 core-h per Gbp
    assert proj["cpu_h_published_bwa"] == pytest.approx(93 * 1.05)
    assert proj["wall_h_1node"] == pytest.approx(93 / 32)
    assert proj["wall_h_16node"] == pytest.approx(93 / 512)


def test_replace_section_keeps_other_sections() -> None:
    doc = (
        "# Results\n\n## Annotation\n\nA table.\n\n"
        "## End-to-end (issue 7)\n\nold\n\n## Later\n\nx\n"
    )
    new = report.replace_section(doc, "## End-to-end (issue 7)\n\nnew\n")
    assert "## Annotation\n\nA table.\n\n" in new and "old" not in new
    assert new.endswith("new\n\n## Later\n\nx\n")
    appended = report.replace_section(
        "# Results\n\n## Annotation\n\nA.\n", "## End-to-end (issue 7)\n"
    )
    assert appended == "# Results\n\n## Annotation\n\nA.\n\n## End-to-end (issue 7)\n"


def test_bash_env_records_a_job_with_its_own_exit_trap(tmp_path: Path) -> None:
    env = {**os.environ, "BASH_ENV": str(E2E / "bash_env.sh"), "E2E_JOB_DIR": str(tmp_path)}
    env.pop("E2E_JOB_NESTED", None)
    cmd = (
        "set -euo pipefail; f=$(mktemp) && trap 'rm -f $f' EXIT"
        " && (seq 1 20000 | sort -n > /dev/null) 2> /dev/null; echo logs/x.log > /dev/null; exit 3"
    )
    res = subprocess.run(["bash", "-c", cmd], env=env, cwd=tmp_path, check=False)
    assert res.returncode == 3
    (rec,) = e2elib.read_records(tmp_path)
    assert "logs/x.log" in rec.command and rec.end >= rec.start and rec.cpu >= 0
