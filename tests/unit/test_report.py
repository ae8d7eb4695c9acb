"""Tests for hurtig.report.html: the self-contained clinical HTML report (from the report model)."""

from __future__ import annotations

import ast
import csv
import dataclasses
import gzip
import importlib.util
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from hurtig.errors import InputError, run_cli
from hurtig.prioritise.columns import CONTRACT_COLUMNS, EXTRA_COLUMNS
from hurtig.prioritise.filters import FilterSettings
from hurtig.prioritise.points import Evidence, ranking_settings
from hurtig.prioritise.results import (
    TSV_COLUMNS,
    ManagedSummary,
    PanelGeneSummary,
    PanelSummary,
    PrioritisedResults,
    PrioritisedVariant,
)
from hurtig.qc.checks_file import (
    CheckStatus,
    Failure,
    FamilyChecks,
    RelatednessChecks,
    SexCheck,
    SexChecks,
    TrioCheck,
    check_verdicts,
    write_checks,
)
from hurtig.qc.family_checks import blocking_checks
from hurtig.report import formatting, sections, xlsx
from hurtig.report.clinical_use import DISCLAIMER
from hurtig.report.html import main, render_report
from hurtig.report.model import (
    ReportInputs,
    ReportModel,
    ReportOptions,
    ReportSection,
    build_report_model,
    flatten,
)
from hurtig.report.prioritised_input import read_tsv
from hurtig.report.qc_verdict import CHECK, Thresholds, preliminary_qc_verdict
from hurtig.report.scope import MOSAIC, read_catalogue, report_scope
from hurtig.report.variants import variant_links

TSV_HEADER = [*CONTRACT_COLUMNS, *EXTRA_COLUMNS]

VARIANTS = [
    {
        "rank": "1",
        "chrom": "chr1",
        "pos": "150",
        "ref": "C",
        "alt": "T",
        "gene": "GENEA",
        "transcript": "ENST00000000001",
        "hgvs_c": "c.100C>T",
        "hgvs_p": "p.Arg34Ter",
        "consequence": "stop_gained",
        "genotype": "0/1",
        "depth": "35",
        "allele_balance": "0.49",
        "gnomad_af": "",
        "clinvar": "Pathogenic",
        "inheritance": "AD",
        "score": "12",
        "explanation": "stop gained; absent from gnomAD; ClinVar pathogenic",
        "gq": "99",
        "gnomad_popmax_af": "",
        "clinvar_stars": "2",
        "family_genotypes": "P1:0/1,F1:0/0,M1:0/0",
        "panel_inheritance": "AD",
        "panel_id": "epi",
        "panel_version": "1.0",
    },
    {
        "rank": "2",
        "chrom": "chr1",
        "pos": "420",
        "ref": "G",
        "alt": "A",
        "gene": "GENEB",
        "transcript": "ENST00000000002",
        "hgvs_c": "c.50G>A",
        "hgvs_p": "p.Gly17Asp",
        "consequence": "missense",
        "genotype": "1/1",
        "depth": "8",
        "allele_balance": "1.00",
        "gnomad_af": "0.00012",
        "clinvar": "",
        "inheritance": "AR",
        "score": "4",
        "explanation": "<script>alert('x')</script> missense",
        "gq": "30",
        "gnomad_popmax_af": "0.0004",
        "clinvar_stars": "",
        "family_genotypes": "",
        "panel_inheritance": "AR",
        "panel_id": "epi",
        "panel_version": "1.0",
    },
]


def _int(value: str) -> int | None:
    return int(value) if value else None


def _float(value: str) -> float | None:
    return float(value) if value else None


def typed_variant(v: dict[str, str]) -> PrioritisedVariant:
    """A JSON variant entry of the results owner type, from a TSV row of strings."""
    return PrioritisedVariant(
        rank=int(v["rank"]), chrom=v["chrom"], pos=int(v["pos"]), ref=v["ref"], alt=v["alt"],
        gene=v["gene"], transcript=v["transcript"], hgvs_c=v["hgvs_c"], hgvs_p=v["hgvs_p"],
        consequence=v["consequence"], genotype=v["genotype"],
        depth=_int(v["depth"]), allele_balance=_float(v["allele_balance"]),
        gnomad_af=_float(v["gnomad_af"]), clinvar=v["clinvar"],
        inheritance=v["inheritance"], score=float(v["score"]), explanation=v["explanation"],
        gq=_int(v["gq"]), gnomad_popmax_af=_float(v["gnomad_popmax_af"]),
        clinvar_stars=_int(v["clinvar_stars"]), family_genotypes=v["family_genotypes"],
        panel_inheritance=v["panel_inheritance"], panel_id=v["panel_id"],
        panel_version=v["panel_version"], gnomad_an=None, inhouse_af=None, managed="",
        evidence=(
            Evidence("consequence", 5, f"{v['consequence']} <i>"),
            Evidence("frequency", -1, "seen in gnomAD"),
        ),
    )  # fmt: skip


PANEL = PanelSummary(
    id="epi",
    version="1.0",
    display_name="Epilepsy & <b>test</b>",
    sha256="ab" * 32,
    genes=(
        PanelGeneSummary("GENEA", "1", "ENST1", "AD"),
        PanelGeneSummary("GENEB", "2", "ENST2", "AR"),
    ),
    missing_genes=(
        {"symbol": "GHOSTGENE", "hgnc_id": "", "reason": "not found in the gene model"},
    ),
)


def write_variants(
    tmp_path: Path,
    variants: list[dict[str, str]],
    affected: bool = True,
    panel: PanelSummary | None = None,
    sv_assessed: bool = True,
) -> tuple[Path, Path]:
    """Prioritised TSV (the cells as given) + JSON (through its owner type)."""
    tsv = tmp_path / "S1.epi.tsv"
    with tsv.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, TSV_HEADER, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(variants)
    results = PrioritisedResults(
        sample="S1",
        family="FAM<1>",
        affected=affected,
        panel=panel or PANEL,
        managed_variants=ManagedSummary(None, None, 0),
        filters=FilterSettings.from_user({"max_af_dominant": 0.01}),
        ranking=ranking_settings({"de_novo": 5}),
        variants=tuple(typed_variant(v) for v in variants),
        sv_assessed=sv_assessed,
    )
    js = tmp_path / "S1.epi.json"
    results.write(js)
    return tsv, js


def write_fastp(tmp_path: Path) -> Path:
    """A real fastp JSON from a tiny paired FASTQ (fallback: the same fields by hand)."""
    out = tmp_path / "unit1.fastp.json"
    if shutil.which("fastp"):
        seqs = [
            "ACGTTGCAAGGCTTACCGATCGATCGGATCCATGCAAGTC",
            "TTGACCGATGCATGCCGTAAGCTAGCTAGGCTTACGATCG",
        ]
        for mate in (1, 2):
            with (tmp_path / f"r{mate}.fq").open("w") as handle:
                for i in range(20):
                    seq = seqs[(i + mate) % 2]
                    handle.write(f"@read{i}/{mate}\n{seq}\n+\n{'I' * len(seq)}\n")
        subprocess.run(
            ["fastp", "-i", tmp_path / "r1.fq", "-I", tmp_path / "r2.fq", "-o", tmp_path / "o1.fq",
             "-O", tmp_path / "o2.fq", "-j", out, "-h", tmp_path / "fastp.html", "-w", "1"],
            check=True, capture_output=True,
        )  # fmt: skip
    else:
        block = {"total_reads": 40, "total_bases": 1600, "q30_rate": 0.95, "q20_rate": 0.99}
        out.write_text(
            json.dumps(
                {
                    "summary": {
                        "fastp_version": "0.23.2",
                        "sequencing": "paired end (40 cycles + 40 cycles)",
                        "before_filtering": block,
                        "after_filtering": block,
                    },
                    "duplication": {"rate": 0.1},
                    "insert_size": {"peak": 40},
                }
            )
        )
    return out


SAM = (
    "@SQ\tSN:chr1\tLN:1000\n"
    "r1\t99\tchr1\t100\t60\t10M\t=\t200\t110\tACGTACGTAC\tIIIIIIIIII\n"
    "r1\t147\tchr1\t200\t60\t10M\t=\t100\t-110\tACGTACGTAC\tIIIIIIIIII\n"
)


def write_samtools_stats(tmp_path: Path) -> Path:
    """`samtools stats` of a tiny SAM (fallback: the SN lines by hand)."""
    out = tmp_path / "S1.stats.txt"
    if shutil.which("samtools"):
        sam = tmp_path / "tiny.sam"
        sam.write_text(SAM)
        result = subprocess.run(
            ["samtools", "stats", str(sam)], check=True, capture_output=True, text=True
        )
        out.write_text(result.stdout)
    else:
        out.write_text(
            "SN\traw total sequences:\t2\nSN\treads mapped:\t2\nSN\treads duplicated:\t0\n"
            "SN\tbases mapped:\t20\t# ignores clipping\nSN\terror rate:\t0.000000e+00\n"
            "SN\tinsert size average:\t110.0\n"
        )
    return out


def write_mosdepth(tmp_path: Path, low: bool = True) -> tuple[Path, Path, Path]:
    """The mosdepth summary + `--by` regions/thresholds files for 3 exons (GENEB exon2 is low)."""
    summary = tmp_path / "S1.mosdepth.summary.txt"
    summary.write_text(
        "chrom\tlength\tbases\tmean\tmin\tmax\n"
        "chr1\t1000\t32000\t32.00\t0\t60\n"
        "total\t1000\t32000\t32.00\t0\t60\n"
        "chr1_region\t300\t9000\t30.00\t0\t60\n"
        "total_region\t300\t9000\t30.00\t0\t60\n"
    )
    regions = [
        ("chr1", 100, 200, "GENEA|ENST00000000001|exon1", 35.5, 100),
        ("chr1", 400, 500, "GENEB|ENST00000000002|exon1", 30.0, 100),
        ("chr1", 600, 700, "GENEB|ENST00000000002|exon2", 12.25, 40)
        if low
        else ("chr1", 600, 700, "GENEB|ENST00000000002|exon2", 25.0, 100),
    ]
    thresholds = tmp_path / "S1.epi.thresholds.bed.gz"
    with gzip.open(thresholds, "wt") as handle:
        handle.write("#chrom\tstart\tend\tregion\t20X\n")
        for chrom, start, end, name, _, bases in regions:
            handle.write(f"{chrom}\t{start}\t{end}\t{name}\t{bases}\n")
    regions_bed = tmp_path / "S1.epi.regions.bed.gz"
    with gzip.open(regions_bed, "wt") as handle:
        for chrom, start, end, name, depth, _ in regions:
            handle.write(f"{chrom}\t{start}\t{end}\t{name}\t{depth:.2f}\n")
    return summary, thresholds, regions_bed


def write_provenance(tmp_path: Path) -> Path:
    out = tmp_path / "S1.provenance.json"
    out.write_text(
        json.dumps(
            {
                "pipeline": {"version": "0.1.0", "git_commit": "0123456789abcdef" * 2 + "01234567",
                             "dirty": False},
                "tools": {"samtools": "1.16.1", "fastp": "0.23.2", "mosdepth": "0.3.3"},
                "config_sha256": "cd" * 32,
                "inputs": {"reference": {"path": "ref/<genome>.fa", "sha256": "ef" * 32,
                                         "size": 123456}},
                "created": "2024-01-01T00:00:00Z",
            }
        )
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def tool_outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The fastp JSON and samtools stats, made once per module (running the tools takes ~1 s)."""
    folder = tmp_path_factory.mktemp("tools")
    return write_fastp(folder), write_samtools_stats(folder)


@pytest.fixture
def inputs(tmp_path: Path, tool_outputs: tuple[Path, Path]) -> ReportInputs:
    tsv, js = write_variants(tmp_path, VARIANTS)
    summary, thresholds, regions = write_mosdepth(tmp_path)
    return ReportInputs(
        tsv=tsv,
        json=js,
        fastp=(tool_outputs[0],),
        samtools_stats=tool_outputs[1],
        mosdepth_summary=summary,
        coverage_thresholds=thresholds,
        coverage_regions=regions,
        provenance=write_provenance(tmp_path),
    )


def cli_args(inp: ReportInputs, out: Path) -> list[str]:
    return [
        "--tsv", str(inp.tsv), "--json", str(inp.json), "--fastp", *map(str, inp.fastp),
        "--samtools-stats", str(inp.samtools_stats), "--mosdepth-summary",
        str(inp.mosdepth_summary), "--coverage-thresholds", str(inp.coverage_thresholds),
        "--coverage-regions", str(inp.coverage_regions), "--provenance", str(inp.provenance),
        "--out", str(out),
    ]  # fmt: skip


class TableParser(HTMLParser):
    """Collects the <tr> data attributes of tbody rows of table#variants, and all tags."""

    def __init__(self) -> None:
        super().__init__()
        self.in_variants = False
        self.in_tbody = False
        self.rows: list[dict[str, str | None]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "table" and attributes.get("id") == "variants":
            self.in_variants = True
        elif tag == "tbody" and self.in_variants:
            self.in_tbody = True
        elif tag == "tr" and self.in_tbody:
            self.rows.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_tbody = False
        elif tag == "table":
            self.in_variants = False


def parse(html: str) -> TableParser:
    parser = TableParser()
    parser.feed(html)
    return parser


def test_cli_writes_report(inputs: ReportInputs, tmp_path: Path) -> None:
    out = tmp_path / "out" / "S1" / "epi.html"
    assert main(cli_args(inputs, out)) == 0
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>")
    parsed = parse(html)
    assert [r["data-rank"] for r in parsed.rows] == ["1", "2"]
    assert [r["data-gene"] for r in parsed.rows] == ["GENEA", "GENEB"]
    assert not list(out.parent.glob(".*tmp"))


def test_row_count_matches_tsv(inputs: ReportInputs) -> None:
    html = render_report(inputs)
    with inputs.tsv.open() as handle:
        tsv_rows = sum(1 for _ in csv.DictReader(handle, delimiter="\t"))
    assert len(parse(html).rows) == tsv_rows == 2
    assert html.count('<details class="variant"') == 2


def test_values_are_escaped(inputs: ReportInputs) -> None:
    html = render_report(inputs)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<b>test</b>" not in html
    assert "Epilepsy &amp; &lt;b&gt;test&lt;/b&gt;" in html
    assert "FAM&lt;1&gt;" in html
    assert "ref/&lt;genome&gt;.fa" in html
    # Exactly one script element: ours.
    assert html.count("<script>") == 1


def test_no_network_resources(inputs: ReportInputs) -> None:
    html = render_report(inputs)
    assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE)
    assert "<link" not in html.lower()
    assert "@import" not in html
    assert "url(" not in html
    parsed = parse(html)
    for tag, attrs in parsed.tags:
        assert "src" not in attrs, tag
        if "href" in attrs and tag != "a":
            raise AssertionError(f"<{tag}> with href")
        href = attrs.get("href") or ""
        if tag == "a" and not href.startswith("#"):
            assert href.startswith("https://"), href
            assert "noreferrer" in (attrs.get("rel") or "")
    assert "default-src 'none'" in html


def test_variant_links(inputs: ReportInputs) -> None:
    html = render_report(inputs)
    assert "https://gnomad.broadinstitute.org/variant/1-150-C-T?dataset=gnomad_r4" in html
    assert "https://genome.ucsc.edu/cgi-bin/hgTracks?db=hg38&amp;position=chr1:125-175" in html
    assert "https://www.ncbi.nlm.nih.gov/clinvar/?term=" in html
    links37 = variant_links(VARIANTS[0], "GRCh37")
    assert "db=hg19" in links37["UCSC"]
    assert "chrpos37" in links37["ClinVar"]


def test_header_and_verdict(inputs: ReportInputs) -> None:
    html = render_report(inputs, sex="female")
    assert ">S1<" in html
    assert "female" in html
    assert "abababababab" in html  # short panel sha256
    assert "0123456789ab" in html  # short commit
    # GHOSTGENE not analysed, GENEB exon2 low: INCOMPLETE; the failed QC check is listed too.
    assert 'class="verdict incomplete"' in html
    assert "Panel bases ≥ 20× is 80.0 % (required ≥ 95 %)" in html


def test_verdict_pass(tmp_path: Path, inputs: ReportInputs) -> None:
    """PASS only when every panel gene was analysed and every exon covered at the threshold."""
    complete = dataclasses.replace(PANEL, missing_genes=())
    tsv, js = write_variants(tmp_path, VARIANTS, panel=complete)
    _, thresholds, regions = write_mosdepth(tmp_path, low=False)
    full = dataclasses.replace(
        inputs, tsv=tsv, json=js, coverage_thresholds=thresholds, coverage_regions=regions
    )
    html = render_report(full)
    assert 'class="verdict pass"' in html
    assert ">PASS<" in html


def test_missing_and_low_coverage_listed(inputs: ReportInputs) -> None:
    html = render_report(inputs)
    assert "GHOSTGENE" in html
    assert "not found in the gene model" in html
    low = html.split('id="low-coverage-exons"')[1].split("</table>")[0]
    assert "GENEB" in low and "exon2" in low
    assert "exon1" not in low  # fully covered exons are not listed as low
    assert "chr1:601-700" in low
    assert "40.0 %" in low


def test_evidence_listed(inputs: ReportInputs) -> None:
    html = render_report(inputs)
    assert "+5" in html and "−1" not in html and "-1" in html
    assert "stop_gained &lt;i&gt;" in html


def test_empty_table(tmp_path: Path, inputs: ReportInputs) -> None:
    tsv, js = write_variants(tmp_path, [])
    html = render_report(dataclasses.replace(inputs, tsv=tsv, json=js))
    assert "No variants passed the panel filters" in html
    assert parse(html).rows == []
    # the empty state is clean: no table header (nor filter box) after "no variants"
    assert 'id="variants"' not in html and 'id="variant-filter"' not in html
    assert '<th data-type="num" class="num">Rank</th>' not in html


def test_deterministic_with_source_date_epoch(
    inputs: ReportInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = render_report(inputs)
    assert first == render_report(inputs)
    assert "2023-11-14 22:13 UTC" in first


def test_mismatched_json_is_input_error(
    tmp_path: Path, inputs: ReportInputs, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    _, js = write_variants(other, [])
    out = tmp_path / "r.html"
    args = cli_args(inputs, out)
    args[args.index("--json") + 1] = str(js)
    assert run_cli(main, args) == 2
    assert "variants but the TSV has 2 rows" in capsys.readouterr().err
    assert not out.exists()


def test_missing_tsv_column_is_input_error(tmp_path: Path, inputs: ReportInputs) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("rank\tgene\n1\tX\n")
    with pytest.raises(InputError, match="header is not rank, chrom"):
        read_tsv(bad)


def test_formatters() -> None:
    assert formatting.fmt_af("0.00012") == "1.20e-04"
    assert formatting.fmt_af("0.25") == "0.2500"
    assert formatting.fmt_af("") == ""
    assert formatting.fmt_pct(0.955) == "95.5 %"
    assert formatting.fmt_pct(None) == "–"
    assert formatting.fmt_int(1234567) == "1\u2009234\u2009567"
    assert formatting.fmt_points(3) == "+3"
    assert flatten({"b": {"x": [1, 2]}, "a": "t"}) == [("a", "t"), ("b.x", "[1, 2]")]


def test_affected_row_renders(tmp_path: Path, inputs: ReportInputs) -> None:
    """The prioritised JSON records the proband's affected status; the report shows it."""
    assert "<dt>Affected</dt><dd>yes</dd>" in render_report(inputs)
    for affected, shown in ((True, "yes"), (False, "no")):
        folder = tmp_path / str(affected)
        folder.mkdir()
        tsv, js = write_variants(folder, VARIANTS, affected=affected)
        html = render_report(dataclasses.replace(inputs, tsv=tsv, json=js))
        assert f"<dt>Affected</dt><dd>{shown}</dd>" in html, affected


SEX_REASONS = {
    CheckStatus.PASS: "declared female, inferred female",
    CheckStatus.FAIL: "declared female but inferred male",
    CheckStatus.NOT_ASSESSABLE: "not assessable (reference has no chrX/chrY)",
}
TRIO_REASONS = {
    CheckStatus.PASS: "S1 with parents F1 and M1: 0.20 % of 500 sites Mendelian-inconsistent",
    CheckStatus.NOT_ASSESSABLE: "S1 with parents F1 and M1: too few genotyped sites (56)",
}


def family_checks_of(
    sex: CheckStatus, trio: CheckStatus = CheckStatus.PASS, blocks: bool = False
) -> FamilyChecks:
    """The checks of S1's trio: S1's sex check and the trio's Mendelian consistency as given."""
    reason = SEX_REASONS[sex]
    inferred = {CheckStatus.FAIL: "male", CheckStatus.NOT_ASSESSABLE: "not assessable"}
    sex_checks = SexChecks(
        sex, (SexCheck("S1", "female", inferred.get(sex, "female"), sex, reason, 1.0, 0.0),)
    )
    trios = (TrioCheck("S1", "F1", "M1", 500, 1, 0.002, trio, TRIO_REASONS[trio]),)
    relatedness = RelatednessChecks(trio, 600, (), trios)
    failures = (Failure("sex", reason),) if sex == CheckStatus.FAIL else ()
    blocking = blocking_checks(failures, check_verdicts(sex_checks, relatedness), blocks)
    return FamilyChecks(
        family="FAM1",
        build="GRCh38",
        sex=sex_checks,
        relatedness=relatedness,
        failures=failures,
        override_checks=(),
        override_reason="",
        overridden=(),
        clinical_use=not blocking,
        not_assessable_blocks=blocks,
    )


def checks_file(
    tmp_path: Path,
    usable: bool,
    sex: CheckStatus | None = None,
    trio: CheckStatus = CheckStatus.PASS,
    blocks: bool = False,
) -> Path:
    """A family checks file for S1 (a failed sex check unless ``usable``, or ``sex`` as given)."""
    status = sex or (CheckStatus.PASS if usable else CheckStatus.FAIL)
    path = tmp_path / f"checks-{status}-{trio}-{blocks}.json".replace(" ", "-")
    write_checks(family_checks_of(status, trio, blocks), path)
    return path


def xlsx_args(inp: ReportInputs, checks: Path, out: Path) -> list[str]:
    return [
        "--sample", "S1", "--panel", "epi", "--tsv", str(inp.tsv), "--json", str(inp.json),
        "--fastp",
        *map(str, inp.fastp), "--samtools-stats", str(inp.samtools_stats), "--mosdepth-summary",
        str(inp.mosdepth_summary), "--coverage-thresholds", str(inp.coverage_thresholds),
        "--coverage-regions", str(inp.coverage_regions), "--checks", str(checks), "--out", str(out),
    ]  # fmt: skip


def test_xlsx_renders_the_report_model(tmp_path: Path, inputs: ReportInputs) -> None:
    out = tmp_path / "S1.xlsx"
    assert run_cli(xlsx.main, xlsx_args(inputs, checks_file(tmp_path, False), out)) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Variants", "Gene coverage", "Exon coverage", "QC",
                               "Sample checks", "SV and CNV", "Not examined",
                               "ACMG suggestions"]  # fmt: skip
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["status"] == "NOT FOR CLINICAL USE"
    assert summary["failed check: sex"] == "declared female but inferred male"
    assert summary["variants"] == 2 and summary["coverage threshold"] == 20
    assert summary["panel verdict"] == "INCOMPLETE"
    variants = list(book["Variants"].iter_rows(values_only=True))
    assert list(variants[0]) == list(TSV_COLUMNS)  # an older TSV: the later columns empty
    assert variants[1][:3] == (1, "chr1", 150) and variants[2][TSV_HEADER.index("gene")] == "GENEB"
    genes = list(book["Gene coverage"].iter_rows(values_only=True))
    assert [g[0] for g in genes[1:]] == ["GENEA", "GENEB"] and genes[2][4] == 0.7
    checks = list(book["Sample checks"].iter_rows(values_only=True))
    assert checks[1] == ("verdict: sex", "failed", "S1: declared female but inferred male")
    assert checks[3] == ("Sex · S1", "fail", "declared female but inferred male")
    usable = tmp_path / "usable.xlsx"
    assert run_cli(xlsx.main, xlsx_args(inputs, checks_file(tmp_path, True), usable)) == 0
    status = openpyxl.load_workbook(usable)["Summary"]["B4"].value
    assert status == "Sample identity: passed"


def test_renderers_share_the_model_not_each_other() -> None:
    def imports(module: str) -> set[str]:
        origin = importlib.util.find_spec(module)
        assert origin is not None and origin.origin is not None
        tree = ast.parse(Path(origin.origin).read_text())
        return {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}

    html_imports, xlsx_imports = imports("hurtig.report.html"), imports("hurtig.report.xlsx")
    assert "hurtig.report.html" not in xlsx_imports and "hurtig.report.xlsx" not in html_imports
    assert {"hurtig.report.model", "hurtig.report.sections"} <= html_imports & xlsx_imports


def low_coverage_exons(model: ReportModel) -> ReportSection | None:
    """The recipe's example section: exons below the threshold, as a table."""
    if not model.coverage.low_exons:
        return None
    return ReportSection(
        id="sec-low-exons",
        title="Exons below threshold",
        nav_label="Low exons",
        columns=("Gene", "Exon", f"Bases < {model.coverage.threshold}×"),
        rows=tuple((e.gene, e.exon, e.bases_below_threshold) for e in model.coverage.low_exons),
        intro="Variants in these exons may have been missed.",
    )


def test_recipe_new_section_in_html_and_xlsx(
    tmp_path: Path, inputs: ReportInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    before = render_report(inputs)
    assert "sec-low-exons" not in before
    # The recipe: register the section's builder in REPORT_SECTIONS, where it should appear.
    registered = list(sections.REPORT_SECTIONS)
    registered.insert(registered.index(sections.provenance), low_coverage_exons)
    monkeypatch.setattr(sections, "REPORT_SECTIONS", tuple(registered))
    out = tmp_path / "report.html"
    assert main(cli_args(inputs, out)) == 0
    html = out.read_text()
    assert '<a href="#sec-low-exons">Low exons</a>\n  <a href="#sec-provenance">' in html
    assert html.index('id="sec-qc"') < html.index('id="sec-low-exons"')
    assert html.index('id="sec-low-exons"') < html.index('id="sec-provenance"')
    table = html.split('<table id="sec-low-exons-table">')[1].split("</table>")[0]
    assert "<th>Bases &lt; 20×</th>" in table
    assert "<tr><td>GENEB</td><td>exon2</td><td>60</td></tr>" in table
    assert "may have been missed.</p>" in html
    # Nothing else changed.
    start, end = html.index('<h2 id="sec-low-exons">'), html.index('<h2 id="sec-provenance">')
    assert (html[:start] + html[end:]).replace(
        '  <a href="#sec-low-exons">Low exons</a>\n', ""
    ) == before
    xlsx_out = tmp_path / "report.xlsx"
    assert run_cli(xlsx.main, xlsx_args(inputs, checks_file(tmp_path, True), xlsx_out)) == 0
    sheet = openpyxl.load_workbook(xlsx_out)["Exons below threshold"]
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Gene", "Exon", "Bases < 20×"),
        ("GENEB", "exon2", 60),
    ]


def verdicts(inp: ReportInputs, tmp_path: Path, name: str) -> tuple[str, list[str], dict]:
    """The panel verdict and its reasons in the HTML, and the XLSX Summary sheet, of one report."""
    html = render_report(inp)
    box = html.split('id="qc-verdict"')[1].split("</section>")[0]
    status = re.search(r'data-status="([A-Z]+)"', html)
    assert status is not None
    reasons = re.findall(r"<li>([^<]*)</li>", box.split("<table>")[0])
    out = tmp_path / f"{name}.xlsx"
    assert run_cli(xlsx.main, xlsx_args(inp, checks_file(tmp_path, True), out)) == 0
    rows = list(openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True))
    summary: dict = {}
    for item, value in rows[1:]:
        summary.setdefault(item, []).append(value)
    assert box.split('<div class="status">')[1].startswith(status.group(1))
    return status.group(1), [html_unescape(r) for r in reasons], summary


def html_unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


@pytest.mark.parametrize(
    ("missing", "low", "expected"),
    [
        (True, False, "INCOMPLETE"),  # a panel gene missing from the gene model
        (False, True, "INCOMPLETE"),  # an exon with bases below the threshold
        (True, True, "INCOMPLETE"),
        (False, False, "PASS"),
    ],
)
def test_panel_verdict_same_in_html_and_xlsx(
    tmp_path: Path, inputs: ReportInputs, missing: bool, low: bool, expected: str
) -> None:
    panel = PANEL if missing else dataclasses.replace(PANEL, missing_genes=())
    tsv, js = write_variants(tmp_path, VARIANTS, panel=panel)
    _, thresholds, regions = write_mosdepth(tmp_path, low=low)
    inp = dataclasses.replace(
        inputs, tsv=tsv, json=js, coverage_thresholds=thresholds, coverage_regions=regions
    )
    # Panel coverage alone (80 %) would fail QC at 95 %: lower it so only completeness decides.
    options = ReportOptions(thresholds=Thresholds(min_panel_fraction=0.5))
    model = sections.report_model(inp, options)
    assert model.verdict.status == expected
    assert not model.verdict.qc.reasons
    assert any("GHOSTGENE" in line for line in model.verdict.incomplete) == missing
    assert any("GENEB exon2" in line for line in model.verdict.incomplete) == low
    if expected == "PASS":
        status, reasons, summary = verdicts(inp, tmp_path, "pass")
        assert (status, reasons) == ("PASS", [])
        assert summary["panel verdict"] == ["PASS"] and "not examined" not in summary
        return
    status, reasons, summary = verdicts(inp, tmp_path, "incomplete")
    # Without the lowered QC threshold the 80 % panel coverage is listed as well.
    assert status == "INCOMPLETE" == summary["panel verdict"][0]
    assert reasons[: len(model.verdict.incomplete)] == summary["not examined"]
    failed_qc = ["Panel bases ≥ 20× is 80.0 % (required ≥ 95 %)"] if low else []
    assert summary.get("failed QC", []) == failed_qc == reasons[len(model.verdict.incomplete) :]
    assert summary["note"] == [DISCLAIMER] and DISCLAIMER in render_report(inp)


def test_not_examined_names_cstb_repeat_expansion(tmp_path: Path, inputs: ReportInputs) -> None:
    """A panel with CSTB (and EPM2A missing, as in the demo) lists CSTB's repeat expansion."""
    cstb = dataclasses.replace(
        PANEL,
        genes=(PanelGeneSummary("CSTB", "HGNC:2482", "ENST00000291568", "AR"),),
        missing_genes=(
            {"symbol": "EPM2A", "hgnc_id": "HGNC:6539", "reason": "not in the gene model"},
        ),
    )
    (tmp_path / "cstb").mkdir()
    tsv, js = write_variants(tmp_path / "cstb", VARIANTS, panel=cstb)
    inp = dataclasses.replace(inputs, tsv=tsv, json=js)
    html = render_report(inp)
    section = html.split('<h2 id="sec-not-examined">')[1].split("<h2 ")[0]
    assert "Repeat expansions" in section and "Balanced and complex structural" in section
    assert "Structural variants and copy-number changes" not in section  # called since #14
    genes = section.split('id="mechanism-genes"')[1]
    assert "<strong>CSTB</strong></td><td>repeat expansion</td>" in genes
    assert "https://www.ncbi.nlm.nih.gov/books/NBK1142/" in genes
    assert "EPM2A" not in genes  # not in the catalogue
    assert '<a href="#sec-not-examined">Not examined</a>' in html
    assert "Not assessed: CSTB repeat expansion" in html.split('id="qc-verdict"')[1]
    out = tmp_path / "cstb.xlsx"
    assert run_cli(xlsx.main, xlsx_args(inp, checks_file(tmp_path, True), out)) == 0
    sheet = list(openpyxl.load_workbook(out)["Not examined"].iter_rows(values_only=True))
    assert sheet[0] == ("kind", "not examined", "details", "source")
    gene_rows = [row for row in sheet if row[0] == "panel gene"]
    assert [row[1] for row in gene_rows] == ["CSTB"]
    assert gene_rows[0][2].startswith("repeat expansion: dodecamer repeat")
    # The default panel (GENEA, GENEB, GHOSTGENE) has no catalogue gene: said so.
    assert "None of the panel's genes is in hurtig's catalogue" in render_report(inputs)


def test_not_examined_names_svs_when_the_run_did_not_call_them(
    tmp_path: Path, inputs: ReportInputs
) -> None:
    """With sv.enabled: false (the prioritised JSON says so) the report never claims SVs."""
    (tmp_path / "no_sv").mkdir()
    tsv, js = write_variants(tmp_path / "no_sv", VARIANTS, sv_assessed=False)
    html = render_report(dataclasses.replace(inputs, tsv=tsv, json=js))
    section = html.split('<h2 id="sec-not-examined">')[1].split("<h2 ")[0]
    assert "Structural and copy-number variants" in section and "were not called" in section
    assert "Delly" not in section and "Balanced and complex structural" not in section
    called = render_report(inputs)  # the fixture's JSON: SVs called
    assert "Delly, TIDDIT, CNVkit" in called.split('<h2 id="sec-not-examined">')[1]


def test_catalogue_rows_are_sourced() -> None:
    entries, digest = read_catalogue()
    assert len(digest) == 64 and len(entries) >= 40
    mechanisms = {"repeat expansion", "copy-number change", "structural rearrangement"}
    assert {e.mechanism for e in entries} == mechanisms
    assert len({(e.gene, e.mechanism) for e in entries}) == len(entries)
    for entry in entries:
        assert entry.url.startswith("https://"), entry
        assert entry.source.split()[0] in ("GeneReviews", "STRipy"), entry
        if entry.source.startswith("GeneReviews"):
            assert entry.source.split()[1] in entry.url, entry
    scope = report_scope(["cstb", "FMR1", "GENEA"], "0.2")
    assert [m.gene for m in scope.genes] == ["CSTB", "FMR1"]
    assert scope.not_assessed[-1] == (
        MOSAIC,
        "variants below an allele balance of 0.2 are filtered out",
    )


SORT_HARNESS = """<script>
function order() {
  return Array.from(document.querySelectorAll("#variants tbody tr"))
    .map(r => r.dataset.rank).join(",");
}
var ths = document.querySelectorAll("#variants th"), out = [];
ths[8].click(); out.push("score-asc:" + order());
ths[8].click(); out.push("score-desc:" + order());
ths[1].click(); ths[1].click(); out.push("gene-desc:" + order());
ths[4].click(); out.push("af-asc:" + order());
var f = document.getElementById("variant-filter");
f.value = "GENEB missense"; f.dispatchEvent(new Event("input"));
out.push("shown:" + Array.from(document.querySelectorAll("#variants tbody tr"))
  .filter(r => !r.hidden).map(r => r.dataset.rank).join(","));
document.title = "RESULT " + out.join(" ");
</script></body>"""


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_sorting_and_filter_in_browser(inputs: ReportInputs, tmp_path: Path) -> None:
    html = render_report(inputs).replace("</body>", SORT_HARNESS)
    page = tmp_path / "harness.html"
    page.write_text(html)
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=2000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    title = re.search(r"<title>RESULT ([^<]*)</title>", result.stdout)
    assert title, result.stdout[:500]
    assert title.group(1).split() == [
        "score-asc:2,1",
        "score-desc:1,2",
        "gene-desc:2,1",
        "af-asc:1,2",  # absent from gnomAD sorts as 0
        "shown:2",
    ]


NOT_VERIFIED_SEX = "Sample identity NOT VERIFIED: sex not assessable (reference has no chrX/chrY)"


@pytest.mark.parametrize(
    ("sex", "trio", "blocks", "usable", "identity", "headline"),
    [
        ("pass", "pass", False, True, "passed", "Sample identity: passed"),
        ("fail", "pass", False, False, "failed", "NOT FOR CLINICAL USE"),
        ("not assessable", "pass", False, True, "not verified", NOT_VERIFIED_SEX),
        ("not assessable", "pass", True, False, "failed", "NOT FOR CLINICAL USE"),
        (
            "pass",
            "not assessable",
            False,
            True,
            "not verified",
            "Sample identity NOT VERIFIED: relatedness not assessable "
            "(S1 with parents F1 and M1: too few genotyped sites (56))",
        ),
    ],
)
def test_identity_verdicts_same_in_html_and_xlsx(
    tmp_path: Path,
    inputs: ReportInputs,
    sex: str,
    trio: str,
    blocks: bool,
    usable: bool,
    identity: str,
    headline: str,
) -> None:
    """Each check is passed, failed or not assessable; the headline never says more."""
    checks = checks_file(tmp_path, True, CheckStatus(sex), CheckStatus(trio), blocks)
    inp = dataclasses.replace(inputs, checks=checks)
    model = sections.report_model(inp)
    use = model.clinical_use
    assert (use.usable, use.identity, use.headline) == (usable, identity, headline)
    expected = [("sex", {"pass": "passed", "fail": "failed"}.get(sex, sex)),
                ("relatedness", "passed" if trio == "pass" else trio)]  # fmt: skip
    assert [(c, v) for c, v, _ in use.verdicts] == expected
    if identity != "passed":
        assert "passed" not in headline
    # HTML (and so the PDF printed from it): the box at the top, the verdicts table.
    html = render_report(inp)
    top = html.split('id="clinical-use"')[1].split("</section>")[0]
    assert f'data-usable="{str(usable).lower()}"' in top
    assert f'data-identity="{identity}"' in top
    assert f'<div class="stamp">{headline}</div>' in top or f"<strong>{headline}</strong>" in top
    shown = re.findall(r'data-check="(\w+)" data-verdict="([a-z ]+)"', html)
    assert shown == expected
    blocked_by_policy = sex == "not assessable" and blocks
    assert ("report.not_assessable_blocks: true) blocks the report" in top) == blocked_by_policy
    if "not assessable" in (sex, trio):
        assert "not assessable — " in top  # stated at the top, where a failure is
    # XLSX: the same headline, the same verdicts, the policy.
    out = tmp_path / "S1.xlsx"
    assert run_cli(xlsx.main, xlsx_args(inp, checks, out)) == 0
    book = openpyxl.load_workbook(out)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["status"] == headline
    assert ("not assessable check: sex" in summary) == (sex == "not assessable")
    assert ("failed check: sex" in summary) == (sex == "fail")
    assert summary["not assessable policy"].endswith(
        f"not_assessable_blocks: {str(blocks).lower()})"
    )
    rows = list(book["Sample checks"].iter_rows(values_only=True))
    assert [(r[0], r[1]) for r in rows[1:3]] == [("verdict: " + c, v) for c, v in expected]
    status_cell = next(row for row in book["Summary"].iter_rows() if row[0].value == "status")
    assert bool(status_cell[0].font.bold) == (identity != "passed")


# The preliminary report of the panel fast path never claims what it did not check (#17, item
# 2): it has fastp and panel coverage only; genome-wide QC, sample checks and SVs/CNVs are named
# as not done yet, the headline is PRELIMINARY / NOT FOR CLINICAL USE YET, and its QC verdict is
# never PASS.


def preliminary_args(inp: ReportInputs, out: Path) -> list[str]:
    """The render-report command line of the fast path (no stats, mosdepth summary or checks)."""
    args = cli_args(inp, out)
    for option in ("--samtools-stats", "--mosdepth-summary"):
        at = args.index(option)
        del args[at : at + 2]
    return ["--preliminary", *args]


def test_preliminary_report_says_what_it_had(inputs: ReportInputs, tmp_path: Path) -> None:
    out = tmp_path / "preliminary" / "epi.html"
    assert main(preliminary_args(inputs, out)) == 0
    html = out.read_text()
    assert "PRELIMINARY — NOT FOR CLINICAL USE YET" in html
    assert 'data-preliminary="true"' in html and 'data-usable="false"' in html
    assert "QC this report had:" in html and "panel coverage from the panel reads" in html
    assert "sample checks (sex, relatedness, identity)" in html
    assert 'id="qc-pending"' in html
    assert "not done yet (needs the whole-genome alignment)" in html
    # the variants are there, ranked as in the final report
    assert [r["data-rank"] for r in parse(html).rows] == ["1", "2"]
    # the verdict is never PASS without genome-wide QC
    assert 'data-status="PASS"' not in html


def test_preliminary_never_takes_genome_wide_inputs(inputs: ReportInputs, tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--preliminary", *cli_args(inputs, tmp_path / "x.html")])
    with pytest.raises(SystemExit):  # the final report needs them
        main(preliminary_args(inputs, tmp_path / "y.html")[1:])


def test_preliminary_model(inputs: ReportInputs) -> None:
    bare = dataclasses.replace(inputs, samtools_stats=None, mosdepth_summary=None)
    model = build_report_model(bare, ReportOptions(preliminary=True))
    assert model.preliminary and model.qc.samtools is None
    assert not model.clinical_use.usable
    assert model.clinical_use.headline == "NOT FOR CLINICAL USE"
    assert model.verdict.status != "PASS"


def test_preliminary_qc_verdict_is_check_even_with_full_panel_coverage() -> None:
    verdict = preliminary_qc_verdict(1.0, Thresholds())
    assert verdict.status == CHECK
    ok = {label: passed for label, _, _, passed in verdict.checks}
    assert ok["Panel bases ≥ 20×"] is True
    assert ok["Reads mapped"] is False and ok["Mean coverage (callable genome)"] is False
