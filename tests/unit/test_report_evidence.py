"""The report's per-member evidence, labels, ACMG suggestions, links and source releases (#15).

The report is rendered from a real ``hurtig prioritise`` run on the trio case
(``tests/data/prioritise/trio_chr21``: a de novo APP missense, a CSTB compound heterozygous pair,
JAM2 calls), with the annotation's ``##hurtig_source`` lines of the demo (gnomAD r2.0, ClinVar
2017-04) added to its VCF.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from builders.browser import VARIANT_TABLE_LAYOUT_JS, Browser
from hurtig.errors import run_cli
from hurtig.qc.checks_file import CheckStatus
from hurtig.report import xlsx
from hurtig.report.acmg import GeneContext, suggest
from hurtig.report.html import render_html
from hurtig.report.labels import clinvar_terms, inheritance_label, stars
from hurtig.report.links import all_links
from hurtig.report.model import ReportInputs, ReportModel, ReportOptions
from hurtig.report.pdf import print_pdf
from hurtig.report.sections import report_model
from unit.test_prioritise import CASES, run_case
from unit.test_report import (
    checks_file,
    write_fastp,
    write_mosdepth,
    write_provenance,
    write_samtools_stats,
    xlsx_args,
)

SOURCES = (
    '##hurtig_source=<ID=gnomad,File="gnomad.vcf.gz",Version="Ensembl VEP test cache '
    "homo_sapiens/84_GRCh38, source_gnomAD=170228 (gnomAD exomes r2.0.x as imported by "
    'Ensembl)",SHA256=c3,Keys="GNOMAD_AF">\n'
    '##hurtig_source=<ID=clinvar,File="clinvar.vcf.gz",Version="source_ClinVar=201704",'
    'SHA256=8f,Keys="CLINVAR_SIG">\n'
)


@pytest.fixture(scope="module")
def trio_inputs(tmp_path_factory: pytest.TempPathFactory) -> ReportInputs:
    """Report inputs of the trio case (prioritised with members and sources)."""
    folder = tmp_path_factory.mktemp("trio")
    case = folder / "case"
    shutil.copytree(CASES / "trio_chr21", case)
    lines = (case / "input.vcf").read_text().splitlines(keepends=True)
    (case / "input.vcf").write_text("".join([lines[0], SOURCES, *lines[1:]]))
    run_case(case, folder)
    summary, thresholds, regions = write_mosdepth(folder)
    return ReportInputs(
        tsv=folder / "out.tsv",
        json=folder / "out.json",
        fastp=(write_fastp(folder),),
        samtools_stats=write_samtools_stats(folder),
        mosdepth_summary=summary,
        coverage_thresholds=thresholds,
        coverage_regions=regions,
        provenance=write_provenance(folder),
        checks=checks_file(folder, True),
    )


def model_of(inputs: ReportInputs, build: str = "GRCh38") -> ReportModel:
    return report_model(inputs, ReportOptions(build=build))


def test_member_calls_and_readable_labels(trio_inputs: ReportInputs) -> None:
    model = model_of(trio_inputs)
    first = model.variants[0]
    assert (first["gene"], first["inheritance"]) == ("APP", "de_novo")  # the TSV keeps tokens
    assert [(m.relation, m.gt, m.ad, m.dp, m.gq) for m in first.members] == [
        ("proband", "0/1", "17,18", "35", "99"),
        ("father", "0/0", "32,0", "32", "60"),
        ("mother", "0/0", "30,0", "30", "60"),
    ]
    html = render_html(model)
    row = html.split('data-rank="1"', 1)[1].split("</tr>", 1)[0]
    assert re.search(
        r'>father</span><span class="gt mono" role="cell">0/0</span>'
        r'<span class="ad mono" role="cell">32,0</span><span class="dp" role="cell">32</span>'
        r'<span class="gq" role="cell">60</span>',
        row,
    )
    assert '<td data-value="de_novo">de novo</td>' in row
    assert "compound heterozygous (in trans)</td>" in html and ">compound_heterozygous<" not in html
    evidence = html.split('id="variant-1"', 1)[1].split("</details>", 1)[0]
    assert '<th class="num">Allele depths (ref, alt)</th>' in evidence
    assert '<td class="num mono">17,18</td>' in evidence


def test_acmg_suggestions_follow_the_checks(trio_inputs: ReportInputs, tmp_path: Path) -> None:
    model = model_of(trio_inputs)
    by_gene: dict[str, list[set[str]]] = {}
    for v in model.variants:
        assert v.acmg is not None
        by_gene.setdefault(v["gene"], []).append({c.label for c in v.acmg.criteria})
    assert by_gene["APP"][0] >= {"PS2", "PM2_Supporting"}  # de novo, every check passed
    assert all("PM3" in labels for labels in by_gene["CSTB"])  # in trans, recessive gene
    html = render_html(model)
    assert "ACMG/AMP criteria — suggestions for review" in html
    assert "maternity and paternity confirmed" in html
    unverified = dataclasses.replace(
        trio_inputs, checks=checks_file(tmp_path, True, trio=CheckStatus.NOT_ASSESSABLE)
    )
    app = model_of(unverified).variants[0]
    assert app.acmg is not None
    assert {c.code for c in app.acmg.criteria} >= {"PM6"} and "PS2" not in {
        c.code for c in app.acmg.criteria
    }
    assert "parentage not confirmed: relatedness not assessable" in app.acmg.criteria[0].reason


def test_acmg_rules() -> None:
    row = {"gene": "G", "consequence": "stop_gained", "inheritance": "", "gnomad_af": ""}
    lof = suggest(row, GeneContext(frozenset({"AR"}), "loss of function"), (True, ""))
    assert [c.label for c in lof.criteria] == ["PVS1", "PM2_Supporting"] and not lof.to_check
    unknown = suggest(row, GeneContext(frozenset({"AR"})), (True, ""))
    assert [c.code for c in unknown.to_check] == ["PVS1"]
    assert "does not state the mechanism" in unknown.to_check[0].reason
    common = suggest(dict(row, gnomad_af="0.07"), GeneContext(frozenset({"AD"})), (True, ""))
    assert [c.label for c in common.criteria] == ["BA1"]
    assert not common.criteria[0].pathogenic
    bs1 = suggest(
        dict(row, consequence="missense_variant", gnomad_popmax_af="0.002"),
        GeneContext(frozenset({"AD"})),
        (True, ""),
    )
    assert [c.label for c in bs1.criteria] == ["BS1"] and "popmax" in bs1.criteria[0].reason
    bs2 = suggest(
        dict(row, consequence="missense_variant", inheritance="heterozygous_inherited_unaffected"),
        GeneContext(frozenset({"AD"})),
        (True, ""),
    )
    assert [c.label for c in bs2.criteria] == ["PM2_Supporting", "BS2"]  # pathogenic first
    clinvar = suggest(
        dict(row, clinvar="Pathogenic", clinvar_stars="2"), GeneContext(frozenset()), (True, "")
    )
    assert "not an ACMG criterion" in clinvar.clinvar
    assert all(c.code not in ("PP5", "BP6") for c in clinvar.criteria)


def test_labels() -> None:
    assert inheritance_label("de_novo,homozygous") == "de novo; homozygous"
    assert clinvar_terms("not_provided,Pathogenic") == "Pathogenic; not provided"
    assert stars("2") == "★★☆☆" and stars("") == "☆☆☆☆"


@pytest.mark.parametrize(
    ("build", "release", "text", "url"),
    [
        ("GRCh38", "r2.0", "gnomAD r2.0 (gene)", "gene/APP?dataset=gnomad_r2_1"),
        ("GRCh37", "r2.0", "gnomAD r2.0", "variant/21-100-C-T?dataset=gnomad_r2_1"),
        ("GRCh38", "r4.1", "gnomAD r4.1", "variant/21-100-C-T?dataset=gnomad_r4"),
        ("GRCh38", "r3.1.2", "gnomAD r3.1.2", "variant/21-100-C-T?dataset=gnomad_r3"),
        ("GRCh38", "", "gnomAD", "variant/21-100-C-T?dataset=gnomad_r4"),
    ],
)
def test_gnomad_link_matches_the_release(build: str, release: str, text: str, url: str) -> None:
    row = {"chrom": "chr21", "pos": "100", "ref": "C", "alt": "T", "gene": "APP"}
    links = all_links(row, build, release)
    assert links[text] == f"https://gnomad.broadinstitute.org/{url}"
    assert set(links) >= {"ClinVar", "Franklin", "VarSome", "OMIM", "PanelApp", "DECIPHER"}
    assert all(u.startswith("https://") for u in links.values())


def test_release_links_and_provenance_in_the_report(trio_inputs: ReportInputs) -> None:
    html = render_html(model_of(trio_inputs))
    assert "https://gnomad.broadinstitute.org/gene/APP?dataset=gnomad_r2_1" in html
    assert "dataset=gnomad_r4" not in html  # the data are r2.0, not r4
    table = html.split('id="source-releases"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"gnomAD</td><td><strong>r2\.0</strong>", table)
    assert re.search(r"ClinVar</td><td><strong>2017-04</strong>", table)


def test_pdf_running_header_is_escaped(trio_inputs: ReportInputs) -> None:
    html = render_html(model_of(trio_inputs))
    style = html.split('<style id="print-page">', 1)[1].split("</style>", 1)[0]
    assert '@top-left { content: "Sample P1 \\b7  panel neuro_demo v1.0";' in style
    assert 'content: "page " counter(page) " of " counter(pages)' in style


def test_xlsx_family_calls_and_acmg_sheets(trio_inputs: ReportInputs, tmp_path: Path) -> None:
    out = tmp_path / "P1.xlsx"
    args = xlsx_args(trio_inputs, trio_inputs.checks or Path(), out)
    args[args.index("--sample") + 1], args[args.index("--panel") + 1] = "P1", "neuro_demo"
    assert run_cli(xlsx.main, args) == 0
    book = openpyxl.load_workbook(out)
    calls = list(book["Family calls"].iter_rows(values_only=True))
    assert calls[0][:5] == ("rank", "gene", "variant", "inheritance", "member")
    assert calls[2] == (1, "APP", "c.2149G>A", "de novo", "father", "F1", "unaffected", "0/0",
                        "32,0", "32", "60")  # fmt: skip
    variants = list(book["Variants"].iter_rows(values_only=True))
    assert variants[0][-7:-4] == ("family_allele_depths", "family_depths", "family_gq")
    acmg = list(book["ACMG suggestions"].iter_rows(values_only=True))
    assert (1, "APP", "c.2149G>A", "PS2", "suggested") in {row[:5] for row in acmg}


# --- what a person sees: Chromium at 1280 and 1920 px, the printed PDF --------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 1920])
def test_variant_table_fits_the_window(
    trio_inputs: ReportInputs, tmp_path: Path, width: int
) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(model_of(trio_inputs)))
    browser = Browser(tmp_path / "profile", width=width, height=900)
    try:
        browser.open(page.as_uri())
        seen = browser.js(VARIANT_TABLE_LAYOUT_JS)
        browser.screenshot(tmp_path / f"variants-{width}.png", "#variants")
    finally:
        browser.close()
    assert seen["doc"][0] <= seen["doc"][1], "the page scrolls sideways"
    assert seen["wrap"][0] <= seen["wrap"][1], "the variant table scrolls sideways"
    rows = seen["cells"]
    assert len(rows) == 6
    for cells in rows:  # rank, gene, HGVS, family, AF, ClinVar, inheritance, ACMG, score, expl.
        assert all(0 <= left < right <= seen["width"] for left, right in cells), cells
    assert seen["members"] == 6 * 3  # every member's GQ of every row is on screen
    assert seen["crit"] >= 6 and seen["expl"] >= 150
    assert (tmp_path / f"variants-{width}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {tmp_path / f'variants-{width}.png'}")


@pytest.mark.browser
def test_empty_state_has_no_table(trio_inputs: ReportInputs, tmp_path: Path) -> None:
    doc = json.loads(trio_inputs.json.read_text()) if trio_inputs.json else {}
    doc["variants"] = []
    (tmp_path / "empty.json").write_text(json.dumps(doc))
    header = trio_inputs.tsv.read_text().split("\n", 1)[0]
    (tmp_path / "empty.tsv").write_text(header + "\n")
    empty = dataclasses.replace(
        trio_inputs, tsv=tmp_path / "empty.tsv", json=tmp_path / "empty.json"
    )
    page = tmp_path / "empty.html"
    page.write_text(render_html(model_of(empty)))
    browser = Browser(tmp_path / "profile", width=1280, height=900)
    try:
        browser.open(page.as_uri())
        seen = browser.js(
            "(() => { const p = document.getElementById('no-variants'); return [p.textContent,"
            " p.getBoundingClientRect().height > 0, document.querySelectorAll('#variants, "
            "#variant-filter').length, p.nextElementSibling.tagName,"
            " p.nextElementSibling.id]; })()"
        )
    finally:
        browser.close()
    assert seen == ["No variants passed the panel filters.", True, 0, "H2", "sec-sv"]


PRINT_HEADERS_JS = """(() => Array.from(document.querySelectorAll('#variants thead th'))
  .filter(th => th.getBoundingClientRect().width > 0)
  .map(th => [th.textContent.trim(), th.scrollWidth <= th.clientWidth + 1]))()"""


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_pages_name_sample_panel_and_page(trio_inputs: ReportInputs, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(model_of(trio_inputs)))
    browser = Browser(tmp_path / "profile", width=718, height=1000)  # A4 less the margins
    try:
        browser.open(page.as_uri())
        browser.call("Emulation.setEmulatedMedia", media="print")
        headers = browser.js(PRINT_HEADERS_JS)
    finally:
        browser.close()
    assert [h for h, fits in headers if not fits] == []  # no header overflows its column
    pdf = tmp_path / "report.pdf"
    print_pdf(page, pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    assert pages >= 3
    texts = []
    for number in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert "Sample P1 · panel neuro_demo v1.0" in text, number
        assert f"page {number} of {pages}" in text, number
        texts.append(text)
    table = next(t for t in texts if "Prioritised variants" in t)
    words = set(table.split())
    assert {"Rank", "Gene", "ClinVar", "Inheritance", "Score", "Explanation"} <= words
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "2", str(pdf),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    shots = sorted(tmp_path.glob("page-*.png"))
    assert len(shots) == 2 and all(p.read_bytes()[:4] == b"\x89PNG" for p in shots)
    print(f"PDF pages: {tmp_path}/page-*.png")


def test_gene_disease_context_from_the_panel(trio_inputs: ReportInputs, tmp_path: Path) -> None:
    assert trio_inputs.json is not None
    doc = json.loads(trio_inputs.json.read_text())
    for gene in doc["panel"]["genes"]:
        if gene["symbol"] == "APP":
            gene |= {"phenotypes": ["Alzheimer disease 1, familial, 104300"], "omim": "104760"}
            gene["mechanism"] = "gain of function"
    (tmp_path / "ctx.json").write_text(json.dumps(doc))
    model = model_of(dataclasses.replace(trio_inputs, json=tmp_path / "ctx.json"))
    app = model.variants[0]
    assert app.gene_context == (
        ("Inheritance (panel)", "autosomal dominant"),
        ("Phenotypes (panel)", "Alzheimer disease 1, familial, 104300"),
        ("OMIM", "104760"),
        ("Mechanism (panel)", "gain of function"),
    )
    assert app.links["OMIM"] == "https://www.omim.org/entry/104760"
    html = render_html(model)
    assert (
        "<tr><th>Phenotypes (panel)</th><td>Alzheimer disease 1, familial, 104300</td></tr>" in html
    )
