"""Golden cases, behaviour and result-file round trips of ``hurtig prioritise`` (hurtig.prioritise).

Golden cases are folders under tests/data/prioritise/ (see the README there): each runs through
``hurtig resolve-panel`` (when it holds a panel definition) and ``hurtig prioritise`` and must
give its expected.tsv byte for byte. Set HURTIG_UPDATE_GOLDEN=1 to rewrite expected.tsv after a
deliberate change, then review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pysam
import pytest

from hurtig import cli
from hurtig.errors import InputError
from hurtig.panels.model import ResolvedPanel, read_bed
from hurtig.prioritise import cli as prioritise_cli
from hurtig.prioritise.filters import FilterSettings
from hurtig.prioritise.managed import load_managed
from hurtig.prioritise.points import ranking_settings
from hurtig.prioritise.ranking import prioritise
from hurtig.prioritise.results import TSV_COLUMNS, PrioritisedResults, PrioritisedTable
from hurtig.prioritise.settings import PrioritisationSettings, settings_file_text
from hurtig.run.pedigree import load_pedigree

CASES = Path(__file__).resolve().parents[1] / "data" / "prioritise"


def _bgzip(src: Path, dest_dir: Path) -> Path:
    plain = dest_dir / src.name
    shutil.copy(src, plain)
    out = Path(str(plain) + ".gz")
    pysam.tabix_compress(str(plain), str(out), force=True)
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return out


def _panel_files(case: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The case's resolved panel (JSON, BED), resolving its definition when it has one."""
    if (case / "panel.json").exists():
        return case / "panel.json", case / "panel.bed"
    definition = next(p for p in sorted(case.iterdir()) if p.stem == "panel")
    pjson, pbed = tmp_path / "panel.json", tmp_path / "panel.bed"
    rc = cli.main(
        [
            "resolve-panel", "--panel", str(definition), "--gff3", str(case / "genes.gff3"),
            "--out-bed", str(pbed), "--out-json", str(pjson),
        ]
    )  # fmt: skip
    assert rc == 0
    return pjson, pbed


def run_case(
    case: Path, tmp_path: Path, settings: dict | None = None, extra: tuple[str, ...] = ()
) -> tuple[str, dict]:
    """Run ``hurtig prioritise`` on a case folder; (TSV text, JSON document).

    ``settings`` replaces the case's settings.json; ``extra`` adds command-line options.
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    vcf = _bgzip(case / "input.vcf", tmp_path)
    pjson, pbed = _panel_files(case, tmp_path)
    sfile = case / "settings.json"
    if settings is not None:
        sfile = tmp_path / "settings.json"
        sfile.write_text(json.dumps(settings))
    out_tsv, out_json = tmp_path / "out.tsv", tmp_path / "out.json"
    args = [
        "prioritise", "--vcf", str(vcf), "--samples", str(case / "samples.tsv"),
        "--sample", (case / "proband.txt").read_text().strip(),
        "--panel-json", str(pjson), "--panel-bed", str(pbed), "--settings", str(sfile),
        "--out-tsv", str(out_tsv), "--out-json", str(out_json), *extra,
    ]  # fmt: skip
    if (case / "managed.tsv").exists():
        args += ["--managed", str(case / "managed.tsv")]
    assert cli.main(args) == 0
    return out_tsv.read_text(), json.loads(out_json.read_text())


def _run_case(case: str, tmp_path: Path, settings: dict | None = None) -> tuple[str, dict]:
    return run_case(CASES / case, tmp_path, settings)


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden(case: str, tmp_path: Path) -> None:
    tsv, _ = run_case(CASES / case, tmp_path)
    expected = CASES / case / "expected.tsv"
    if os.environ.get("HURTIG_UPDATE_GOLDEN"):
        expected.write_text(tsv)
    assert tsv == expected.read_text()


def test_genome_build_from_settings_or_command_line(tmp_path: Path) -> None:
    """grch37_par: the settings say GRCh37; the command line may say so too, not otherwise."""
    case = CASES / "grch37_par"
    expected = (case / "expected.tsv").read_text()
    plain: dict[str, object] = {"filters": {}, "ranking": {}}
    tsv, _ = run_case(case, tmp_path / "cli", plain, ("--genome-build", "GRCh37"))
    assert tsv == expected
    tsv38, _ = run_case(case, tmp_path / "38", plain)  # default GRCh38
    rows = {r["gene"]: r["inheritance"] for r in _rows(tsv38)}
    assert rows == {
        "EARLYGENE": "homozygous",
        "PARGENE": "x_linked_hemizygous,heterozygous_inherited_unaffected",
    }
    done = tmp_path / "cli"  # the first run's bgzipped VCF and resolved panel
    args = [
        "--vcf", str(done / "input.vcf.gz"), "--samples", str(case / "samples.tsv"),
        "--sample", "SON", "--panel-json", str(done / "panel.json"),
        "--panel-bed", str(done / "panel.bed"), "--settings", str(case / "settings.json"),
        "--out-tsv", str(tmp_path / "x.tsv"), "--out-json", str(tmp_path / "x.json"),
        "--genome-build", "GRCh38",
    ]  # fmt: skip
    with pytest.raises(InputError, match="--genome-build GRCh38 but the settings say GRCh37"):
        prioritise_cli.main(args)


def _rows(tsv: str) -> list[dict[str, str]]:
    lines = tsv.rstrip("\n").split("\n")
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def test_trio_labels(tmp_path: Path) -> None:
    tsv, doc = _run_case("trio_chr21", tmp_path)
    rows = {int(r["pos"]): r for r in _rows(tsv)}
    assert list(_rows(tsv)[0].keys()) == list(TSV_COLUMNS)
    # de novo London mutation first, with the documented explanation
    top = _rows(tsv)[0]
    assert top["pos"] == "25891784" and top["hgvs_c"] == "c.2149G>A"
    assert top["hgvs_p"] == "p.(Val717Ile)"
    assert top["inheritance"] == "de_novo"
    assert top["explanation"] == (
        "ClinVar pathogenic (0 stars); missense_variant in APP "
        "(p.(Val717Ile)); absent from gnomAD; de novo (parents 0/0, GQ ≥ 20, DP ≥ 10); "
        "fits AD panel inheritance"
    )
    # CSTB: one paternal, one maternal -> compound heterozygous in trans
    assert rows[43774702]["inheritance"] == "compound_heterozygous"
    assert rows[43774709]["inheritance"] == "compound_heterozygous"
    # JAM2: both hets from the father -> NOT compound heterozygous
    for pos in (25683900, 25693800):
        assert "compound" not in rows[pos]["inheritance"].replace("not compound", "")
        assert rows[pos]["inheritance"] == "heterozygous_inherited_unaffected"
        assert "in cis with" in rows[pos]["explanation"]
    assert rows[25698700]["inheritance"] == "homozygous"
    # filtered: common (25689900), low depth (25891796), outside the panel regions (43774645)
    assert not {25689900, 25891796, 43774645} & set(rows)
    assert doc["panel"]["id"] == "neuro_demo"
    assert doc["panel"]["missing_genes"][0]["symbol"] == "PSEN1"
    assert doc["variants"][0]["evidence"][0]["category"] == "clinvar"


def test_x_male_hemizygous(tmp_path: Path) -> None:
    tsv, _ = _run_case("x_male", tmp_path)
    rows = {int(r["pos"]): r for r in _rows(tsv)}
    assert rows[5001010]["inheritance"] == "x_linked_hemizygous"
    assert "fits XR panel inheritance" in rows[5001010]["explanation"]
    assert rows[5001010]["hgvs_c"] == "c.62C>T"
    # PAR1 is autosomal: a het from the unaffected father is not hemizygous
    assert rows[100100]["inheritance"] == "heterozygous_inherited_unaffected"
    assert 5000160 not in rows  # synonymous, dropped


def test_settings_override_and_unknown_key(tmp_path: Path) -> None:
    tsv, _ = _run_case("trio_chr21", tmp_path, {"filters": {"max_af_recessive": 0.5}})
    assert "25689900" not in {r["pos"] for r in _rows(tsv)}  # common now allowed, but synonymous
    with pytest.raises(InputError, match="unknown filters key"):
        FilterSettings.from_user({"max_af": 0.1})
    with pytest.raises(InputError, match="unknown ranking key"):
        ranking_settings({"bogus": 1})
    with pytest.raises(InputError, match="must be a number"):
        FilterSettings.from_user({"min_depth": "8"})


DEFAULT_FILTERS_KEEP = FilterSettings.from_user({}).keep_consequences


def test_keep_consequences_setting(tmp_path: Path) -> None:
    keep = [*DEFAULT_FILTERS_KEEP, "synonymous_variant"]
    tsv, _ = _run_case(
        "trio_chr21", tmp_path, {"filters": {"keep_consequences": keep, "max_af_recessive": 0.5}}
    )
    assert "25689900" in {r["pos"] for r in _rows(tsv)}


def test_sample_not_in_vcf(tmp_path: Path) -> None:
    d = CASES / "trio_chr21"
    vcf = _bgzip(d / "input.vcf", tmp_path)
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(
        "sample\tfamily\tfather\tmother\tsex\taffected\tpanels\nZZ\tF\t\t\tmale\ttrue\t\n"
    )
    with pytest.raises(InputError, match="not in the VCF"):
        prioritise(
            vcf,
            load_pedigree(sheet),
            "ZZ",
            ResolvedPanel.read(d / "panel.json"),
            read_bed(d / "panel.bed"),
            PrioritisationSettings.from_json({}),
        )


INFO_HEADER = (
    '##INFO=<ID=GNOMAD_AN,Number=1,Type=Integer,Description="gnomAD AN">\n'
    '##INFO=<ID=INHOUSE_AF,Number=A,Type=Float,Description="in-house AF">\n'
)


def _edited_case(tmp_path: Path, edits: dict[int, tuple[str, str]]) -> Path:
    """A copy of trio_chr21 with INFO substrings replaced per position ({pos: (old, new)})."""
    case = tmp_path / "case"
    tmp_path.mkdir(exist_ok=True)
    shutil.copytree(CASES / "trio_chr21", case)
    lines = []
    for line in (case / "input.vcf").read_text().splitlines(keepends=True):
        if line.startswith("#CHROM"):
            lines.append(INFO_HEADER)
        cols = line.split("\t")
        if not line.startswith("#") and int(cols[1]) in edits:
            old, new = edits[int(cols[1])]
            assert old in cols[7]
            cols[7] = cols[7].replace(old, new, 1)
        lines.append("\t".join(cols))
    (case / "input.vcf").write_text("".join(lines))
    return case


def _run_dir(case: Path, tmp_path: Path, managed: Path | None = None) -> tuple[str, dict]:
    vcf = _bgzip(case / "input.vcf", tmp_path)
    out_tsv, out_json = tmp_path / "o.tsv", tmp_path / "o.json"
    (tmp_path / "s.json").write_text('{"filters": {}, "ranking": {}}')
    args = [
        "--vcf", str(vcf), "--samples", str(case / "samples.tsv"), "--sample", "P1",
        "--panel-json", str(case / "panel.json"), "--panel-bed", str(case / "panel.bed"),
        "--settings", str(tmp_path / "s.json"), "--out-tsv", str(out_tsv),
        "--out-json", str(out_json),
    ]  # fmt: skip
    if managed is not None:
        args += ["--managed", str(managed)]
    assert prioritise_cli.main(args) == 0
    return out_tsv.read_text(), json.loads(out_json.read_text())


def test_managed_variant(tmp_path: Path) -> None:
    """A common synonymous variant on the lab's list passes frequency and consequence filters.

    The whole output is the golden case trio_chr21_managed (trio_chr21 plus managed.tsv).
    """
    plain, _ = _run_case("trio_chr21", tmp_path / "a")
    assert "25689900" not in plain
    tsv, doc = _run_case("trio_chr21_managed", tmp_path / "m")
    row = next(r for r in _rows(tsv) if r["pos"] == "25689900")
    assert row["explanation"].startswith(
        "lab-managed variant: likely pathogenic (lab case 2025-17 (splice effect shown by RNA))"
    )
    assert (
        "gnomAD 0.3 > 0.01 (AR/unknown limit), kept: lab-managed variant (likely pathogenic) "
        "passes the frequency filter" in row["explanation"]
    )
    assert doc["managed_variants"]["count"] == 2 and len(doc["managed_variants"]["sha256"]) == 64


def test_clinvar_rescue_needs_one_star(tmp_path: Path) -> None:
    common = ("CLINVAR_SIG=Pathogenic;", "GNOMAD_AF=0.05;CLINVAR_SIG=Pathogenic;")
    zero = _edited_case(tmp_path / "z", {25891784: common})
    tsv, _ = _run_dir(zero, tmp_path / "z")
    assert "25891784" not in tsv  # 0 stars: AF 0.05 > 0.005 (AD) drops it
    one = _edited_case(
        tmp_path / "o", {25891784: ("CLINVAR_STARS=0", "GNOMAD_AF=0.05;CLINVAR_STARS=1")}
    )
    tsv, _ = _run_dir(one, tmp_path / "o")
    row = next(r for r in _rows(tsv) if r["pos"] == "25891784")
    assert (
        "gnomAD 0.05 > 0.005 (AD/XD limit), kept: ClinVar pathogenic with 1 star passes the "
        "frequency filter" in row["explanation"]
    )


def test_min_an_and_inhouse(tmp_path: Path) -> None:
    freq = "GNOMAD_AF=0.0001;GNOMAD_POPMAX_AF=0.0003"
    low_an = _edited_case(tmp_path / "l", {25683900: (freq, "GNOMAD_AF=0.2;GNOMAD_AN=1000")})
    tsv, _ = _run_dir(low_an, tmp_path / "l")
    row = next(r for r in _rows(tsv) if r["pos"] == "25683900")
    assert "gnomAD AF 0.2, AN 1000 < 5000: not trusted" in row["explanation"]
    high_an = _edited_case(tmp_path / "h", {25683900: (freq, "GNOMAD_AF=0.2;GNOMAD_AN=100000")})
    assert "25683900" not in _run_dir(high_an, tmp_path / "h")[0]
    inhouse = _edited_case(tmp_path / "i", {25683900: (freq, f"{freq};INHOUSE_AF=0.2")})
    assert "25683900" not in _run_dir(inhouse, tmp_path / "i")[0]
    rare = _edited_case(tmp_path / "r", {25683900: (freq, f"{freq};INHOUSE_AF=0.01")})
    row = next(r for r in _rows(_run_dir(rare, tmp_path / "r")[0]) if r["pos"] == "25683900")
    assert "in-house AF 0.01" in row["explanation"]


def test_bad_managed_file(tmp_path: Path) -> None:
    bad = tmp_path / "m.tsv"
    bad.write_text("chrom\tpos\tref\talt\tclassification\tcomment\nchr1\t5\tA\tG\tnice\t\n")
    with pytest.raises(InputError, match="classification 'nice' not in"):
        load_managed(bad)
    bad.write_text("chrom\tpos\tref\n")
    with pytest.raises(InputError, match="header must be"):
        load_managed(bad)


# The result files' owner types (hurtig.prioritise.results) and the settings file


@pytest.mark.parametrize("case", ["trio_chr21", "trio_chr21_managed", "x_male"])
def test_json_round_trip_is_byte_identical(case: str, tmp_path: Path) -> None:
    run_case(CASES / case, tmp_path)
    written = (tmp_path / "out.json").read_bytes()
    results = PrioritisedResults.read(tmp_path / "out.json")
    results.write(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == written
    # the TSV is the table of the same variants
    assert results.table().text() == (tmp_path / "out.tsv").read_text()
    assert results.variants[0].rank == 1 and results.variants[0].evidence


@pytest.mark.parametrize("case", ["trio_chr21", "trio_chr21_managed", "x_male", "grch37_par"])
def test_tsv_round_trip_is_byte_identical(case: str, tmp_path: Path) -> None:
    expected = CASES / case / "expected.tsv"
    table = PrioritisedTable.read(expected)
    assert table.records()[0]["rank"] == "1"
    table.write(tmp_path / "again.tsv")
    assert (tmp_path / "again.tsv").read_bytes() == expected.read_bytes()


def test_affected_is_written_under_the_key_the_report_reads(tmp_path: Path) -> None:
    """The report renders its "Affected" row from the JSON's top-level ``affected``."""
    _, doc = run_case(CASES / "trio_chr21", tmp_path / "a")
    assert doc["affected"] is True
    assert list(doc)[:4] == ["sample", "family", "affected", "panel"]
    case = tmp_path / "case"
    shutil.copytree(CASES / "trio_chr21", case)
    sheet = case / "samples.tsv"
    sheet.write_text(sheet.read_text().replace("male\ttrue", "male\tfalse"))
    _, doc = run_case(case, tmp_path / "b")
    assert doc["affected"] is False
    results = PrioritisedResults.read(tmp_path / "b" / "out.json")
    assert results.affected is False
    replace(results, affected=True).write(tmp_path / "u.json")
    assert json.loads((tmp_path / "u.json").read_text())["affected"] is True


def test_settings_keep_the_users_number_types(tmp_path: Path) -> None:
    settings = {"filters": {"min_depth": 10, "max_af_recessive": 0.5}, "ranking": {"de_novo": 5}}
    _, doc = run_case(CASES / "trio_chr21", tmp_path, settings)
    assert doc["settings"]["filters"]["min_depth"] == 10
    assert isinstance(doc["settings"]["filters"]["min_depth"], int)
    assert doc["settings"]["ranking"]["de_novo"] == 5.0
    assert isinstance(doc["settings"]["ranking"]["homozygous"], int)  # a default weight
    text = (tmp_path / "out.json").read_text()
    assert '"de_novo": 5.0' in text and '"min_depth": 10,' in text
    PrioritisedResults.read(tmp_path / "out.json").write(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == text


def test_bad_files_are_input_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("rank\tchrom\n1\tchr1\n")
    with pytest.raises(InputError, match="header is not"):
        PrioritisedTable.read(bad)
    bad.write_text("\t".join(TSV_COLUMNS) + "\n1\tchr1\n")
    with pytest.raises(InputError, match="line 2 has 2 cells"):
        PrioritisedTable.read(bad)
    bad.write_text('{"sample": "S"}')
    with pytest.raises(InputError, match="cannot read prioritised JSON"):
        PrioritisedResults.read(bad)


def test_settings_file_keys_and_genome_build(tmp_path: Path) -> None:
    assert PrioritisationSettings.from_json({}).build(None).name == "GRCh38"
    s37 = PrioritisationSettings.from_json({"genome_build": "GRCh37"})
    assert s37.build(None).name == "GRCh37" and s37.build("GRCh37").name == "GRCh37"
    assert PrioritisationSettings.from_json({}).build("GRCh37").name == "GRCh37"
    with pytest.raises(InputError, match="settings say GRCh37"):
        s37.build("GRCh38")
    with pytest.raises(InputError, match="unknown genome build"):
        PrioritisationSettings.from_json({"genome_build": "hg19"})
    with pytest.raises(InputError, match="unknown top-level key 'filter'"):
        PrioritisationSettings.from_json({"filter": {}})
    path = tmp_path / "s.json"
    path.write_text("[]")
    with pytest.raises(InputError, match="expected a JSON object"):
        PrioritisationSettings.read(path)


def test_settings_file_round_trip(tmp_path: Path) -> None:
    """The settings file the workflow writes reads back as the settings it was made from."""
    filters, ranking = {"min_depth": 12, "use_popmax": False}, {"de_novo": 6}
    path = tmp_path / "settings.json"
    path.write_text(settings_file_text(filters, ranking))
    assert path.read_text() == (
        '{"filters": {"min_depth": 12, "use_popmax": false}, "ranking": {"de_novo": 6}}\n'
    )
    read = PrioritisationSettings.read(path)
    assert read == PrioritisationSettings.from_json({"filters": filters, "ranking": ranking})
    assert read.filters.to_json()["min_depth"] == 12 and read.ranking["de_novo"] == 6
