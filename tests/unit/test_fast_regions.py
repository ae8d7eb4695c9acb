"""The panel fast path's regions (hurtig fast-regions): union, widening, clamping, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from hurtig.errors import InputError
from hurtig.panels.cli import main as panels_main
from hurtig.panels.fast_regions import fast_regions, main


@pytest.fixture
def fai(tmp_path: Path) -> Path:
    path = tmp_path / "ref.fa.fai"
    path.write_text("chr1\t10000\t6\t60\t61\nchr2\t5000\t10180\t60\t61\n")
    return path


def bed(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_union_widened_and_clamped(tmp_path: Path, fai: Path) -> None:
    a = bed(tmp_path, "a.bed", "chr2\t100\t200\tX|T|exon1\t0\t+\nchr1\t50\t60\n")
    b = bed(tmp_path, "b.bed", "chr1\t250\t300\nchr1\t9950\t10000\n")
    calling, reads = fast_regions([a, b], fai, call_padding=100, read_padding=1000)
    # reference order (chr1 before chr2), sorted, merged, clamped at 0 and the contig end
    assert calling == "chr1\t0\t400\nchr1\t9850\t10000\nchr2\t0\t300\n"
    assert reads == "chr1\t0\t1400\nchr1\t8850\t10000\nchr2\t0\t1300\n"


def test_calling_inside_reads(tmp_path: Path, fai: Path) -> None:
    a = bed(tmp_path, "a.bed", "chr1\t4000\t4100\n")
    calling, reads = fast_regions([a], fai, call_padding=10, read_padding=500)
    assert calling == "chr1\t3990\t4110\n"
    assert reads == "chr1\t3490\t4610\n"


def test_unknown_contig_names_the_files(tmp_path: Path, fai: Path) -> None:
    a = bed(tmp_path, "a.bed", "chr21\t1\t5\n")
    message = r"a\.bed: the region contig chr21 is not in the reference"
    with pytest.raises(InputError, match=message):
        fast_regions([a], fai, 100, 1000)


def test_no_regions_is_an_error(tmp_path: Path, fai: Path) -> None:
    a = bed(tmp_path, "a.bed", "# nothing\n")
    with pytest.raises(InputError, match="no regions for the panel fast path"):
        fast_regions([a], fai, 100, 1000)


def test_cli_writes_both(tmp_path: Path, fai: Path) -> None:
    a = bed(tmp_path, "a.bed", "chr2\t100\t200\n")
    out_call, out_reads = tmp_path / "c.bed", tmp_path / "r.bed"
    args = ["--beds", str(a), "--fai", str(fai), "--out-call", str(out_call)]
    assert main([*args, "--out-reads", str(out_reads)]) == 0
    assert out_call.read_text() == "chr2\t0\t300\n"
    assert out_reads.read_text() == "chr2\t0\t1300\n"


def test_panels_resolved_as_resolve_panel_does(tmp_path: Path) -> None:
    """--specs gives exactly the regions of resolve-panel's BED (the panel stage's regions)."""
    repo = Path(__file__).resolve().parents[2]
    demo = repo / "resources" / "demo"
    gff3 = demo / "annotation" / "genes.gff3.gz"
    fai = tmp_path / "ref.fa.fai"  # the demo reference's one contig (a clone has no index yet)
    fai.write_text("chr21\t43894067\t7\t60\t61\n")
    registry = demo / "panels"
    bed = tmp_path / "neuro.bed"
    resolve = [
        "--registry", str(registry), "--spec", "neuro_demo", "--gff3", str(gff3),
        "--out-bed", str(bed), "--out-json", str(tmp_path / "neuro.json"),
    ]  # fmt: skip
    assert panels_main(resolve) == 0
    out = {name: tmp_path / f"{name}.bed" for name in ("a_call", "a_reads", "b_call", "b_reads")}
    common = ["--fai", str(fai), "--call-padding", "100", "--read-padding", "1000"]
    from_bed = ["--beds", str(bed), "--out-call", str(out["a_call"])]
    assert main([*from_bed, "--out-reads", str(out["a_reads"]), *common]) == 0
    from_specs = ["--registry", str(registry), "--specs", "neuro_demo", "--gff3", str(gff3)]
    from_specs += ["--out-call", str(out["b_call"]), "--out-reads", str(out["b_reads"])]
    assert main([*from_specs, *common]) == 0
    assert out["a_call"].read_text() == out["b_call"].read_text() != ""
    assert out["a_reads"].read_text() == out["b_reads"].read_text()
