"""Pure parsing and timing functions of the end-to-end benchmark (issue 7).

Jobs come from the Snakemake log (rule, jobid, input, output, log paths); their start, end and
CPU time come from the records ``bash_env.sh`` writes for every job shell. Nothing here runs a
tool, so the functions are unit-tested on tiny synthetic inputs (tests/unit/test_e2e_bench.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_HEADER = re.compile(r"^(?:local)?(?:rule|checkpoint) (\S+):$")
_KEY = re.compile(r"^ {4}(\w+): (.*)$")
_TIMES = re.compile(r"(\d+)m([\d.]+)s")


@dataclass
class Job:
    """One Snakemake job: what the log says, plus the timing of its shell (when recorded)."""

    jobid: int
    rule: str
    inputs: list[str]
    outputs: list[str]
    log: str
    wildcards: str = ""
    start: float | None = None
    end: float | None = None
    cpu: float = 0.0
    deps: set[int] = field(default_factory=set)

    @property
    def wall(self) -> float:
        """Wall seconds of the job's shell (0 for jobs without a shell, e.g. ``all``)."""
        if self.start is None or self.end is None:
            return 0.0
        return self.end - self.start


@dataclass
class Record:
    """One job shell as recorded by bash_env.sh."""

    start: float
    end: float
    cpu: float
    command: str


def _split_paths(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


def parse_snakemake_log(text: str) -> dict[int, Job]:
    """Jobs announced in a Snakemake log (``rule x:`` blocks with indented ``key: value`` lines).

    Args:
        text: the log's text (stdout/stderr of ``snakemake`` or ``.snakemake/log/*.log``).

    Returns:
        Jobs by jobid; a jobid announced twice keeps the last block.
    """
    jobs: dict[int, Job] = {}
    rule: str | None = None
    fields: dict[str, str] = {}

    def flush() -> None:
        if rule is not None and "jobid" in fields:
            jobid = int(fields["jobid"])
            jobs[jobid] = Job(
                jobid=jobid,
                rule=rule,
                inputs=_split_paths(fields.get("input", "")),
                outputs=_split_paths(fields.get("output", "")),
                log=_split_paths(fields.get("log", ""))[0] if fields.get("log") else "",
                wildcards=fields.get("wildcards", ""),
            )

    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            flush()
            rule, fields = header.group(1), {}
            continue
        key = _KEY.match(line)
        if key and rule is not None:
            fields[key.group(1)] = key.group(2)
        elif rule is not None and not line.startswith(" "):
            flush()
            rule, fields = None, {}
    flush()
    return jobs


def parse_times(text: str) -> float:
    """Sum of the four ``NmS.SSSs`` values of bash's ``times`` (shell, children; user, sys)."""
    return sum(int(m) * 60 + float(s) for m, s in _TIMES.findall(text))


def parse_record(text: str) -> Record:
    """Parse one bash_env.sh record: ``start<TAB>end``, two ``times`` lines, the command.

    Raises:
        ValueError: the text is not a record.
    """
    lines = text.split("\n")
    if len(lines) < 4:
        raise ValueError("record needs 4 lines")
    start, end = (float(x) for x in lines[0].split("\t"))
    return Record(start, end, parse_times(lines[1] + " " + lines[2]), "\n".join(lines[3:]))


def read_records(folder: Path) -> list[Record]:
    """All records in ``folder`` (files ``job.*.rec``), oldest first."""
    records = [parse_record(p.read_text()) for p in sorted(folder.glob("job.*.rec"))]
    return sorted(records, key=lambda r: r.start)


def attach_records(jobs: dict[int, Job], records: list[Record]) -> list[Job]:
    """Give each job the timing of the record whose command writes the job's log file.

    Returns:
        Jobs that have a log path but no matching record (should be empty).
    """
    missing = []
    for job in jobs.values():
        if not job.log:
            continue
        pattern = re.compile(re.escape(job.log) + r"(?![\w./-])")
        hits = [r for r in records if pattern.search(r.command)]
        if not hits:
            missing.append(job)
            continue
        rec = hits[-1]
        job.start, job.end, job.cpu = rec.start, rec.end, rec.cpu
    return missing


def link_dependencies(jobs: dict[int, Job]) -> None:
    """Set ``deps``: B depends on A when an input of B is an output of A (or inside A's folder)."""
    producer: dict[str, int] = {}
    for job in jobs.values():
        for out in job.outputs:
            producer[out.rstrip("/")] = job.jobid
    for job in jobs.values():
        for path in job.inputs:
            parts = path.rstrip("/").split("/")
            for i in range(len(parts), 0, -1):
                jid = producer.get("/".join(parts[:i]))
                if jid is not None and jid != job.jobid:
                    job.deps.add(jid)
                    break


def dag_critical_path(jobs: dict[int, Job]) -> tuple[float, list[int]]:
    """Longest dependency chain weighted by job wall (the wall with unlimited cores).

    Returns:
        (length in seconds, jobids of the chain from first to last).
    """
    best: dict[int, tuple[float, list[int]]] = {}

    def visit(jid: int, stack: frozenset[int]) -> tuple[float, list[int]]:
        if jid in best:
            return best[jid]
        if jid in stack:
            raise ValueError(f"dependency cycle at job {jid}")
        job = jobs[jid]
        prev: tuple[float, list[int]] = (0.0, [])
        for dep in job.deps:
            cand = visit(dep, stack | {jid})
            if cand[0] > prev[0]:
                prev = cand
        best[jid] = (prev[0] + job.wall, [*prev[1], jid])
        return best[jid]

    result: tuple[float, list[int]] = (0.0, [])
    for jid in jobs:
        cand = visit(jid, frozenset())
        if cand[0] > result[0]:
            result = cand
    return result


def schedule_chain(jobs: dict[int, Job], run_start: float, run_end: float) -> dict[str, float]:
    """Critical path of the schedule that actually ran, and the gaps Snakemake left on it.

    Walk back from the job that finished last: each job's predecessor is the job that finished
    last before it started (the dependency or the job that freed its cores). The chain's job walls
    are the work that bounded the run; the gaps between them (and before the first job, after the
    last) are orchestration: parsing, DAG building, checkpoint re-evaluation, job start-up.

    Returns:
        ``wall``, ``busy`` (sum of chain walls), ``overhead`` (wall - busy), ``startup`` (run start
        to first job), ``tail`` (last job end to run end), ``jobs`` (chain length).
    """
    timed = sorted((j for j in jobs.values() if j.start is not None), key=lambda j: j.end or 0)
    wall = run_end - run_start
    if not timed:
        return {
            "wall": wall,
            "busy": 0.0,
            "overhead": wall,
            "startup": wall,
            "tail": 0.0,
            "jobs": 0,
        }
    current = timed[-1]
    tail = run_end - (current.end or run_end)
    busy, count = 0.0, 0
    while True:
        busy += current.wall
        count += 1
        start = current.start or run_start
        before = [j for j in timed if (j.end or 0) <= start + 1e-6 and j is not current]
        if not before:
            startup = start - run_start
            break
        current = max(before, key=lambda j: j.end or 0)
    return {
        "wall": wall,
        "busy": busy,
        "overhead": wall - busy,
        "startup": startup,
        "tail": tail,
        "jobs": count,
    }


def idle_time(jobs: dict[int, Job], run_start: float, run_end: float) -> float:
    """Seconds of the run during which no job shell was running."""
    spans = sorted((j.start, j.end) for j in jobs.values() if j.start is not None and j.end)
    idle, cursor = 0.0, run_start
    for start, end in spans:
        if start > cursor:
            idle += start - cursor
        cursor = max(cursor, end)
    return idle + max(0.0, run_end - cursor)


def rule_span(jobs: dict[int, Job], rules: set[str]) -> tuple[float, float]:
    """(first start, last end) over the timed jobs of ``rules``.

    Raises:
        ValueError: no timed job of these rules.
    """
    sel = [j for j in jobs.values() if j.rule in rules and j.start is not None]
    if not sel:
        raise ValueError(f"no timed job of {sorted(rules)}")
    return min(j.start or 0 for j in sel), max(j.end or 0 for j in sel)


def parallel_efficiency(jobs: dict[int, Job], rule: str, cores: int) -> dict[str, float]:
    """Efficiency of one rule's jobs over their own phase (first start to last end).

    Returns:
        ``cpu`` (sum of job CPU), ``job_wall`` (sum of job walls), ``phase`` (phase wall),
        ``cpu_eff`` (cpu / cores / phase) and ``slot_eff`` (job_wall / cores / phase: how well
        the jobs fill the cores regardless of how much CPU the shared machine gave them).
    """
    start, end = rule_span(jobs, {rule})
    sel = [j for j in jobs.values() if j.rule == rule and j.start is not None]
    cpu = sum(j.cpu for j in sel)
    job_wall = sum(j.wall for j in sel)
    phase = end - start
    return {
        "cpu": cpu,
        "job_wall": job_wall,
        "phase": phase,
        "cpu_eff": cpu / cores / phase if phase > 0 else 0.0,
        "slot_eff": job_wall / cores / phase if phase > 0 else 0.0,
        "jobs": len(sel),
    }


def cpu_by_rule(jobs: dict[int, Job]) -> dict[str, float]:
    """Sum of job CPU seconds per rule."""
    out: dict[str, float] = {}
    for job in jobs.values():
        out[job.rule] = out.get(job.rule, 0.0) + job.cpu
    return out


def median(values: list[float]) -> float:
    """Median (mean of the middle two for an even count).

    Raises:
        ValueError: no values.
    """
    if not values:
        raise ValueError("median of nothing")
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
