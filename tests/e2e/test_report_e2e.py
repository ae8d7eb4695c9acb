"""The demo's clinical report end to end.

PDF, XLSX, MultiQC, coverage against mosdepth itself, the report driven in a real headless
Chromium, and a pedigree error that makes the report NOT FOR CLINICAL USE.

The browser is driven over the Chrome DevTools Protocol (:class:`builders.browser.Browser`).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from builders import run_pipeline
from builders.browser import VARIANT_TABLE_LAYOUT_JS, Browser

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def tsv_rows(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def planted_de_novo() -> dict[str, str]:
    with (REPO / "resources" / "demo" / "planted_truth.tsv").open() as handle:
        rows = csv.DictReader((ln for ln in handle if not ln.startswith("##")), delimiter="\t")
        return next(r for r in rows if r["kind"] == "de_novo")


ROWS_JS = (
    "Array.from(document.querySelectorAll('#variants tbody tr')).map(r => "
    "[r.dataset.rank, r.dataset.chrom, r.dataset.pos, r.dataset.ref, r.dataset.alt, "
    "r.dataset.score])"
)


@pytest.mark.browser
def test_report_in_a_real_browser(demo_run: Path, tmp_path: Path) -> None:
    report = demo_run / "results" / "report" / "proband" / "neuro_demo.html"
    rows = tsv_rows(demo_run / "results" / "panels" / "proband" / "neuro_demo.tsv")
    panel = json.loads((demo_run / "results/panels/proband/neuro_demo.json").read_text())["panel"]
    browser = Browser(tmp_path / "profile")
    try:
        browser.open(report.as_uri())
        shown = browser.js(ROWS_JS)
        assert len(shown) == len(rows) >= 3
        de_novo = planted_de_novo()
        # the top two (the JAM2 deletion may score higher with the proband's HPO terms)
        assert [de_novo["chrom"], de_novo["pos"], de_novo["ref"], de_novo["alt"]] in [
            row[1:5] for row in shown[:2]
        ]
        assert shown[0][0] == "1"
        assert browser.js("document.getElementById('clinical-use').dataset.usable") == "true"
        # Sort by score with a real click: ascending, so the order reverses.
        browser.click("#variants thead th:nth-child(9)")
        assert browser.js("document.querySelector('#variants thead th:nth-child(9)')"
                          ".getAttribute('aria-sort')") == "ascending"  # fmt: skip
        resorted = browser.js(ROWS_JS)
        scores = [float(r[5]) for r in resorted]
        assert scores == sorted(scores) and resorted != shown
        assert resorted[-1][0] == "1"
        genes = browser.js(
            "Array.from(document.querySelectorAll('#gene-coverage tbody tr td:first-child'))"
            ".map(td => td.textContent.trim())"
        )
        missing = {g["symbol"] for g in panel["missing_genes"]}
        assert set(genes) == {g["symbol"] for g in panel["genes"]} - missing
        not_examined = browser.js("document.getElementById('missing-genes')"
                                  ".nextElementSibling.textContent")  # fmt: skip
        assert all(symbol in not_examined for symbol in missing)
        browser.js("window.scrollTo(0, 0)")
        shot = tmp_path / "report.png"
        browser.screenshot(shot)
    finally:
        browser.close()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


@pytest.mark.browser
def test_demo_variant_table_fits_1280_px(demo_run: Path, tmp_path: Path) -> None:
    """Rank, gene, HGVS, every member's call, frequency, ClinVar stars, ACMG and explanation."""
    report = demo_run / "results" / "report" / "proband" / "neuro_demo.html"
    browser = Browser(tmp_path / "profile", width=1280, height=900)
    try:
        browser.open(report.as_uri())
        seen = browser.js(VARIANT_TABLE_LAYOUT_JS)
        browser.screenshot(tmp_path / "variants-1280.png", "#variants")
    finally:
        browser.close()
    rows = tsv_rows(demo_run / "results" / "panels" / "proband" / "neuro_demo.tsv")
    assert seen["doc"][0] <= seen["doc"][1] and seen["wrap"][0] <= seen["wrap"][1]
    assert len(seen["cells"]) == len(rows) >= 3
    for cells in seen["cells"]:
        assert all(0 <= left < right <= seen["width"] for left, right in cells), cells
    assert seen["members"] == 3 * len(rows) and seen["crit"] >= len(rows)
    assert seen["stars"] >= 1  # the planted de novo is in ClinVar
    print(f"screenshot: {tmp_path / 'variants-1280.png'}")


def test_pdf_is_a4(demo_run: Path) -> None:
    for panel in ("neuro_demo", "epilepsy_demo"):
        pdf = (demo_run / "results" / "report" / "proband" / f"{panel}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-")
        boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf))
        assert boxes and all(
            abs(float(w) - 595.28) < 1 and abs(float(h) - 841.89) < 1 for w, h in boxes
        ), boxes


def test_xlsx_matches_tsv(demo_run: Path) -> None:
    base = demo_run / "results"
    rows = tsv_rows(base / "panels" / "proband" / "neuro_demo.tsv")
    book = openpyxl.load_workbook(base / "report" / "proband" / "neuro_demo.xlsx")
    assert book.sheetnames[:2] == ["Summary", "Variants"]
    assert {"Gene coverage", "Exon coverage", "QC", "Sample checks"} <= set(book.sheetnames)
    sheet = list(book["Variants"].iter_rows(values_only=True))
    assert list(sheet[0]) == list(rows[0].keys())
    assert len(sheet) - 1 == len(rows)
    for got, want in zip(sheet[1:], rows, strict=True):
        assert ["" if v is None else str(v) for v in got][:5] == [
            want[k] for k in ("rank", "chrom", "pos", "ref", "alt")
        ]


def test_epilepsy_panel_incomplete_in_html_and_xlsx(demo_run: Path) -> None:
    """EPM2A is not in the demo gene model: INCOMPLETE, not PASS; CSTB's repeat expansion named.

    The PDF is Chromium's print of this HTML (test_pdf_is_a4 checks it exists and is A4).
    """
    base = demo_run / "results" / "report" / "proband"
    html = (base / "epilepsy_demo.html").read_text()
    box = html.split('id="qc-verdict"')[1].split("</section>")[0]
    assert 'data-status="INCOMPLETE"' in box and ">INCOMPLETE<" in box
    assert "EPM2A" in box and "Not assessed: CSTB repeat expansion" in box
    section = html.split('<h2 id="sec-not-examined">')[1].split("<h2 ")[0]
    assert "Repeat expansions" in section and "structural variants" in section.lower()
    assert "<strong>CSTB</strong></td><td>repeat expansion</td>" in section
    book = openpyxl.load_workbook(base / "epilepsy_demo.xlsx")
    summary = [row for row in book["Summary"].iter_rows(values_only=True)]
    assert ("panel verdict", "INCOMPLETE") in summary
    assert any(item == "not examined" and "EPM2A" in str(value) for item, value in summary)
    sheet = list(book["Not examined"].iter_rows(values_only=True))
    assert [row[1] for row in sheet if row[0] == "panel gene"] == ["CSTB"]


def test_multiqc_lists_every_sample(demo_run: Path) -> None:
    html = (demo_run / "results" / "qc" / "multiqc.html").read_text()
    for module in ("fastp", "Samtools", "mosdepth"):
        assert module in html
    for sample in ("proband", "father", "mother"):
        assert f">{sample}<" in html


class _ExonTable(HTMLParser):
    """Rows of the report's #exon-coverage table as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.rows: list[list[str]] = []
        self.cell: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", "exon-coverage") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag == "td":
            self.cell = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag == "td" and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell += data


def test_coverage_equals_mosdepth(demo_run: Path, tmp_path: Path) -> None:
    """Run mosdepth ourselves on the CRAM and the panel BED; the report must show its numbers."""
    base = demo_run / "results"
    fasta = REPO / "resources" / "demo" / "reference" / "chr21.fa.gz"
    prefix = tmp_path / "own"
    subprocess.run(
        ["mosdepth", "--no-per-base", "--thresholds", "20", "--by",
         str(base / "panels" / "_regions" / "neuro_demo.bed"), "--fasta", str(fasta),
         str(prefix), str(base / "alignment" / "proband.cram")],
        check=True,
    )  # fmt: skip
    with gzip.open(f"{prefix}.regions.bed.gz", "rt") as handle:
        means = {tuple(f[:3]): float(f[4]) for f in (ln.split("\t") for ln in handle)}
    with gzip.open(f"{prefix}.thresholds.bed.gz", "rt") as handle:
        at20 = {
            tuple(f[:3]): int(f[4])
            for f in (ln.rstrip("\n").split("\t") for ln in handle if not ln.startswith("#"))
        }
    assert means and means.keys() == at20.keys()

    parser = _ExonTable()
    parser.feed((base / "report" / "proband" / "neuro_demo.html").read_text())
    shown = {}
    for cells in parser.rows:
        if not cells:
            continue
        chrom, span = cells[3].split(":")
        start, end = span.split("-")
        shown[(chrom, str(int(start) - 1), end)] = (cells[5], cells[6])
    assert shown.keys() == means.keys()
    for region, (percent, mean) in shown.items():
        length = int(region[2]) - int(region[1])
        assert percent == f"{at20[region] / length * 100:.1f} %", region
        assert mean == f"{means[region]:.1f}", region

    book = openpyxl.load_workbook(base / "report" / "proband" / "neuro_demo.xlsx")
    for row in list(book["Exon coverage"].iter_rows(values_only=True))[1:]:
        region = (row[3], str(row[4]), str(row[5]))
        assert row[7] == at20[region] and row[9] == pytest.approx(means[region], abs=0.005)


def _swapped_run(demo_run: Path, workdir: Path, report: dict[str, Any], *extra: str) -> Path:
    """The demo's results with a sample sheet that mislabels the mother as the proband's child.

    Sheet: ``mother`` is the affected child of ``father`` and ``proband`` (a label swap of the
    proband and mother); the sheet itself is valid (sexes fit). Only jobs downstream of the
    sheet rerun (results copied with their times, ``--rerun-triggers mtime``).
    """
    if not (workdir / "results").exists():
        shutil.copytree(demo_run / "results", workdir / "results", copy_function=shutil.copy2)
    sheet = workdir / "samples.tsv"
    sheet.write_text(
        "sample\tfamily\tfather\tmother\tsex\taffected\tpanels\n"
        "mother\tdemo\tfather\tproband\tfemale\ttrue\tneuro_demo\n"
        "proband\tdemo\t\t\tfemale\tfalse\t\n"
        "father\tdemo\t\t\tmale\tfalse\t\n"
    )
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    for keys in (("units",), ("reference", "fasta"), ("reference", "gff3"),
                 ("annotation", "gnomad"), ("annotation", "clinvar"), ("panels",)):  # fmt: skip
        node = config
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = str((REPO / "config" / node[keys[-1]]).resolve())
    config["samples"] = str(sheet)
    config["report"] = {**config.get("report", {}), **report}
    config_file = workdir / "config.yaml"
    config_file.write_text(yaml.safe_dump(config))
    target = "results/report/mother/neuro_demo.html"
    run_pipeline(workdir, f"--configfile={config_file}", "--rerun-triggers=mtime", *extra, target)
    return workdir / target


def test_pedigree_error_marks_report_not_for_clinical_use(
    demo_run: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.mktemp("swapped")
    # The family's pedigree file is rewritten when its parameter changes; copied results carry no
    # Snakemake metadata, so the rewrite is forced here (a normal run does it by itself).
    html = _swapped_run(
        demo_run, workdir, {}, "--forcerun", "write_family_pedigree", "check_family"
    ).read_text()
    assert "NOT FOR CLINICAL USE" in html and 'data-usable="false"' in html
    assert "relatedness:" in html and "Mendelian-inconsistent" in html
    checks = json.loads((workdir / "results" / "qc" / "checks" / "demo.json").read_text())
    assert checks["clinical_use"] is False
    assert checks["failures"][0]["check"] == "relatedness"
    # The same run with the check overridden in the config: usable, and the override is printed.
    reason = "pedigree confirmed by the referring clinic"
    # (A params change reruns the checks in a normal run; mtime-only triggers need forcing.)
    override = {"override_checks": ["relatedness"], "override_reason": reason}
    html = _swapped_run(
        demo_run, workdir, override, "--forcerun", "write_family_pedigree", "check_family"
    ).read_text()
    assert "NOT FOR CLINICAL USE" not in html and 'data-usable="true"' in html
    assert "Checks overridden by the run configuration" in html and reason in html


def test_demo_checks_pass(demo_run: Path) -> None:
    checks = json.loads((demo_run / "results" / "qc" / "checks" / "demo.json").read_text())
    assert checks["clinical_use"] is True and checks["failures"] == []
    assert checks["checks"]["relatedness"]["status"] == "pass"
    for entry in checks["checks"]["sex"]["samples"]:
        assert entry["reason"] == "not assessable (reference has no chrX/chrY)"
    # The demo reference has no chrX/chrY: sex is not assessable, so identity is NOT VERIFIED
    # (never "passed"); by default (report.not_assessable_blocks: false) that does not block.
    assert checks["not_assessable_blocks"] is False
    assert [(v["check"], v["verdict"]) for v in checks["verdicts"]] == [
        ("sex", "not assessable"),
        ("relatedness", "passed"),
    ]
    headline = "Sample identity NOT VERIFIED: sex not assessable (reference has no chrX/chrY)"
    html = (demo_run / "results" / "report" / "proband" / "neuro_demo.html").read_text()
    assert "NOT FOR CLINICAL USE" not in html and "Sample identity: passed" not in html
    assert f'<div class="stamp">{headline}</div>' in html
    assert 'data-usable="true" data-identity="not verified"' in html
    book = openpyxl.load_workbook(demo_run / "results" / "report" / "proband" / "neuro_demo.xlsx")
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["status"] == headline
