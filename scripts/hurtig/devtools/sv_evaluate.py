r"""``hurtig evaluate-sv``: recall and precision of merged SV calls against planted SVs.

CLI::

    hurtig evaluate-sv --truth resources/demo/planted_sv.tsv \
        --query results/sv/demo.vcf.gz [--out metrics.json]

A call matches a truth event of the same sample when the type is the same, both breakpoints lie
within :data:`MAX_BREAKPOINT_DISTANCE` bp and the sizes agree to :data:`MIN_SIZE_RATIO`
(truvari's defaults ``--refdist 500 --pctsize 0.7``). Per sample, a truth event counts when the
sample's truth genotype carries it, a call when the sample's GT carries it. The same is computed
per caller from ``FORMAT/SC`` (the callers that saw the event in that sample), with that caller's
own breakpoints when it is not the breakpoint-giving one approximated by the merged record.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pysam

from hurtig.devtools.sv_truth import PlantedSv, read_planted_sv
from hurtig.io.files import write_text_atomic

MAX_BREAKPOINT_DISTANCE = 500
MIN_SIZE_RATIO = 0.7
CALLER_SETS: tuple[str, ...] = ("merged", "delly", "tiddit", "cnvkit")


@dataclass(frozen=True)
class Event:
    """One called event of one sample."""

    chrom: str
    start: int
    end: int
    svtype: str
    callers: tuple[str, ...]


def matches(e: Event, t: PlantedSv) -> bool:
    """Same type and chromosome, breakpoints within the distance, sizes within the ratio."""
    if e.chrom != t.chrom or e.svtype != t.svtype:
        return False
    if abs(e.start - t.start) > MAX_BREAKPOINT_DISTANCE:
        return False
    if abs(e.end - t.end) > MAX_BREAKPOINT_DISTANCE:
        return False
    a, b = e.end - e.start + 1, t.length
    return min(a, b) / max(a, b) >= MIN_SIZE_RATIO


def called_events(path: Path) -> dict[str, list[Event]]:
    """Per sample, the events its GT carries (with the callers that saw them in it)."""
    out: dict[str, list[Event]] = {}
    with pysam.VariantFile(str(path)) as vcf:
        samples = [str(s) for s in vcf.header.samples]
        for s in samples:
            out[s] = []
        for rec in vcf:
            for s in samples:
                gt = rec.samples[s].get("GT") or ()
                if not any(a is not None and a > 0 for a in gt):
                    continue
                sc = str(rec.samples[s].get("SC") or "")
                callers = tuple(c for c in sc.split("|") if c and c != ".")
                svtype = str(rec.info["SVTYPE"])
                out[s].append(Event(rec.chrom, rec.pos + 1, int(rec.stop), svtype, callers))
    return out


def score(events: Sequence[Event], truth: Sequence[PlantedSv]) -> dict[str, float | int | None]:
    """Recall, precision and counts of one sample's events."""
    tp_truth = sum(1 for t in truth if any(matches(e, t) for e in events))
    tp_calls = sum(1 for e in events if any(matches(e, t) for t in truth))
    return {
        "truth": len(truth),
        "calls": len(events),
        "tp": tp_truth,
        "fp": len(events) - tp_calls,
        "fn": len(truth) - tp_truth,
        "recall": round(tp_truth / len(truth), 4) if truth else None,
        "precision": round(tp_calls / len(events), 4) if events else None,
    }


def evaluate(truth_path: Path, query: Path) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """Metrics per sample and caller set (``merged`` = every record)."""
    planted = read_planted_sv(truth_path)
    calls = called_events(query)
    result: dict[str, dict[str, dict[str, float | int | None]]] = {}
    for sample, events in calls.items():
        truth = [t for t in planted if sample in t.genotypes and any(t.genotypes[sample])]
        result[sample] = {
            name: score(
                [e for e in events if name == "merged" or name in e.callers],
                truth,
            )
            for name in CALLER_SETS
        }
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="hurtig evaluate-sv", description=__doc__)
    parser.add_argument("--truth", required=True, type=Path, help="planted_sv.tsv")
    parser.add_argument("--query", required=True, type=Path, help="merged SV VCF")
    parser.add_argument("--out", type=Path, help="metrics JSON (default: stdout)")
    args = parser.parse_args(argv)
    text = json.dumps(evaluate(args.truth, args.query), indent=1) + "\n"
    if args.out:
        write_text_atomic(args.out, text)
    else:
        sys.stdout.write(text)
    return 0
