"""The sequencing QC verdict of a report: PASS, or CHECK with the reasons."""

from __future__ import annotations

from dataclasses import dataclass

from hurtig.qc.tool_outputs import MosdepthSummary, SamtoolsStats


@dataclass(frozen=True)
class Thresholds:
    """QC verdict thresholds.

    Attributes:
        depth: the depth of the per-base coverage figures (a mosdepth ``--thresholds`` value).
        min_mean_coverage: least mean coverage (callable genome when known).
        min_panel_fraction: least fraction of panel bases at ``depth`` or more.
        min_mapping_rate: least fraction of reads mapped.
    """

    depth: int = 20
    min_mean_coverage: float = 20.0
    min_panel_fraction: float = 0.95
    min_mapping_rate: float = 0.95


@dataclass(frozen=True)
class Verdict:
    """The overall QC verdict: PASS, or CHECK with the reasons."""

    status: str
    reasons: tuple[str, ...]
    checks: tuple[tuple[str, str, str, bool], ...]  # (label, value, requirement, ok)


def qc_verdict(
    samtools: SamtoolsStats,
    mosdepth: MosdepthSummary,
    panel_fraction: float | None,
    thresholds: Thresholds,
) -> Verdict:
    """Compute the QC verdict: PASS when every check passes, otherwise CHECK with reasons."""
    checks: list[tuple[str, str, str, bool]] = []
    # The pipeline runs mosdepth --by the callable (non-N) reference, so region_mean is the mean
    # over sequence reads can map to; the whole-contig mean counts N gaps as zero coverage.
    callable_mean = mosdepth.region_mean
    label = (
        "Mean coverage (callable genome)" if callable_mean is not None else "Mean genome coverage"
    )
    mean = mosdepth.total_mean if callable_mean is None else callable_mean
    checks.append(
        (
            label,
            f"{mean:.1f}×",
            f"≥ {thresholds.min_mean_coverage:g}×",
            mean >= thresholds.min_mean_coverage,
        )
    )
    checks.append(
        (
            f"Panel bases ≥ {thresholds.depth}×",
            "no panel regions" if panel_fraction is None else f"{panel_fraction * 100:.1f} %",
            f"≥ {thresholds.min_panel_fraction * 100:g} %",
            panel_fraction is not None and panel_fraction >= thresholds.min_panel_fraction,
        )
    )
    rate = samtools.mapping_rate
    checks.append(
        (
            "Reads mapped",
            "no reads" if rate is None else f"{rate * 100:.1f} %",
            f"≥ {thresholds.min_mapping_rate * 100:g} %",
            rate is not None and rate >= thresholds.min_mapping_rate,
        )
    )
    reasons = tuple(
        f"{label} is {value} (required {req})" for label, value, req, ok in checks if not ok
    )
    return Verdict("CHECK" if reasons else "PASS", reasons, tuple(checks))
