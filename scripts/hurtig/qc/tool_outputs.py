"""Parsers for QC tool outputs: fastp JSON, samtools stats, mosdepth summary and panel coverage.

Also :func:`read_contig_depths` (per-contig mean depths of a mosdepth summary, for the sex check)
and the panel coverage summaries the report shows (:func:`summarise_genes`,
:func:`panel_fraction_at_threshold`, :func:`panel_mean_depth`).

Every parser returns frozen dataclasses and raises `hurtig.errors.InputError` naming the file
when the input is missing, unreadable or malformed.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hurtig.errors import InputError


@dataclass(frozen=True)
class FastpSummary:
    """Read counts and quality from one fastp JSON report (one sequencing unit)."""

    path: str
    version: str
    sequencing: str
    reads_before: int
    reads_after: int
    bases_before: int
    bases_after: int
    q30_rate_before: float
    q30_rate_after: float
    duplication_rate: float | None
    insert_size_peak: int | None

    @property
    def pass_rate(self) -> float | None:
        """Fraction of reads kept by fastp (None when there were no reads)."""
        return self.reads_after / self.reads_before if self.reads_before else None


@dataclass(frozen=True)
class FastpTotals:
    """fastp figures summed over all units of one sample."""

    units: int
    reads_before: int
    reads_after: int
    bases_before: int
    bases_after: int
    q30_rate_before: float | None
    q30_rate_after: float | None
    duplication_rate: float | None


@dataclass(frozen=True)
class SamtoolsStats:
    """Selected numbers of the SN section of `samtools stats`."""

    raw_total_sequences: int
    reads_mapped: int
    reads_duplicated: int
    insert_size_average: float
    error_rate: float
    bases_mapped: int

    @property
    def mapping_rate(self) -> float | None:
        """Reads mapped / raw total sequences (None when there are no reads)."""
        return self.reads_mapped / self.raw_total_sequences if self.raw_total_sequences else None

    @property
    def duplication_rate(self) -> float | None:
        """Reads flagged duplicate / reads mapped (None when no reads mapped)."""
        return self.reads_duplicated / self.reads_mapped if self.reads_mapped else None


@dataclass(frozen=True)
class MosdepthSummary:
    """Mean depth from `{prefix}.mosdepth.summary.txt`."""

    total_mean: float
    total_length: int
    region_mean: float | None


@dataclass(frozen=True)
class ExonCoverage:
    """Coverage of one panel region (`SYMBOL|TRANSCRIPT|exonN`)."""

    chrom: str
    start: int
    end: int
    name: str
    gene: str
    transcript: str
    exon: str
    mean_depth: float
    bases_at_threshold: int

    @property
    def length(self) -> int:
        """Region length in bases."""
        return self.end - self.start

    @property
    def fraction_at_threshold(self) -> float:
        """Fraction of bases with depth at or above the threshold (1.0 for empty regions)."""
        return self.bases_at_threshold / self.length if self.length else 1.0

    @property
    def bases_below_threshold(self) -> int:
        """Number of bases below the threshold."""
        return self.length - self.bases_at_threshold


@dataclass(frozen=True)
class GeneCoverage:
    """Coverage of all panel regions of one gene."""

    gene: str
    transcript: str
    exons: int
    length: int
    bases_at_threshold: int
    mean_depth: float
    low_exons: int

    @property
    def fraction_at_threshold(self) -> float:
        """Fraction of the gene's panel bases at or above the threshold."""
        return self.bases_at_threshold / self.length if self.length else 1.0


def _load_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not valid JSON ({err})") from err


def _read_lines(path: Path) -> list[str]:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                return handle.read().splitlines()
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from err
    except (UnicodeDecodeError, EOFError) as err:
        raise InputError(f"{path}: unreadable ({err})") from err


def parse_fastp(path: str | Path) -> FastpSummary:
    """Parse a fastp JSON report.

    Args:
        path: fastp `--json` output.

    Returns:
        The read counts before/after filtering, Q30 rates, duplication rate and insert size peak
        (the last two are None when fastp did not compute them, e.g. single-end reads).

    Raises:
        InputError: the file is missing or lacks the `summary` fields.
    """
    path = Path(path)
    data = _load_json(path)
    try:
        summary = data["summary"]
        before = summary["before_filtering"]
        after = summary["after_filtering"]
        dup = data.get("duplication", {}).get("rate")
        peak = data.get("insert_size", {}).get("peak")
        return FastpSummary(
            path=str(path),
            version=str(summary.get("fastp_version", "")),
            sequencing=str(summary.get("sequencing", "")),
            reads_before=int(before["total_reads"]),
            reads_after=int(after["total_reads"]),
            bases_before=int(before["total_bases"]),
            bases_after=int(after["total_bases"]),
            q30_rate_before=float(before["q30_rate"]),
            q30_rate_after=float(after["q30_rate"]),
            duplication_rate=None if dup is None else float(dup),
            insert_size_peak=None if peak is None else int(peak),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InputError(f"{path}: not a fastp JSON report (missing or bad {err})") from err


def combine_fastp(reports: Sequence[FastpSummary]) -> FastpTotals:
    """Sum fastp figures over the units of a sample.

    Q30 rates are weighted by bases, the duplication rate by reads before filtering.

    Args:
        reports: one summary per unit.

    Returns:
        The totals (rates are None when there is nothing to weight).
    """
    bases_before = sum(r.bases_before for r in reports)
    bases_after = sum(r.bases_after for r in reports)
    dup_units = [r for r in reports if r.duplication_rate is not None]
    dup_reads = sum(r.reads_before for r in dup_units)
    return FastpTotals(
        units=len(reports),
        reads_before=sum(r.reads_before for r in reports),
        reads_after=sum(r.reads_after for r in reports),
        bases_before=bases_before,
        bases_after=bases_after,
        q30_rate_before=(
            sum(r.q30_rate_before * r.bases_before for r in reports) / bases_before
            if bases_before
            else None
        ),
        q30_rate_after=(
            sum(r.q30_rate_after * r.bases_after for r in reports) / bases_after
            if bases_after
            else None
        ),
        duplication_rate=(
            sum((r.duplication_rate or 0.0) * r.reads_before for r in dup_units) / dup_reads
            if dup_reads
            else None
        ),
    )


_SAMTOOLS_KEYS = {
    "raw total sequences": ("raw_total_sequences", int),
    "reads mapped": ("reads_mapped", int),
    "reads duplicated": ("reads_duplicated", int),
    "insert size average": ("insert_size_average", float),
    "error rate": ("error_rate", float),
    "bases mapped": ("bases_mapped", int),
}


def parse_samtools_stats(path: str | Path) -> SamtoolsStats:
    """Parse the SN (summary numbers) section of `samtools stats` output.

    Args:
        path: the text output of `samtools stats`.

    Returns:
        Raw total sequences, reads mapped, reads duplicated, insert size average, error rate and
        bases mapped.

    Raises:
        InputError: the file is missing or one of these SN lines is absent or not a number.
    """
    path = Path(path)
    values: dict[str, int | float] = {}
    for line in _read_lines(path):
        if not line.startswith("SN\t"):
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            continue
        key = fields[1].rstrip(":").strip()
        if key in _SAMTOOLS_KEYS:
            attr, kind = _SAMTOOLS_KEYS[key]
            try:
                values[attr] = kind(float(fields[2])) if kind is int else float(fields[2])
            except ValueError as err:
                raise InputError(f"{path}: SN '{key}' is not a number: {fields[2]!r}") from err
    missing = [key for key, (attr, _) in _SAMTOOLS_KEYS.items() if attr not in values]
    if missing:
        raise InputError(f"{path}: not samtools stats output (no SN {', '.join(missing)})")
    return SamtoolsStats(
        raw_total_sequences=int(values["raw_total_sequences"]),
        reads_mapped=int(values["reads_mapped"]),
        reads_duplicated=int(values["reads_duplicated"]),
        insert_size_average=float(values["insert_size_average"]),
        error_rate=float(values["error_rate"]),
        bases_mapped=int(values["bases_mapped"]),
    )


def parse_mosdepth_summary(path: str | Path) -> MosdepthSummary:
    """Parse `mosdepth.summary.txt` for the genome-wide and region-wide mean depth.

    Args:
        path: mosdepth summary file (columns chrom, length, bases, mean, min, max).

    Returns:
        The mean of the `total` row and, when mosdepth ran with `--by`, of `total_region`.

    Raises:
        InputError: the file is missing, malformed, or has no `total` row.
    """
    path = Path(path)
    lines = _read_lines(path)
    if not lines or not lines[0].startswith("chrom\t"):
        raise InputError(f"{path}: not a mosdepth summary (header 'chrom length bases mean ...')")
    rows: dict[str, tuple[int, float]] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        try:
            rows[fields[0]] = (int(fields[1]), float(fields[3]))
        except (IndexError, ValueError) as err:
            raise InputError(f"{path}: line {number} is malformed") from err
    if "total" not in rows:
        raise InputError(f"{path}: no 'total' row")
    region = rows.get("total_region")
    return MosdepthSummary(
        total_mean=rows["total"][1],
        total_length=rows["total"][0],
        region_mean=None if region is None else region[1],
    )


def read_contig_depths(path: Path) -> dict[str, tuple[int, float]]:
    """Per-contig (length, mean depth) from a mosdepth summary.

    mosdepth's ``{contig}_region`` rows (over the ``--by`` regions: the pipeline passes the
    callable, non-N reference) are preferred to the whole-contig rows, which count N gaps as
    zero depth.
    """
    try:
        with path.open(encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    if not lines or not lines[0].startswith("chrom\tlength\tbases\tmean"):
        raise InputError(f"{path}: not a mosdepth summary (header 'chrom length bases mean ...')")
    whole: dict[str, tuple[int, float]] = {}
    region: dict[str, tuple[int, float]] = {}
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        try:
            length, mean = int(fields[1]), float(fields[3])
        except (IndexError, ValueError) as err:
            raise InputError(f"{path}: line {number}: bad length or mean") from err
        name = fields[0]
        if name in ("total", "total_region"):
            continue
        if name.endswith("_region"):
            region[name.removesuffix("_region")] = (length, mean)
        else:
            whole[name] = (length, mean)
    return {**whole, **region}


def _split_name(name: str) -> tuple[str, str, str]:
    parts = name.split("|")
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return name, "", ""


_RegionKey = tuple[str, int, int, str]  # chrom, start (0-based), end, name


def _threshold_counts(path: Path, threshold: int) -> tuple[dict[_RegionKey, int], list[_RegionKey]]:
    """Bases at ``threshold`` per region of a mosdepth thresholds file, and the file's order."""
    lines = _read_lines(path)
    if not lines or not lines[0].startswith("#chrom"):
        raise InputError(f"{path}: no '#chrom start end region ...' header")
    header = lines[0].split("\t")
    column = f"{threshold}X"
    if column not in header:
        raise InputError(f"{path}: no {column} column (has {', '.join(header[4:]) or 'none'})")
    index = header.index(column)
    counts: dict[_RegionKey, int] = {}
    order: list[_RegionKey] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        try:
            key = (fields[0], int(fields[1]), int(fields[2]), fields[3])
            counts[key] = int(fields[index])
        except (IndexError, ValueError) as err:
            raise InputError(f"{path}: line {number} is malformed") from err
        order.append(key)
    return counts, order


def _region_depths(path: Path) -> dict[_RegionKey, float]:
    """Mean depth per region of a mosdepth regions file."""
    depths: dict[_RegionKey, float] = {}
    for number, line in enumerate(_read_lines(path), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        try:
            depths[(fields[0], int(fields[1]), int(fields[2]), fields[3])] = float(fields[4])
        except (IndexError, ValueError) as err:
            raise InputError(
                f"{path}: line {number} is malformed (expected chrom, start, end, name, mean depth)"
            ) from err
    return depths


def parse_coverage(
    thresholds_path: str | Path, regions_path: str | Path, threshold: int = 20
) -> list[ExonCoverage]:
    """Join mosdepth `--by BED --thresholds T` outputs into one record per panel region.

    Args:
        thresholds_path: `{prefix}.thresholds.bed.gz` (`#chrom start end region 20X ...`).
        regions_path: `{prefix}.regions.bed.gz` (chrom, start, end, name, mean depth).
        threshold: the depth whose `{threshold}X` column is used.

    Returns:
        The regions in file order.

    Raises:
        InputError: a file is missing or malformed, lacks the threshold column, or the two files
            list different regions.
    """
    thresholds_path, regions_path = Path(thresholds_path), Path(regions_path)
    counts, order = _threshold_counts(thresholds_path, threshold)
    depths = _region_depths(regions_path)
    if set(depths) != set(counts):
        raise InputError(
            f"{regions_path}: regions differ from {thresholds_path.name} "
            "(not from the same mosdepth run?)"
        )
    exons = []
    for key in order:
        chrom, start, end, name = key
        gene, transcript, exon = _split_name(name)
        exons.append(
            ExonCoverage(
                chrom=chrom,
                start=start,
                end=end,
                name=name,
                gene=gene,
                transcript=transcript,
                exon=exon,
                mean_depth=depths[key],
                bases_at_threshold=counts[key],
            )
        )
    return exons


def summarise_genes(exons: Iterable[ExonCoverage]) -> list[GeneCoverage]:
    """Aggregate region coverage per gene (mean depth weighted by region length).

    Args:
        exons: panel regions.

    Returns:
        One record per gene, in order of first appearance.
    """
    groups: dict[str, list[ExonCoverage]] = {}
    for exon in exons:
        groups.setdefault(exon.gene, []).append(exon)
    genes = []
    for gene, members in groups.items():
        length = sum(e.length for e in members)
        transcripts = sorted({e.transcript for e in members if e.transcript})
        genes.append(
            GeneCoverage(
                gene=gene,
                transcript=",".join(transcripts),
                exons=len(members),
                length=length,
                bases_at_threshold=sum(e.bases_at_threshold for e in members),
                mean_depth=(sum(e.mean_depth * e.length for e in members) / length)
                if length
                else 0.0,
                low_exons=sum(1 for e in members if e.bases_below_threshold > 0),
            )
        )
    return genes


def panel_fraction_at_threshold(exons: Sequence[ExonCoverage]) -> float | None:
    """Fraction of all panel bases at or above the threshold (None for an empty panel)."""
    length = sum(e.length for e in exons)
    return sum(e.bases_at_threshold for e in exons) / length if length else None


def panel_mean_depth(exons: Sequence[ExonCoverage]) -> float | None:
    """Length-weighted mean depth over all panel regions (None for an empty panel)."""
    length = sum(e.length for e in exons)
    return sum(e.mean_depth * e.length for e in exons) / length if length else None
