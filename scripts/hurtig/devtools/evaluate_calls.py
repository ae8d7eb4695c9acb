r"""Benchmark a call set against a truth set (e.g. GIAB), genotype-aware.

Both VCFs are normalised with the real tool, ``bcftools norm -m -any -f REF`` (multiallelic
records split into one ALT per record, indels left-aligned), then compared allele by allele.

Conventions (also in ``docs/VALIDATION.md``):

- A variant is the tuple ``(chrom, pos, ref, alt)`` after normalisation. Symbolic (``<...>``)
  and spanning-deletion (``*``) alleles are ignored.
- Zygosity of an allele in a sample = ``hom`` when every called allele of the genotype is that
  ALT (``1/1``, haploid ``1``), ``het`` when at least one but not all are (``0/1``, ``./1``),
  absent otherwise. A ``1/2`` site becomes two records after splitting, each ``het``.
- Query records with FILTER other than ``PASS``/``.`` and query genotypes without the ALT
  (hom-ref, no-call) are dropped. Truth records are used as they are (GIAB truth is all PASS).
- Restriction: a variant is inside the bed when its normalised 1-based POS falls in a bed
  interval, i.e. ``start0 < POS <= end``; inside ``--region chrom:start-end`` (1-based,
  inclusive) when ``start <= POS <= end``. Restriction happens after normalisation, on both sides.
- Genotype-aware: TP = same allele and same zygosity; an allele found with the other zygosity is a
  genotype mismatch, counted as one FP and one FN (and reported on its own as ``gt_mismatch``).
  Allele-only metrics ignore zygosity.
- Type: ``SNV`` when REF and ALT have the same length (SNVs, and MNPs, which bcftools never calls
  and the GIAB truth here does not contain), ``INDEL`` otherwise (insertions, deletions, complex).
- precision = TP / (TP + FP), recall = TP / (TP + FN), F1 their harmonic mean; a metric whose
  denominator is 0 is ``null``.

CLI::

    hurtig evaluate-calls --truth T.vcf.gz --query Q.vcf.gz --reference REF.fa.gz \
        [--truth-sample INTEGRATION] [--query-sample NA12878] [--bed B.bed] \
        [--region chr20:10000000-10100000] --out metrics.json [--tsv metrics.tsv]
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysam

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic

VARIANT_TYPES = ("SNV", "INDEL")
SCOPES = ("confident_bed", "window")
CONVENTIONS: dict[str, str] = {
    "normalisation": "bcftools norm -m -any -f REF",
    "inside": "normalised 1-based POS in a bed interval (start0 < POS <= end) "
    "and in the region (start <= POS <= end)",
    "query_filter": "records with FILTER not PASS/. and genotypes without the ALT dropped",
    "genotype_mismatch": "counted as FP + FN in genotype-aware metrics",
    "types": "SNV = len(REF) == len(ALT) (MNPs included); INDEL = otherwise",
}
"""How the comparison was made, copied into every report."""
TSV_COLUMNS = (
    "scope",
    "type",
    "mode",
    "truth_total",
    "query_total",
    "tp",
    "fp",
    "fn",
    "gt_mismatch",
    "precision",
    "recall",
    "f1",
)

Key = tuple[str, int, str, str]


@dataclass(frozen=True)
class Region:
    """A 1-based, inclusive genomic interval (``end`` None = to the end of the contig)."""

    chrom: str
    start: int
    end: int | None

    def contains(self, chrom: str, pos: int) -> bool:
        """Return True when the 1-based position lies inside the region."""
        return chrom == self.chrom and pos >= self.start and (self.end is None or pos <= self.end)

    def __str__(self) -> str:
        """The region as written on the command line (``chrom`` or ``chrom:start-end``)."""
        return self.chrom if self.end is None else f"{self.chrom}:{self.start}-{self.end}"


class BedIntervals:
    """Sorted, merged 0-based half-open intervals per contig, queried with 1-based positions."""

    def __init__(self, intervals: Iterable[tuple[str, int, int]]) -> None:
        """Merge (chrom, 0-based start, end) intervals; overlapping or touching ones join."""
        by_chrom: dict[str, list[tuple[int, int]]] = {}
        for chrom, start, end in intervals:
            by_chrom.setdefault(chrom, []).append((start, end))
        self._starts: dict[str, list[int]] = {}
        self._ends: dict[str, list[int]] = {}
        for chrom, ivs in by_chrom.items():
            merged: list[list[int]] = []
            for start, end in sorted(ivs):
                if merged and start <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            self._starts[chrom] = [s for s, _ in merged]
            self._ends[chrom] = [e for _, e in merged]

    def contains(self, chrom: str, pos: int) -> bool:
        """Return True when 1-based ``pos`` is inside an interval (``start0 < pos <= end``)."""
        starts = self._starts.get(chrom)
        if not starts:
            return False
        i = bisect.bisect_left(starts, pos) - 1  # last interval with start0 < pos
        return i >= 0 and pos <= self._ends[chrom][i]

    def total_bp(self) -> int:
        """Return the number of bases covered."""
        return sum(
            e - s
            for chrom in self._starts
            for s, e in zip(self._starts[chrom], self._ends[chrom], strict=True)
        )


def parse_region(text: str) -> Region:
    """Parse ``chrom``, ``chrom:start-end`` (1-based, inclusive; commas allowed).

    Args:
        text: the region string.

    Returns:
        The region.

    Raises:
        InputError: when the text is not a region.
    """
    m = re.fullmatch(r"([^:\s]+)(?::([\d,]+)-([\d,]+))?", text.strip())
    if not m:
        raise InputError(f"--region {text!r}: expected chrom or chrom:start-end")
    chrom, start, end = m.groups()
    if start is None:
        return Region(chrom, 1, None)
    s, e = int(start.replace(",", "")), int(end.replace(",", ""))
    if s < 1 or e < s:
        raise InputError(f"--region {text!r}: start must be >= 1 and <= end")
    return Region(chrom, s, e)


def read_bed(path: Path) -> BedIntervals:
    """Read a BED file (first three columns; ``track``/``browser``/``#`` lines skipped).

    Args:
        path: the BED file (plain text or gzip).

    Returns:
        The intervals.

    Raises:
        InputError: on a malformed line.
    """
    intervals: list[tuple[str, int, int]] = []
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read().decode()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err})") from err
    for lineno, line in enumerate(data.splitlines(), 1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t")
        try:
            chrom, start, end = fields[0], int(fields[1]), int(fields[2])
        except (IndexError, ValueError) as err:
            raise InputError(f"{path}: line {lineno}: expected chrom, start, end") from err
        if start < 0 or end < start:
            raise InputError(f"{path}: line {lineno}: bad interval {start}-{end}")
        intervals.append((chrom, start, end))
    return BedIntervals(intervals)


def normalise(vcf: Path, reference: Path, out_dir: Path, name: str) -> Path:
    """Run ``bcftools norm -m -any -f REF`` on a VCF.

    Args:
        vcf: input VCF/BCF (any compression).
        reference: reference FASTA (indexed or indexable by bcftools).
        out_dir: folder for the output.
        name: stem for the output file.

    Returns:
        The path of the normalised BCF.

    Raises:
        InputError: when bcftools fails (message = its last stderr line).
    """
    if shutil.which("bcftools") is None:
        raise InputError("bcftools: not found on PATH")
    out = out_dir / f"{name}.norm.bcf"
    cmd = [
        "bcftools", "norm", "-m", "-any", "-f", str(reference),
        "--no-version", "-O", "b", "-o", str(out), str(vcf),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        last = lines[-1] if lines else f"exit code {proc.returncode}"
        raise InputError(f"{vcf}: bcftools norm failed: {last}")
    return out


def _pick_sample(vf: pysam.VariantFile, wanted: str | None, path: Path) -> str:
    samples = list(vf.header.samples)
    if wanted is not None:
        if wanted not in samples:
            raise InputError(f"{path}: sample {wanted!r} not found (samples: {', '.join(samples)})")
        return wanted
    if len(samples) != 1:
        raise InputError(f"{path}: {len(samples)} samples, choose one with the sample option")
    return samples[0]


def zygosity(gt: Sequence[int | None] | None) -> str | None:
    """Zygosity of ALT allele 1 in a split (biallelic) record's genotype.

    Args:
        gt: allele indices of the genotype (None = missing allele).

    Returns:
        ``"hom"`` when every called allele is the ALT and none is missing, ``"het"`` when some
        are, None when none are (hom-ref, no-call, or genotype absent).
    """
    if not gt:
        return None
    n_alt = sum(1 for a in gt if a == 1)
    if n_alt == 0:
        return None
    return "hom" if n_alt == len(gt) else "het"


def variant_type(ref: str, alt: str) -> str:
    """``SNV`` for same-length REF/ALT (SNVs and MNPs), ``INDEL`` otherwise."""
    return "SNV" if len(ref) == len(alt) else "INDEL"


def load_calls(
    path: Path, sample: str | None, *, drop_filtered: bool
) -> tuple[dict[Key, str], str]:
    """Load the alleles carried by one sample of a normalised (one ALT per record) VCF.

    Args:
        path: normalised VCF/BCF.
        sample: sample name (None = the only sample).
        drop_filtered: drop records whose FILTER is not PASS or missing.

    Returns:
        ``({(chrom, pos, ref, alt): "het" | "hom"}, sample name)``. When the same allele occurs
        twice, the record with the stronger zygosity wins (``hom`` over ``het``).
    """
    calls: dict[Key, str] = {}
    old_verbosity = pysam.set_verbosity(0)  # no "index not found" noise: we read sequentially
    try:
        vf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot read ({err})") from err
    finally:
        pysam.set_verbosity(old_verbosity)
    with vf:
        name = _pick_sample(vf, sample, path)
        for rec in vf:
            if drop_filtered:
                filters = list(rec.filter.keys())
                if filters and filters != ["PASS"]:
                    continue
            alts = rec.alts or ()
            if len(alts) != 1:
                continue
            alt = alts[0]
            if alt == "*" or alt.startswith("<") or rec.ref is None:
                continue
            zyg = zygosity(rec.samples[name].get("GT"))
            if zyg is None:
                continue
            key = (rec.chrom, rec.pos, rec.ref.upper(), alt.upper())
            if calls.get(key) != "hom":
                calls[key] = zyg
    return calls, name


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def _metrics(tp: int, fp: int, fn: int) -> dict[str, Any]:
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
    }


def compare(
    truth: dict[Key, str], query: dict[Key, str]
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Compare two allele → zygosity maps, per variant type.

    Args:
        truth: truth alleles.
        query: query alleles.

    Returns:
        ``({type: metrics}, sites)``, where metrics holds genotype-aware ``tp, fp, fn,
        gt_mismatch, precision, recall, f1``, ``truth_total``, ``query_total`` and an
        ``allele_only`` dict (``tp, fp, fn, precision, recall, f1``); sites lists every FP, FN
        and genotype mismatch (``class`` = ``FP``, ``FN`` or ``GT_MISMATCH``).
    """
    counts = {
        t: {"tp": 0, "fp_only": 0, "fn_only": 0, "gtm": 0, "nt": 0, "nq": 0} for t in VARIANT_TYPES
    }
    sites: list[dict[str, Any]] = []
    for key in sorted(set(truth) | set(query)):
        chrom, pos, ref, alt = key
        vtype = variant_type(ref, alt)
        c = counts[vtype]
        t_zyg, q_zyg = truth.get(key), query.get(key)
        c["nt"] += t_zyg is not None
        c["nq"] += q_zyg is not None
        if t_zyg is not None and q_zyg is not None:
            if t_zyg == q_zyg:
                c["tp"] += 1
                continue
            c["gtm"] += 1
            cls = "GT_MISMATCH"
        elif t_zyg is not None:
            c["fn_only"] += 1
            cls = "FN"
        else:
            c["fp_only"] += 1
            cls = "FP"
        sites.append(
            {
                "chrom": chrom,
                "pos": pos,
                "ref": ref,
                "alt": alt,
                "type": vtype,
                "class": cls,
                "truth_zygosity": t_zyg,
                "query_zygosity": q_zyg,
            }
        )
    result: dict[str, dict[str, Any]] = {}
    for vtype, c in counts.items():
        gt = _metrics(c["tp"], c["fp_only"] + c["gtm"], c["fn_only"] + c["gtm"])
        gt["gt_mismatch"] = c["gtm"]
        gt["truth_total"] = c["nt"]
        gt["query_total"] = c["nq"]
        gt["allele_only"] = _metrics(c["tp"] + c["gtm"], c["fp_only"], c["fn_only"])
        result[vtype] = gt
    return result, sites


def _restrict(calls: dict[Key, str], keep: Callable[[str, int], bool]) -> dict[Key, str]:
    return {k: v for k, v in calls.items() if keep(k[0], k[1])}


def _compare_scopes(
    truth: dict[Key, str],
    query: dict[Key, str],
    window: Region | None,
    intervals: BedIntervals | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Metrics and sites per scope; a scope without its bed is None."""

    def in_window(chrom: str, pos: int) -> bool:
        return window is None or window.contains(chrom, pos)

    metrics: dict[str, Any] = {}
    sites: dict[str, Any] = {}
    scopes: dict[str, Callable[[str, int], bool]] = {"window": in_window}
    if intervals is not None:
        scopes["confident_bed"] = lambda c, p: in_window(c, p) and intervals.contains(c, p)
    for scope in SCOPES:
        keep = scopes.get(scope)
        if keep is None:
            metrics[scope] = None
            sites[scope] = None
            continue
        metrics[scope], sites[scope] = compare(_restrict(truth, keep), _restrict(query, keep))
    return metrics, sites


def evaluate(
    truth_vcf: Path,
    query_vcf: Path,
    reference: Path,
    *,
    truth_sample: str | None = None,
    query_sample: str | None = None,
    bed: Path | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """Normalise, restrict and compare a query call set with a truth set.

    Args:
        truth_vcf: truth VCF.
        query_vcf: query VCF.
        reference: reference FASTA used by ``bcftools norm``.
        truth_sample: truth sample (None = the only one).
        query_sample: query sample (None = the only one).
        bed: confident regions (None = the ``confident_bed`` scope is null).
        region: window ``chrom[:start-end]`` (None = everything).

    Returns:
        The report: ``inputs``, ``conventions``, ``metrics`` ({scope: {type: metrics}}) and
        ``sites`` ({scope: [FP/FN/GT_MISMATCH sites]}).
    """
    for p in (truth_vcf, query_vcf, reference, *([bed] if bed else [])):
        if not Path(p).is_file():
            raise InputError(f"{p}: file not found")
    window = parse_region(region) if region else None
    intervals = read_bed(bed) if bed else None
    with tempfile.TemporaryDirectory(prefix="hurtig-evaluate-") as tmp:
        tmp_dir = Path(tmp)
        t_norm = normalise(truth_vcf, reference, tmp_dir, "truth")
        q_norm = normalise(query_vcf, reference, tmp_dir, "query")
        truth, t_name = load_calls(t_norm, truth_sample, drop_filtered=False)
        query, q_name = load_calls(q_norm, query_sample, drop_filtered=True)

    metrics, sites = _compare_scopes(truth, query, window, intervals)
    return {
        "inputs": {
            "truth": str(truth_vcf),
            "truth_sample": t_name,
            "query": str(query_vcf),
            "query_sample": q_name,
            "reference": str(reference),
            "bed": str(bed) if bed else None,
            "bed_bp": intervals.total_bp() if intervals is not None else None,
            "region": str(window) if window else None,
        },
        "conventions": dict(CONVENTIONS),
        "metrics": metrics,
        "sites": sites,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def metrics_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten the report's metrics into TSV rows (``TSV_COLUMNS``)."""
    rows: list[dict[str, Any]] = []
    for scope in SCOPES:
        per_type = report["metrics"].get(scope)
        if per_type is None:
            continue
        for vtype in VARIANT_TYPES:
            m = per_type[vtype]
            base = {"scope": scope, "type": vtype}
            totals = {"truth_total": m["truth_total"], "query_total": m["query_total"]}
            rows.append({**base, "mode": "genotype", **totals, **m})
            rows.append(
                {**base, "mode": "allele", **totals, **m["allele_only"], "gt_mismatch": None}
            )
    return rows


def write_outputs(report: dict[str, Any], out_json: Path, out_tsv: Path | None) -> None:
    """Write the JSON report and, optionally, the metrics TSV (temp name, then rename)."""
    write_text_atomic(out_json, json.dumps(report, indent=2) + "\n")
    if out_tsv is not None:
        lines = ["\t".join(TSV_COLUMNS)]
        for row in metrics_rows(report):
            lines.append("\t".join(_fmt(row.get(c)) for c in TSV_COLUMNS))
        write_text_atomic(out_tsv, "\n".join(lines) + "\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    p = argparse.ArgumentParser(
        prog="hurtig evaluate-calls",
        description="Genotype-aware comparison of a call set with a truth set (GIAB).",
    )
    p.add_argument("--truth", required=True, type=Path, help="truth VCF (bgzip + index)")
    p.add_argument("--query", required=True, type=Path, help="query VCF to evaluate")
    p.add_argument("--reference", required=True, type=Path, help="reference FASTA")
    p.add_argument("--truth-sample", help="truth sample (default: the only one)")
    p.add_argument("--query-sample", help="query sample (default: the only one)")
    p.add_argument("--bed", type=Path, help="confident regions BED")
    p.add_argument("--region", help="window chrom:start-end (1-based, inclusive)")
    p.add_argument("--out", required=True, type=Path, help="output JSON")
    p.add_argument("--tsv", type=Path, help="optional metrics TSV")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = build_parser().parse_args(argv)
    report = evaluate(
        args.truth,
        args.query,
        args.reference,
        truth_sample=args.truth_sample,
        query_sample=args.query_sample,
        bed=args.bed,
        region=args.region,
    )
    write_outputs(report, args.out, args.tsv)
    return 0
