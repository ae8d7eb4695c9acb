"""Clinical HTML report for one sample × one panel.

Combines the prioritised variants (TSV + JSON from `hurtig.prioritise.candidates`), read/alignment QC
(fastp, samtools stats, mosdepth) and panel coverage into ONE self-contained HTML file: all CSS and
JavaScript inline, nothing loaded from the network (links out to gnomAD, ClinVar and UCSC are
plain `<a>` links). The output is deterministic except for the creation timestamp, which honours
`SOURCE_DATE_EPOCH`.
"""

from __future__ import annotations

import argparse
import csv
import importlib.resources
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from hurtig import __version__
from hurtig.errors import InputError
from hurtig.io.files import sha256_file, write_text_atomic
from hurtig.prioritise.columns import CONTRACT_COLUMNS
from hurtig.qc.sample_checks import load_checks
from hurtig.qc.tool_outputs import (
    ExonCoverage,
    FastpSummary,
    FastpTotals,
    GeneCoverage,
    MosdepthSummary,
    SamtoolsStats,
    combine_fastp,
    panel_fraction_at_threshold,
    panel_mean_depth,
    parse_coverage,
    parse_fastp,
    parse_mosdepth_summary,
    parse_samtools_stats,
    summarise_genes,
)

TEMPLATES = importlib.resources.files("hurtig.report") / "templates"

TSV_COLUMNS = CONTRACT_COLUMNS

# UCSC database and gnomAD dataset per genome build.
BUILDS = {
    "GRCh38": ("hg38", "gnomad_r4", "chrpos38"),
    "GRCh37": ("hg19", "gnomad_r2_1", "chrpos37"),
}


@dataclass(frozen=True)
class Thresholds:
    """QC verdict thresholds."""

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


@dataclass(frozen=True)
class Variant:
    """One prioritised variant row plus its evidence and outgoing links."""

    row: dict[str, str]
    evidence: tuple[dict[str, Any], ...]
    links: dict[str, str]
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def __getitem__(self, key: str) -> str:
        return self.row.get(key, "")


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Read the prioritised TSV.

    Args:
        path: `hurtig.prioritise.candidates` TSV output.

    Returns:
        One dict per row, in file order.

    Raises:
        InputError: the file is missing or lacks one of the required columns.
    """
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            header = reader.fieldnames or []
            missing = [c for c in TSV_COLUMNS if c not in header]
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = []
            for number, row in enumerate(reader, start=2):
                if None in row or any(v is None for v in row.values()):
                    raise InputError(f"{path}: line {number} has the wrong number of fields")
                rows.append({k: v for k, v in row.items() if k is not None})
            return rows
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err


def load_json(path: Path, what: str) -> dict[str, Any]:
    """Load a JSON object, raising `InputError` naming the file on failure."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(data, dict):
        raise InputError(f"{path}: {what} must be a JSON object")
    return data


def variant_links(row: dict[str, str], build: str) -> dict[str, str]:
    """Outgoing https links (gnomAD, ClinVar, UCSC) for a variant row."""
    ucsc_db, gnomad_dataset, clinvar_pos = BUILDS[build]
    chrom, pos, ref, alt = row["chrom"], row["pos"], row["ref"], row["alt"]
    bare = chrom[3:] if chrom.lower().startswith("chr") else chrom
    links: dict[str, str] = {}
    if pos.isdigit():
        start, end = int(pos), int(pos) + max(len(ref), 1) - 1
        variant_id = quote(f"{bare}-{pos}-{ref}-{alt}", safe="-")
        links["gnomAD"] = (
            f"https://gnomad.broadinstitute.org/variant/{variant_id}?dataset={gnomad_dataset}"
        )
        clinvar_id = row.get("clinvar_id", "")
        if clinvar_id.isdigit():
            links["ClinVar"] = f"https://www.ncbi.nlm.nih.gov/clinvar/variation/{clinvar_id}/"
        else:
            term = quote(f"{bare}[chr] AND {start}:{end}[{clinvar_pos}]", safe="")
            links["ClinVar"] = f"https://www.ncbi.nlm.nih.gov/clinvar/?term={term}"
        ucsc_chrom = chrom if chrom.lower().startswith("chr") else f"chr{chrom}"
        position = quote(f"{ucsc_chrom}:{max(start - 25, 1)}-{end + 25}", safe=":-")
        links["UCSC"] = (
            f"https://genome.ucsc.edu/cgi-bin/hgTracks?db={ucsc_db}&position={position}"
            f"&highlight={ucsc_db}.{quote(ucsc_chrom, safe='')}:{start}-{end}"
        )
    return links


EXTRA_LABELS = {
    "gq": "Genotype quality (GQ)",
    "gnomad_popmax_af": "gnomAD popmax AF",
    "clinvar_stars": "ClinVar review stars",
    "family_genotypes": "Family genotypes",
    "panel_inheritance": "Panel inheritance",
}


def build_variants(
    rows: list[dict[str, str]], data: dict[str, Any], json_path: Path, build: str
) -> list[Variant]:
    """Attach the JSON evidence to the TSV rows (matched by rank)."""
    json_variants = data.get("variants", [])
    if not isinstance(json_variants, list):
        raise InputError(f"{json_path}: 'variants' must be a list")
    if len(json_variants) != len(rows):
        raise InputError(
            f"{json_path}: {len(json_variants)} variants but the TSV has {len(rows)} rows "
            "(not from the same run?)"
        )
    by_rank = {str(v.get("rank", "")): v for v in json_variants if isinstance(v, dict)}
    variants = []
    for row in rows:
        entry = by_rank.get(row["rank"])
        if entry is None:
            raise InputError(f"{json_path}: no variant with rank {row['rank']} (TSV has it)")
        evidence = entry.get("evidence") or []
        if not isinstance(evidence, list):
            raise InputError(f"{json_path}: rank {row['rank']}: 'evidence' must be a list")
        merged = dict(row)
        if entry.get("clinvar_id") is not None and not merged.get("clinvar_id"):
            merged["clinvar_id"] = str(entry["clinvar_id"])
        extra = tuple(
            (label, merged.get(key, "")) for key, label in EXTRA_LABELS.items() if merged.get(key)
        )
        variants.append(
            Variant(
                row=merged,
                evidence=tuple(e for e in evidence if isinstance(e, dict)),
                links=variant_links(merged, build),
                extra=extra,
            )
        )
    return variants


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


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten nested settings into (dotted.key, JSON value) pairs, sorted by key."""
    if isinstance(value, dict):
        items: list[tuple[str, str]] = []
        for key in sorted(value, key=str):
            items.extend(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return items
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return [(prefix, text)]


def creation_time() -> str:
    """UTC creation time; `SOURCE_DATE_EPOCH` makes it reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# ---------------------------------------------------------------- formatting filters


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def fmt_int(value: Any) -> str:
    """Integer with thin thousands separators; '' for missing."""
    number = _number(value)
    return "" if number is None else f"{round(number):,}".replace(",", "\u2009")


def fmt_pct(value: Any, digits: int = 1) -> str:
    """A fraction shown as a percentage; '–' for missing."""
    number = _number(value)
    return "–" if number is None else f"{number * 100:.{digits}f} %"


def fmt_float(value: Any, digits: int = 2) -> str:
    """A float with fixed decimals, or the raw text when it is not a number."""
    number = _number(value)
    if number is None:
        return "" if value is None else str(value)
    return f"{number:.{digits}f}"


def fmt_af(value: Any) -> str:
    """An allele frequency: scientific below 0.001, '' for missing."""
    number = _number(value)
    if number is None:
        return "" if value is None else str(value)
    if number == 0:
        return "0"
    return f"{number:.2e}" if number < 0.001 else f"{number:.4f}"


def fmt_points(value: Any) -> str:
    """Evidence points with an explicit sign."""
    number = _number(value)
    if number is None:
        return "" if value is None else str(value)
    return f"{number:+g}"


def fmt_size(value: Any) -> str:
    """A byte count in human units."""
    number = _number(value)
    if number is None:
        return ""
    for unit in ("B", "kB", "MB", "GB"):
        if number < 1000 or unit == "GB":
            return f"{number:.0f} {unit}" if unit == "B" else f"{number:.1f} {unit}"
        number /= 1000
    return ""


def sort_value(value: Any) -> str:
    """The value used by the table sorter (numbers as plain text, missing as '')."""
    return "" if value is None else str(value).strip()


def make_environment() -> jinja2.Environment:
    """The jinja2 environment (autoescape on, undefined variables are errors)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("hurtig.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        fmt_int=fmt_int,
        fmt_pct=fmt_pct,
        fmt_float=fmt_float,
        fmt_af=fmt_af,
        fmt_points=fmt_points,
        fmt_size=fmt_size,
        sort_value=sort_value,
    )
    return env


@dataclass(frozen=True)
class ReportInputs:
    """Paths given on the command line."""

    tsv: Path
    json: Path
    fastp: tuple[Path, ...]
    samtools_stats: Path
    mosdepth_summary: Path
    coverage_thresholds: Path
    coverage_regions: Path
    provenance: Path
    checks: Path | None = None


def describe_missing_gene(gene: Any) -> str:
    """One readable line for a panel gene the gene model lacks (dict from hurtig.panels.resolve or str)."""
    if not isinstance(gene, dict):
        return str(gene)
    symbol = str(gene.get("symbol") or "?")
    hgnc = f" ({gene['hgnc_id']})" if gene.get("hgnc_id") else ""
    reason = f": {gene['reason']}" if gene.get("reason") else ""
    return f"{symbol}{hgnc}{reason}"


def normalise_provenance(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    """Bring a ``hurtig.report.provenance`` record into the shape the template shows.

    ``inputs`` (a list of ``{name, path, size, sha256}``; names may repeat) becomes a mapping from
    a unique display name to the file facts; ``config.sha256`` becomes ``config_sha256`` and
    ``created_utc`` becomes ``created``.
    """
    prov = dict(raw)
    tools = prov.get("tools") or {}
    if not isinstance(tools, dict):
        raise InputError(f"{path}: 'tools' must be an object")
    entries = prov.get("inputs") or []
    if isinstance(entries, dict):
        entries = [{"name": k, **v} for k, v in entries.items() if isinstance(v, dict)]
    if not isinstance(entries, list):
        raise InputError(f"{path}: 'inputs' must be a list")
    named: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise InputError(f"{path}: every entry of 'inputs' must be an object")
        name, number = str(entry.get("name", "input")), 2
        unique = name
        while unique in named:
            unique, number = f"{name} ({number})", number + 1
        named[unique] = {k: entry.get(k) for k in ("path", "sha256", "size")}
    prov["inputs"] = named
    config = prov.get("config")
    if isinstance(config, dict) and "config_sha256" not in prov:
        prov["config_sha256"] = config.get("sha256")
    prov.setdefault("created", prov.get("created_utc"))
    return prov


@dataclass(frozen=True)
class ClinicalUse:
    """The sample checks' verdict for the report (see ``hurtig.qc.sample_checks``)."""

    usable: bool
    failures: tuple[tuple[str, str], ...]  # (check, reason), not overridden
    overridden: tuple[tuple[str, str], ...]  # (check, reason), overridden by the config
    override_reason: str
    inferred_sex: str
    sex_reason: str
    rows: tuple[tuple[str, str, str], ...]  # (check, status, detail) for the checks table


def clinical_use(checks: dict[str, Any] | None, sample: str) -> ClinicalUse:
    """Summarise a family's checks JSON for one sample's report.

    Any failing check of the family (a wrong pedigree or a swapped sample anywhere in the
    family undermines the inheritance analysis) makes the report NOT FOR CLINICAL USE, unless the
    run configuration overrides that check. Without a checks file the report is not usable.
    """
    if checks is None:
        reason = ("checks", "sample checks (sex, relatedness) were not run")
        return ClinicalUse(False, (reason,), (), "", "not assessed", "not assessed", ())
    overrides = set(checks.get("override_checks") or [])
    failures = [(str(f.get("check")), str(f.get("reason"))) for f in checks["failures"]]
    results = checks["checks"]
    rows: list[tuple[str, str, str]] = []
    inferred, sex_reason = "not assessed", "not assessed"
    for entry in results.get("sex", {}).get("samples", []):
        rows.append(("Sex · " + str(entry.get("sample")), entry["status"], entry["reason"]))
        if entry.get("sample") == sample:
            inferred, sex_reason = str(entry.get("inferred")), str(entry.get("reason"))
    for key, label in (("trios", "Mendelian consistency"), ("pairs", "Kinship")):
        for entry in results.get("relatedness", {}).get(key, []):
            rows.append((label, entry["status"], entry["reason"]))
    return ClinicalUse(
        usable=bool(checks["clinical_use"]),
        failures=tuple(f for f in failures if f[0] not in overrides),
        overridden=tuple(f for f in failures if f[0] in overrides),
        override_reason=str(checks.get("override_reason") or ""),
        inferred_sex=inferred,
        sex_reason=sex_reason,
        rows=tuple(rows),
    )


def render_report(
    inputs: ReportInputs,
    thresholds: Thresholds = Thresholds(),
    build: str = "GRCh38",
    sex: str | None = None,
) -> str:
    """Build the report HTML.

    Args:
        inputs: input file paths.
        thresholds: QC thresholds (depth used for coverage, verdict limits).
        build: genome build for the outgoing links (GRCh38 or GRCh37).
        sex: sample sex, used when the prioritisation JSON has no `sex` key.

    Returns:
        The complete self-contained HTML document.

    Raises:
        InputError: any input is missing or malformed.
    """
    rows = read_tsv(inputs.tsv)
    data = load_json(inputs.json, "the prioritisation JSON")
    for key in ("sample", "panel"):
        if key not in data:
            raise InputError(f"{inputs.json}: no '{key}' key")
    panel = data["panel"]
    if not isinstance(panel, dict):
        raise InputError(f"{inputs.json}: 'panel' must be an object")
    variants = build_variants(rows, data, inputs.json, build)

    fastp_units: list[FastpSummary] = [parse_fastp(p) for p in inputs.fastp]
    fastp_totals: FastpTotals = combine_fastp(fastp_units)
    samtools = parse_samtools_stats(inputs.samtools_stats)
    mosdepth = parse_mosdepth_summary(inputs.mosdepth_summary)
    exons: list[ExonCoverage] = parse_coverage(
        inputs.coverage_thresholds, inputs.coverage_regions, thresholds.depth
    )
    genes: list[GeneCoverage] = summarise_genes(exons)
    panel_fraction = panel_fraction_at_threshold(exons)
    provenance = normalise_provenance(load_json(inputs.provenance, "provenance"), inputs.provenance)

    panel_genes = [g for g in panel.get("genes", []) if isinstance(g, dict)]
    inheritance = {str(g.get("symbol", "")): g.get("inheritance", "") for g in panel_genes}
    covered = {g.gene for g in genes}
    missing_symbols = {
        str(g.get("symbol")) if isinstance(g, dict) else str(g)
        for g in panel.get("missing_genes", [])
    }
    missing_genes = [describe_missing_gene(g) for g in panel.get("missing_genes", [])]
    uncovered = [
        str(g.get("symbol", ""))
        for g in panel_genes
        if g.get("symbol") and g["symbol"] not in covered and g["symbol"] not in missing_symbols
    ]
    low_exons = sorted(
        (e for e in exons if e.bases_below_threshold > 0),
        key=lambda e: (e.fraction_at_threshold, e.gene, e.chrom, e.start),
    )

    verdict = qc_verdict(samtools, mosdepth, panel_fraction, thresholds)
    raw_pipeline = provenance.get("pipeline")
    raw_pipeline = raw_pipeline if isinstance(raw_pipeline, dict) else {}
    pipeline = {
        "version": str(raw_pipeline.get("version") or ""),
        "git_commit": str(raw_pipeline.get("git_commit") or ""),
        "dirty": bool(raw_pipeline.get("git_dirty", raw_pipeline.get("dirty"))),
    }
    panel_info = {
        key: str(panel.get(key) or "") for key in ("id", "version", "display_name", "sha256")
    }
    report_inputs = [
        (label, str(path), sha256_file(path))
        for label, path in (
            ("prioritised TSV", inputs.tsv),
            ("prioritised JSON", inputs.json),
            ("samtools stats", inputs.samtools_stats),
            ("mosdepth summary", inputs.mosdepth_summary),
            ("coverage thresholds", inputs.coverage_thresholds),
            ("coverage regions", inputs.coverage_regions),
            ("provenance", inputs.provenance),
            *((f"fastp {i + 1}", p) for i, p in enumerate(inputs.fastp)),
        )
    ]
    sample_sex = data.get("sex") or sex or "not recorded"
    checks = clinical_use(
        load_checks(inputs.checks) if inputs.checks else None, str(data["sample"])
    )
    if inputs.checks:
        report_inputs.append(("sample checks", str(inputs.checks), sha256_file(inputs.checks)))

    env = make_environment()
    template = env.get_template("template.html.j2")
    return template.render(
        css=Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
        js=Markup((TEMPLATES / "report.js").read_text(encoding="utf-8")),
        sample=str(data["sample"]),
        family=str(data.get("family", "")),
        sex=str(sample_sex),
        checks=checks,
        affected=data.get("affected"),
        panel=panel_info,
        panel_genes=panel_genes,
        missing_genes=missing_genes,
        uncovered_genes=uncovered,
        settings=flatten(data.get("settings", {})),
        variants=variants,
        fastp_units=fastp_units,
        fastp=fastp_totals,
        samtools=samtools,
        mosdepth=mosdepth,
        exons=exons,
        genes=genes,
        inheritance=inheritance,
        low_exons=low_exons,
        panel_fraction=panel_fraction,
        panel_mean=panel_mean_depth(exons),
        panel_bases=sum(e.length for e in exons),
        thresholds=thresholds,
        verdict=verdict,
        provenance=provenance,
        pipeline=pipeline,
        tools=sorted((provenance.get("tools") or {}).items()),
        prov_inputs=sorted((provenance.get("inputs") or {}).items()),
        report_inputs=report_inputs,
        build=build,
        created=creation_time(),
        report_version=__version__,
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="hurtig render-report",
        description="Write the self-contained clinical HTML report for one sample × one panel.",
    )
    parser.add_argument("--tsv", required=True, type=Path, help="prioritised variants TSV")
    parser.add_argument("--json", required=True, type=Path, help="prioritised variants JSON")
    parser.add_argument("--fastp", required=True, nargs="+", type=Path, help="fastp JSON(s)")
    parser.add_argument("--samtools-stats", required=True, type=Path)
    parser.add_argument("--mosdepth-summary", required=True, type=Path)
    parser.add_argument("--coverage-thresholds", required=True, type=Path)
    parser.add_argument("--coverage-regions", required=True, type=Path)
    parser.add_argument("--provenance", required=True, type=Path)
    parser.add_argument(
        "--checks",
        type=Path,
        help="family sample checks JSON (hurtig.qc.sample_checks); required for use",
    )
    parser.add_argument("--out", required=True, type=Path, help="output HTML")
    parser.add_argument(
        "--coverage-threshold",
        type=int,
        default=20,
        help="depth for the per-base coverage figures (a mosdepth --thresholds value; default 20)",
    )
    parser.add_argument("--min-mean-coverage", type=float, default=20.0)
    parser.add_argument(
        "--min-panel-percent", type=float, default=95.0, help="panel bases ≥ threshold, in %%"
    )
    parser.add_argument("--min-mapping-percent", type=float, default=95.0)
    parser.add_argument("--genome-build", choices=sorted(BUILDS), default="GRCh38")
    parser.add_argument("--sex", help="sample sex, when the JSON has no 'sex' key")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = parse_args(argv)
    inputs = ReportInputs(
        tsv=args.tsv,
        json=args.json,
        fastp=tuple(args.fastp),
        samtools_stats=args.samtools_stats,
        mosdepth_summary=args.mosdepth_summary,
        coverage_thresholds=args.coverage_thresholds,
        coverage_regions=args.coverage_regions,
        provenance=args.provenance,
        checks=args.checks,
    )
    thresholds = Thresholds(
        depth=args.coverage_threshold,
        min_mean_coverage=args.min_mean_coverage,
        min_panel_fraction=args.min_panel_percent / 100,
        min_mapping_rate=args.min_mapping_percent / 100,
    )
    html = render_report(inputs, thresholds, build=args.genome_build, sex=args.sex)
    write_text_atomic(args.out, html)
    return 0
