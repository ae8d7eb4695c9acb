"""Tests for the report's read views: hurtig read-views (reads from tiny CRAMs) and their SVG."""

from __future__ import annotations

import random
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from builders import ReadsBuilder, write_fasta
from hurtig.errors import InputError, run_cli
from hurtig.qc.offline_html import crude_network_loads, network_loads
from hurtig.report import read_views, xlsx
from hurtig.report.html import main as render_main
from hurtig.report.model import ReportInputs
from hurtig.report.pileup_svg import counts_line, read_view_svg
from hurtig.report.read_views import ReadViews
from unit.test_report import (
    VARIANTS,
    checks_file,
    cli_args,
    parse,
    write_fastp,
    write_mosdepth,
    write_provenance,
    write_samtools_stats,
    write_variants,
    xlsx_args,
)

rng = random.Random(15)
SEQUENCE = "".join(rng.choice("ACGT") for _ in range(1000))
SNV_POS, DEL_POS, DEL_LEN = 150, 420, 3
SNV_REF = SEQUENCE[SNV_POS - 1]
SNV_ALT = next(b for b in "ACGT" if b != SNV_REF)
DEL_REF = SEQUENCE[DEL_POS - 1 : DEL_POS + DEL_LEN]
DEL_ALT = SEQUENCE[DEL_POS - 1]


def family_variants() -> list[dict[str, str]]:
    """The report test's two variants, moved onto this reference: a het SNV and a deletion."""
    snv = {**VARIANTS[0], "pos": str(SNV_POS), "ref": SNV_REF, "alt": SNV_ALT}
    deletion = {**VARIANTS[1], "pos": str(DEL_POS), "ref": DEL_REF, "alt": DEL_ALT}
    return [snv, deletion]


def kid_reads(fasta: Path) -> ReadsBuilder:
    """S1: het SNV (10 ALT of 20, plus one low-MAPQ REF read); het deletion (6 of 12)."""
    reads = ReadsBuilder(fasta, sample="S1", read_length=60)
    for i in range(20):
        changes = {SNV_POS: SNV_ALT} if i % 2 == 0 else None
        reads.add_read("chr1", 100 + 2 * i, changes=changes, strand="+-"[i % 3 % 2])
    reads.add_read("chr1", 120, mapq=5, strand="-")
    for i in range(12):
        deletion = (DEL_POS + 1, DEL_LEN) if i < 6 else None
        reads.add_read("chr1", 380 + 2 * i, deletion=deletion, strand="+-"[i % 2])
    return reads


def parent_reads(fasta: Path, sample: str) -> ReadsBuilder:
    """A parent with the reference at both sites (8 reads each)."""
    reads = ReadsBuilder(fasta, sample=sample, read_length=60)
    for i in range(8):
        reads.add_read("chr1", 110 + 3 * i)
        reads.add_read("chr1", 370 + 3 * i, strand="-")
    return reads


@pytest.fixture
def family(tmp_path: Path) -> dict[str, Path]:
    """Reference, prioritised TSV/JSON of S1 and the trio's CRAMs."""
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": SEQUENCE})
    tsv, js = write_variants(tmp_path, family_variants())
    return {
        "fasta": fasta,
        "tsv": tsv,
        "json": js,
        "proband": kid_reads(fasta).to_path(tmp_path / "S1.cram"),
        "father": parent_reads(fasta, "F1").to_path(tmp_path / "F1.cram"),
        "mother": parent_reads(fasta, "M1").to_path(tmp_path / "M1.cram"),
    }


def views_args(family: dict[str, Path], out: Path, *extra: str) -> list[str]:
    names = ("json", "reference", "proband", "father", "mother")
    keys = ("json", "fasta", "proband", "father", "mother")
    args = [item for n, k in zip(names, keys, strict=True) for item in (f"--{n}", str(family[k]))]
    return [*args, "--out", str(out), *extra]


def write_views(family: dict[str, Path], tmp_path: Path, *extra: str) -> ReadViews:
    out = tmp_path / "views" / "S1" / "epi.json"
    assert run_cli(read_views.main, views_args(family, out, *extra)) == 0
    assert out.stat().st_mode & 0o077 == 0
    return ReadViews.read(out)


def test_counts_and_reads_from_the_crams(family: dict[str, Path], tmp_path: Path) -> None:
    views = write_views(family, tmp_path)
    assert (views.sample, views.panel, views.flank, views.omitted) == ("S1", "epi", 60, 0)
    snv, deletion = views.views
    assert [m.role for m in snv.samples] == ["proband", "father", "mother"]
    assert [m.sample for m in snv.samples] == ["S1", "F1", "M1"]
    kid = snv.samples[0].counts
    assert (kid.depth, kid.ref, kid.alt, kid.other, kid.low_mapq) == (21, 11, 10, 0, 1)
    assert snv.bases == SEQUENCE[SNV_POS - 61 : SNV_POS + 60]
    assert snv.start == SNV_POS - 60
    # Each ALT read shows the mismatch at the variant, and only there.
    alt_reads = [r for r in snv.samples[0].reads if r.allele == "alt"]
    assert len(alt_reads) == 10
    assert all([(p, b) for p, b, _ in r.mismatches] == [(SNV_POS, SNV_ALT)] for r in alt_reads)
    assert snv.samples[0].reads[0].allele == "alt"  # ALT reads drawn first
    father = snv.samples[1].counts
    assert (father.depth, father.ref, father.alt) == (8, 8, 0)
    kid_del = deletion.samples[0]
    assert (kid_del.counts.depth, kid_del.counts.ref, kid_del.counts.alt) == (12, 6, 6)
    deleted = [r for r in kid_del.reads if r.allele == "alt"]
    assert all(r.deletions == ((DEL_POS + 1, DEL_LEN),) for r in deleted)
    assert all(not r.mismatches for r in kid_del.reads)


def test_downsampling_is_deterministic(family: dict[str, Path], tmp_path: Path) -> None:
    few = write_views(family, tmp_path, "--max-reads", "5", "--max-variants", "1")
    again = write_views(family, tmp_path / "again", "--max-reads", "5", "--max-variants", "1")
    assert few == again
    assert few.omitted == 1 and len(few.views) == 1
    kid = few.views[0].samples[0]
    assert len(kid.reads) == 5 and kid.in_window == 21
    assert kid.counts.depth == 21  # the counts are of all reads, not of those drawn
    assert all(r.allele for r in kid.reads)  # spanning reads are chosen first


def test_svg_shows_counts_and_marks(family: dict[str, Path], tmp_path: Path) -> None:
    snv, deletion = write_views(family, tmp_path).views
    svg = read_view_svg(snv)
    assert svg.startswith('<svg class="pileup"') and svg.endswith("</svg>")
    assert "S1 (proband): 21 reads span the variant · REF 11 · ALT 10 · other 0" in svg
    assert "F1 (father): 8 reads span the variant · REF 8 · ALT 0" in svg
    # one coloured mark per ALT read, at the variant's column (60 bases from the window start)
    marks = re.findall(rf'<rect class="b{SNV_ALT}" x="(\d+)"', svg)
    assert marks == ["480"] * 10
    assert svg.count('class="f lq"') + svg.count('class="r lq"') == 1  # the low-MAPQ read
    assert '<text class="ref" x="4 12 20' in svg and f">{snv.bases}</text>" in svg
    assert '<rect class="hl" x="480" y="14" width="8"' in svg
    del_svg = read_view_svg(deletion)
    assert del_svg.count('<path class="del"') == 6
    assert "S1 (proband): 12 reads span the variant · REF 6 · ALT 6" in del_svg
    assert '<rect class="hl" x="480" y="14" width="32"' in del_svg  # REF is 4 bases
    assert counts_line(deletion.samples[2]).startswith("M1 (mother): 8 reads span")


def test_svg_escapes_names(family: dict[str, Path], tmp_path: Path) -> None:
    view = write_views(family, tmp_path).views[0]
    evil = replace(view, gene="<b>G</b>", samples=(replace(view.samples[0], sample="<i>x"),))
    svg = read_view_svg(evil)
    assert "<b>" not in svg and "<i>" not in svg and "&lt;i&gt;x" in svg


def test_wrong_sample_or_missing_index_one_line(family: dict[str, Path], tmp_path: Path) -> None:
    swapped = {**family, "proband": family["father"]}
    with pytest.raises(InputError, match=r"F1\.cram: the reads are of sample F1, not S1"):
        read_views.main(views_args(swapped, tmp_path / "x.json"))
    Path(f"{family['mother']}.crai").unlink()
    with pytest.raises(InputError, match=r"M1\.cram: the alignments have no index"):
        read_views.main(views_args(family, tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()
    cli = subprocess.run(
        ["hurtig", "read-views", *views_args(swapped, tmp_path / "x.json")],
        capture_output=True,
        text=True,
    )
    assert cli.returncode != 0
    assert cli.stderr.strip().splitlines() == [
        f"hurtig error: {family['father']}: the reads are of sample F1, not S1"
    ]


def report_inputs(family: dict[str, Path], tmp_path: Path, views: Path | None) -> ReportInputs:
    """The report test's inputs (tool outputs, provenance) with this family's variants."""
    summary, thresholds, regions = write_mosdepth(tmp_path)
    return ReportInputs(
        tsv=family["tsv"],
        json=family["json"],
        fastp=(write_fastp(tmp_path),),
        samtools_stats=write_samtools_stats(tmp_path),
        mosdepth_summary=summary,
        coverage_thresholds=thresholds,
        coverage_regions=regions,
        provenance=write_provenance(tmp_path),
        read_views=views,
    )


def test_report_embeds_views_offline(family: dict[str, Path], tmp_path: Path) -> None:
    views = tmp_path / "views.json"
    assert run_cli(read_views.main, views_args(family, views)) == 0
    inputs = report_inputs(family, tmp_path, views)
    out = tmp_path / "report.html"
    assert run_cli(render_main, [*cli_args(inputs, out), "--read-views", str(views)]) == 0
    html = out.read_text()
    assert html.count('<svg class="pileup"') == 2
    assert '<a href="#reads-1" class="reads-link">Reads</a>' in html
    assert '<details class="variant reads" id="reads-2">' in html
    assert '<a href="#sec-reads">Read views</a>' in html
    assert "S1 (proband): 21 reads span the variant · REF 11 · ALT 10" in html
    # Nothing loads from the network: the offline checker's two scans find nothing.
    assert network_loads(html) == [] and crude_network_loads(html) == []
    for tag, attrs in parse(html).tags:
        assert "src" not in attrs, tag
        href = attrs.get("href")
        if href is not None:
            assert tag == "a" and href.startswith(("#", "https://")), (tag, href)
    # The workbook gets the counts.
    book = tmp_path / "report.xlsx"
    args = [*xlsx_args(inputs, checks_file(tmp_path, True), book), "--read-views", str(views)]
    assert run_cli(xlsx.main, args) == 0
    rows = list(openpyxl.load_workbook(book)["Read counts"].iter_rows(values_only=True))
    assert len(rows) == 1 + 2 * 3
    snv = f"chr1:{SNV_POS} {SNV_REF}>{SNV_ALT}"
    assert rows[1] == (1, "GENEA", snv, "proband", "S1", 21, 11, 10, 0, 1, 0)


def test_report_refuses_views_of_another_sample(family: dict[str, Path], tmp_path: Path) -> None:
    views = tmp_path / "views.json"
    assert run_cli(read_views.main, views_args(family, views)) == 0
    doc = views.read_text().replace('"sample":"S1"', '"sample":"S9"', 1)
    views.write_text(doc)
    inputs = report_inputs(family, tmp_path, views)
    with pytest.raises(InputError, match=r"views\.json: the read views are of S9 × epi, not S1"):
        render_main([*cli_args(inputs, tmp_path / "r.html"), "--read-views", str(views)])


def test_report_refuses_views_of_other_variants(family: dict[str, Path], tmp_path: Path) -> None:
    views = tmp_path / "views.json"
    assert run_cli(read_views.main, views_args(family, views)) == 0
    views.write_text(views.read_text().replace(f'"pos":{DEL_POS}', f'"pos":{DEL_POS + 1}', 1))
    inputs = report_inputs(family, tmp_path, views)
    with pytest.raises(InputError, match=r"read view of rank 2 \(chr1:421 .* the same run"):
        render_main([*cli_args(inputs, tmp_path / "r.html"), "--read-views", str(views)])


def test_report_without_views_has_no_section(family: dict[str, Path], tmp_path: Path) -> None:
    inputs = report_inputs(family, tmp_path, None)
    out = tmp_path / "report.html"
    assert run_cli(render_main, cli_args(inputs, out)) == 0
    html = out.read_text()
    assert "sec-reads" not in html and "pileup" not in html and "reads-link" not in html


def test_no_variants_no_section(family: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    tsv, js = write_variants(tmp_path / "empty", [])
    empty = {**family, "tsv": tsv, "json": js}
    views = tmp_path / "views.json"
    assert run_cli(read_views.main, views_args(empty, views)) == 0
    assert ReadViews.read(views).views == ()
    out = tmp_path / "report.html"
    inputs = report_inputs(empty, tmp_path, views)
    assert run_cli(render_main, [*cli_args(inputs, out), "--read-views", str(views)]) == 0
    assert "sec-reads" not in out.read_text()
