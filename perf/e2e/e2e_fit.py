"""Linear fits over data sizes and the 30x-genome projection of the end-to-end benchmark."""

from __future__ import annotations

from dataclasses import dataclass

# Stages of the workflow, by what their work grows with.
STAGES: dict[str, tuple[str, ...]] = {
    "align": ("trim_reads", "align_reads", "mark_duplicates", "convert_bam_to_fastq"),
    "call": ("make_shards", "call_shard", "concat_calls"),
    "qc": ("compute_coverage", "compute_alignment_stats", "run_multiqc"),
    "annotate": ("annotate_shard", "concat_annotated", "predict_consequences", "add_to_inhouse"),
}
READ_SCALED = ("align", "call", "qc")  # grows with read bases (fitted slope per Gbp of reads)
GENOME_READ_GBP = 3.1 * 30  # a 30x genome: 93 Gbp of read bases
GENOME_VARIANTS = 4.5e6  # variant records of a 30x germline genome (Danecek & McCarthy 2017)
PUBLISHED_BWA_CORE_H_PER_GBP = 105 / 100  # bwa-mem, 105 thread-hours per 100 Gbp (TARGETS.md)
SERIAL_RULES = ("mark_duplicates", "concat_calls", "concat_annotated")


@dataclass
class Fit:
    """time = a + b * size, with the coefficient of determination and the worst residual."""

    a: float
    b: float
    r2: float
    max_rel_residual: float
    n: int

    def at(self, size: float) -> float:
        """Fitted value at ``size``."""
        return self.a + self.b * size


def linear_fit(xs: list[float], ys: list[float]) -> Fit:
    """Least-squares line through (xs, ys).

    Raises:
        ValueError: fewer than two distinct sizes.
    """
    n = len(xs)
    if n != len(ys) or len(set(xs)) < 2:
        raise ValueError("a fit needs at least two distinct sizes")
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    a = my - b * mx
    ss_res = sum((y - (a + b * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    ss_tot = sum((y - my) ** 2 for y in ys)
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    rel = max(abs(y - (a + b * x)) / abs(y) for x, y in zip(xs, ys, strict=True) if y)
    return Fit(a, b, r2, rel, n)


def stage_of(rule: str) -> str:
    """Stage name of a rule ("report" for everything not listed in STAGES)."""
    for stage, rules in STAGES.items():
        if rule in rules:
            return stage
    return "report"


def project_genome(
    fits: dict[str, Fit],
    annotate_cpu_per_variant: float,
    report_cpu: float,
    bwa_fit: Fit,
    serial_fit: Fit,
    efficiency: float,
) -> dict[str, float]:
    """CPU hours and wall hours of one 30x genome from the fitted per-Gbp rates.

    Read-scaled stages take their fitted slope times 93 Gbp plus the intercept; annotation takes
    CPU per variant times 4.5 M variants; panel/report work is per sample and taken as measured.
    The "published bwa" variant swaps our bwa rate (tiny reference, in cache) for the published
    1.05 core-h per Gbp and keeps everything else.

    Args:
        fits: CPU seconds vs read Gbp per stage in READ_SCALED.
        annotate_cpu_per_variant: annotation CPU seconds per variant record.
        report_cpu: CPU seconds of the per-sample panel/report/QC-summary jobs.
        bwa_fit: CPU seconds of bare ``bwa mem`` on the same reads vs read Gbp.
        serial_fit: CPU seconds of the rules that run as one stream per sample (SERIAL_RULES).
        efficiency: parallel efficiency applied to the parallel part (measured, <= 1).

    Returns:
        ``cpu_h``, ``cpu_h_published_bwa`` and walls on 1 and 16 nodes of 32 cores for both.
    """
    # A noisy negative slope must not make a stage cost negative CPU.
    read_cpu = sum(max(fits[s].at(GENOME_READ_GBP), 0.0) for s in READ_SCALED)
    annotate = annotate_cpu_per_variant * GENOME_VARIANTS
    total = read_cpu + annotate + report_cpu
    bwa_ours = max(bwa_fit.at(GENOME_READ_GBP), 0.0)
    bwa_published = PUBLISHED_BWA_CORE_H_PER_GBP * 3600 * GENOME_READ_GBP
    # Only bwa itself is swapped; fastp, fixmate, sort, markdup stay as measured.
    total_pub = total - min(bwa_ours, total) + bwa_published
    serial = max(serial_fit.at(GENOME_READ_GBP), 0.0)
    out = {"cpu_h": total / 3600, "cpu_h_published_bwa": total_pub / 3600}
    for name, cpu in (("", total), ("_published_bwa", total_pub)):
        parallel = max(cpu - serial, 0.0)
        for nodes in (1, 16):
            wall = serial + parallel / (32 * nodes * efficiency)
            out[f"wall_h_{nodes}node{name}"] = wall / 3600
    out["serial_h"] = serial / 3600
    return out
