"""The verdicts of a report's panel: the sequencing QC (PASS or CHECK) and the panel verdict.

The panel verdict is the report's headline, decided here only (HTML, PDF and XLSX render it):
INCOMPLETE when any part of the panel was not examined (a gene missing from the gene model, a
gene without coverage regions, an exon with bases below the coverage threshold), else CHECK when
a sequencing QC check failed, else PASS.
"""

from __future__ import annotations

from dataclasses import dataclass

from hurtig.qc.tool_outputs import ExonCoverage, MosdepthSummary, SamtoolsStats

PASS, CHECK, INCOMPLETE = "PASS", "CHECK", "INCOMPLETE"
LISTED_EXONS = 12
"""Exons below the threshold the headline names (the coverage section lists them all)."""


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


def _panel_check(
    panel_fraction: float | None, thresholds: Thresholds
) -> tuple[str, str, str, bool]:
    """The panel-coverage check: panel bases at the threshold depth or more."""
    return (
        f"Panel bases ≥ {thresholds.depth}×",
        "no panel regions" if panel_fraction is None else f"{panel_fraction * 100:.1f} %",
        f"≥ {thresholds.min_panel_fraction * 100:g} %",
        panel_fraction is not None and panel_fraction >= thresholds.min_panel_fraction,
    )


def preliminary_qc_verdict(panel_fraction: float | None, thresholds: Thresholds) -> Verdict:
    """The QC verdict of a preliminary (fast path) report: CHECK, genome-wide QC not done yet.

    Panel coverage is known (from the panel reads); mean coverage and reads mapped need the
    whole-genome alignment, so they are listed as not done, never as passed.
    """
    pending = "not done yet (needs the whole-genome alignment)"
    checks = (
        ("Mean coverage (callable genome)", pending, f"≥ {thresholds.min_mean_coverage:g}×", False),
        _panel_check(panel_fraction, thresholds),
        ("Reads mapped", pending, f"≥ {thresholds.min_mapping_rate * 100:g} %", False),
    )
    reasons = tuple(
        f"{label} is {value} (required {req})" for label, value, req, ok in checks if not ok
    )
    return Verdict(CHECK, reasons, checks)


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
    checks.append(_panel_check(panel_fraction, thresholds))
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
    return Verdict(CHECK if reasons else PASS, reasons, tuple(checks))


@dataclass(frozen=True)
class PanelVerdict:
    """The panel verdict: PASS, INCOMPLETE (what was not examined) or CHECK (QC failed).

    Attributes:
        status: PASS, INCOMPLETE or CHECK.
        incomplete: one line per kind of thing not examined (empty when all was examined).
        qc: the sequencing QC verdict (its checks and failed reasons).
    """

    status: str
    incomplete: tuple[str, ...]
    qc: Verdict

    @property
    def reasons(self) -> tuple[str, ...]:
        """Everything that keeps the panel from PASS: not examined first, then failed QC."""
        return (*self.incomplete, *self.qc.reasons)

    @property
    def checks(self) -> tuple[tuple[str, str, str, bool], ...]:
        """The sequencing QC checks (label, value, requirement, ok)."""
        return self.qc.checks


def _exon_names(exons: tuple[ExonCoverage, ...]) -> str:
    named = [f"{e.gene} {e.exon}" for e in exons[:LISTED_EXONS]]
    more = len(exons) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def not_examined_lines(
    missing_genes: tuple[str, ...],
    uncovered_genes: tuple[str, ...],
    low_exons: tuple[ExonCoverage, ...],
    exon_count: int,
    threshold: int,
) -> tuple[str, ...]:
    """One line per kind of panel part not (fully) examined."""
    lines = []
    if missing_genes:
        lines.append(
            f"{len(missing_genes)} panel gene(s) not analysed: " + "; ".join(missing_genes)
        )
    if uncovered_genes:
        lines.append(
            f"{len(uncovered_genes)} panel gene(s) not analysed (no coverage regions): "
            + ", ".join(uncovered_genes)
        )
    if low_exons:
        lines.append(
            f"{len(low_exons)} of {exon_count} exon(s) with bases below {threshold}×: "
            + _exon_names(low_exons)
        )
    return tuple(lines)


def panel_verdict(incomplete: tuple[str, ...], qc: Verdict) -> PanelVerdict:
    """The panel verdict from what was not examined (:func:`not_examined_lines`) and the QC."""
    status = INCOMPLETE if incomplete else qc.status
    return PanelVerdict(status, incomplete, qc)
