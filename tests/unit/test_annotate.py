"""Tests for hurtig.annotation.engine and its CLI (gnomAD/ClinVar merge-join annotation)."""

from __future__ import annotations

from pathlib import Path

import pysam
import pytest
from cyvcf2 import VCF

from hurtig.annotation.cli import main
from hurtig.annotation.contigs import parse_contig_map
from hurtig.annotation.engine import annotate
from hurtig.annotation.keys import trim_alleles
from hurtig.annotation.sources.clinvar import clinvar_stars
from hurtig.annotation.sources.gnomad import GnomadSource
from hurtig.annotation.sources.scores import ScoreSource, score_from_config
from hurtig.errors import InputError, run_cli
from hurtig.io.files import sha256_file

CLINVAR_2026 = (
    Path(__file__).resolve().parents[1] / "data/clinvar2026/clinvar_20260226_chr17_slice.vcf.gz"
)
GNOMAD_V2_KEYS = ("AF", "AF_afr", "AF_amr", "AF_asj", "AF_eas", "AF_fin", "AF_nfe", "AF_sas")


def write_vcf(path: Path, contigs: list[str], info_lines: list[str], records: list[str]) -> Path:
    """Write a sites VCF (records are tab-joined CHROM..INFO), bgzip and tabix it."""
    lines = ["##fileformat=VCFv4.2"]
    lines += [f"##contig=<ID={c},length=100000000>" for c in contigs]
    lines += info_lines
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    lines += records
    plain = path.with_suffix("")  # x.vcf.gz -> x.vcf
    plain.write_text("\n".join(lines) + "\n")
    pysam.tabix_index(str(plain), preset="vcf", force=True)
    return path


def info_line(key: str, number: str, typ: str) -> str:
    return f'##INFO=<ID={key},Number={number},Type={typ},Description="{key}">'


def rec(chrom: str, pos: int, ref: str, alt: str, info: str = ".", vid: str = ".") -> str:
    return "\t".join([chrom, str(pos), vid, ref, alt, ".", ".", info])


@pytest.fixture
def calls(tmp_path: Path) -> Path:
    records = [
        rec("chr1", 100, "A", "G"),  # exact match in gnomAD
        rec("chr1", 200, "C", "T"),  # gnomAD has C>A here only
        rec("chr1", 300, "G", "C"),  # second ALT of a multiallelic gnomAD record
        rec("chr1", 400, "T", "A"),  # absent from gnomAD
        rec("chr1", 500, "CAG", "C"),  # deletion, multiallelic padded in gnomAD
        rec("chr2", 50, "A", "T"),  # ClinVar, conflicting
        rec("chr2", 60, "G", "A"),  # ClinVar, expert panel
        rec("chr2", 70, "T", "C"),  # ClinVar, no revstat
    ]
    return write_vcf(tmp_path / "calls.vcf.gz", ["chr1", "chr2"], [], records)


@pytest.fixture
def gnomad(tmp_path: Path) -> Path:
    infos = [info_line(k, "A", "Float") for k in GNOMAD_V2_KEYS]
    infos += [info_line("AC", "A", "Integer"), info_line("AN", "1", "Integer")]
    infos += [info_line("nhomalt", "A", "Integer")]
    pops = "AF_afr=0.1;AF_amr=0.2;AF_asj=0.9;AF_eas=0.05;AF_fin=0.8;AF_nfe=0.3;AF_sas=0"
    records = [
        rec("chr1", 100, "A", "G", f"AF=0.25;AC=25;AN=100;nhomalt=3;{pops}"),
        rec("chr1", 200, "C", "A", "AF=0.5;AC=50;AN=100"),
        rec("chr1", 300, "G", "T,C", "AF=0.01,0.02;AC=1,2;AN=100;nhomalt=0,1;AF_nfe=0.011,0.03"),
        rec("chr1", 500, "CAGAG", "CAG,C", "AF=0.001,0.004;AC=1,4;AN=1000"),
    ]
    return write_vcf(tmp_path / "gnomad.vcf.gz", ["chr1", "chr2"], infos, records)


@pytest.fixture
def clinvar(tmp_path: Path) -> Path:
    infos = [info_line(k, ".", "String") for k in ("CLNSIG", "CLNREVSTAT", "CLNDN")]
    records = [
        rec(
            "chr2", 50, "A", "T",
            "CLNSIG=Conflicting_classifications_of_pathogenicity;"
            "CLNREVSTAT=criteria_provided,_conflicting_classifications;CLNDN=Disease_A|not_provided",
            vid="1234",
        ),
        rec(
            "chr2", 60, "G", "A",
            "CLNSIG=Pathogenic;CLNREVSTAT=reviewed_by_expert_panel;CLNDN=Lynch_syndrome",
            vid="5678",
        ),
        rec("chr2", 70, "T", "C", "CLNSIG=Likely_benign", vid="91011"),
    ]  # fmt: skip
    return write_vcf(tmp_path / "clinvar.vcf.gz", ["chr2"], infos, records)


def read_out(path: Path) -> dict[tuple[str, int, str, str], dict[str, object]]:
    out = {}
    for v in VCF(str(path)):
        out[(v.CHROM, v.POS, v.REF, v.ALT[0])] = dict(v.INFO)
    return out


def test_gnomad_and_clinvar(tmp_path: Path, calls: Path, gnomad: Path, clinvar: Path) -> None:
    out = tmp_path / "out" / "annotated.vcf.gz"
    out.parent.mkdir()
    counts = annotate(calls, out, gnomad=gnomad, clinvar=clinvar)
    assert counts == {"records": 8, "gnomad_hits": 3, "clinvar_hits": 3}
    assert Path(f"{out}.tbi").is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "annotated.vcf.gz",
        "annotated.vcf.gz.tbi",
    ]
    got = read_out(out)

    exact = got[("chr1", 100, "A", "G")]
    assert exact["GNOMAD_AF"] == pytest.approx(0.25)
    assert (exact["GNOMAD_AC"], exact["GNOMAD_AN"], exact["GNOMAD_NHOMALT"]) == (25, 100, 3)
    # popmax over afr/amr/eas/nfe/sas: asj (0.9) and fin (0.8) are excluded
    assert exact["GNOMAD_POPMAX_AF"] == pytest.approx(0.3)
    assert exact["GNOMAD_POPMAX"] == "nfe"

    assert not any(k.startswith("GNOMAD") for k in got[("chr1", 200, "C", "T")])
    assert not any(k.startswith("GNOMAD") for k in got[("chr1", 400, "T", "A")])

    multi = got[("chr1", 300, "G", "C")]
    assert multi["GNOMAD_AF"] == pytest.approx(0.02)
    assert (multi["GNOMAD_AC"], multi["GNOMAD_AN"], multi["GNOMAD_NHOMALT"]) == (2, 100, 1)
    assert multi["GNOMAD_POPMAX_AF"] == pytest.approx(0.03)

    deletion = got[("chr1", 500, "CAG", "C")]  # CAGAG>CAG trims to CAG>C
    assert deletion["GNOMAD_AF"] == pytest.approx(0.001)
    assert "GNOMAD_NHOMALT" not in deletion  # absent in the source -> absent here
    assert "GNOMAD_POPMAX_AF" not in deletion

    conflicting = got[("chr2", 50, "A", "T")]
    assert conflicting["CLINVAR_SIG"] == "Conflicting_classifications_of_pathogenicity"
    assert conflicting["CLINVAR_REVSTAT"] == "criteria_provided,_conflicting_classifications"
    assert conflicting["CLINVAR_STARS"] == 1
    assert conflicting["CLINVAR_ID"] == "1234"
    assert conflicting["CLINVAR_DN"] == "Disease_A|not_provided"
    assert got[("chr2", 60, "G", "A")]["CLINVAR_STARS"] == 3
    no_revstat = got[("chr2", 70, "T", "C")]
    assert no_revstat["CLINVAR_SIG"] == "Likely_benign"
    assert "CLINVAR_STARS" not in no_revstat and "CLINVAR_REVSTAT" not in no_revstat

    header = VCF(str(out)).raw_header
    assert (
        f'##hurtig_source=<ID=gnomad,File="gnomad.vcf.gz",Version="unknown",'
        f'SHA256={sha256_file(gnomad)},Keys="GNOMAD_AF,GNOMAD_AC,' in header
    )
    assert '##hurtig_source=<ID=clinvar,File="clinvar.vcf.gz"' in header
    assert "##INFO=<ID=CLINVAR_STARS,Number=1,Type=Integer" in header


def test_seeking_gives_same_result(tmp_path: Path, calls: Path, gnomad: Path) -> None:
    a, b = tmp_path / "a.vcf.gz", tmp_path / "b.vcf.gz"
    annotate(calls, a, gnomad=gnomad, seek_records=0)  # re-open at every jump
    annotate(calls, b, gnomad=gnomad, seek_records=10**9)  # always stream
    assert read_out(a) == read_out(b)


def test_source_popmax_field_preferred(tmp_path: Path) -> None:
    calls = write_vcf(tmp_path / "c.vcf.gz", ["1"], [], [rec("1", 10, "A", "C")])
    infos = [info_line(k, "A", "Float") for k in ("AF", "AF_grpmax", "AF_afr")]
    infos.append(info_line("grpmax", "A", "String"))
    src = write_vcf(
        tmp_path / "g.vcf.gz",
        ["1"],
        infos,
        [rec("1", 10, "A", "C", "AF=0.1;AF_grpmax=0.4;grpmax=mid;AF_afr=0.2")],
    )
    out = tmp_path / "o.vcf.gz"
    annotate(calls, out, gnomad=src)
    info = read_out(out)[("1", 10, "A", "C")]
    assert info["GNOMAD_POPMAX_AF"] == pytest.approx(0.4)
    assert info["GNOMAD_POPMAX"] == "mid"


def test_contig_naming_mismatch(tmp_path: Path, calls: Path) -> None:
    infos = [info_line("CLNSIG", ".", "String"), info_line("CLNREVSTAT", ".", "String")]
    plain = write_vcf(
        tmp_path / "clinvar.vcf.gz",
        ["1", "2"],
        infos,
        [rec("2", 60, "G", "A", "CLNSIG=Pathogenic;CLNREVSTAT=practice_guideline", "42")],
    )
    with pytest.raises(InputError, match=r"contig naming differs: input uses chr1, clinvar\.vcf"):
        annotate(calls, tmp_path / "x.vcf.gz", clinvar=plain)
    assert not (tmp_path / "x.vcf.gz").exists()

    out = tmp_path / "mapped.vcf.gz"
    annotate(calls, out, clinvar=plain, contig_map={"chr1": "1", "chr2": "2"})
    info = read_out(out)[("chr2", 60, "G", "A")]
    assert info["CLINVAR_STARS"] == 4
    assert info["CLINVAR_ID"] == "42"


def test_cli_exit_codes(
    tmp_path: Path, calls: Path, gnomad: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.vcf.gz"
    assert run_cli(main, ["--vcf", str(calls), "--out", str(out), "--gnomad", str(gnomad)]) == 0
    assert out.is_file() and Path(f"{out}.tbi").is_file()
    unindexed = tmp_path / "plain.vcf"
    unindexed.write_text("##fileformat=VCFv4.2\n")
    args = ["--vcf", str(calls), "--out", str(out), "--gnomad", str(unindexed)]
    assert run_cli(main, args) == 2
    assert "plain.vcf" in capsys.readouterr().err


def test_multiallelic_input_rejected(tmp_path: Path, gnomad: Path) -> None:
    calls = write_vcf(tmp_path / "m.vcf.gz", ["chr1"], [], [rec("chr1", 100, "A", "G,T")])
    with pytest.raises(InputError, match="bcftools norm"):
        annotate(calls, tmp_path / "o.vcf.gz", gnomad=gnomad)


@pytest.mark.parametrize(
    ("revstat", "stars"),
    [
        ("practice_guideline", 4),
        ("reviewed_by_expert_panel", 3),
        ("criteria_provided,_multiple_submitters,_no_conflicts", 2),
        ("criteria_provided,_conflicting_classifications", 1),
        ("criteria_provided,_conflicting_interpretations", 1),
        ("criteria_provided,_single_submitter", 1),
        ("no_assertion_criteria_provided", 0),
        ("no_classification_provided", 0),
        ("no_assertion_provided", 0),
        (None, None),
        ("something_new", None),
    ],
)
def test_clinvar_stars(revstat: str | None, stars: int | None) -> None:
    assert clinvar_stars(revstat) == stars


def test_trim_and_contig_map(tmp_path: Path) -> None:
    assert trim_alleles(10, "CAAG", "CA") == (11, "AAG", "A")
    assert trim_alleles(10, "CAGAG", "CAG") == (10, "CAG", "C")
    assert trim_alleles(10, "A", "ATT") == (10, "A", "ATT")
    assert trim_alleles(10, "AC", "AT") == (11, "C", "T")
    table = tmp_path / "map.txt"
    table.write_text("chr1 1\nchr2\t2\n")
    assert parse_contig_map(["chrX=X", str(table)]) == {"chrX": "X", "chr1": "1", "chr2": "2"}
    with pytest.raises(InputError):
        parse_contig_map(["nonsense"])


def test_real_clinvar_2026(tmp_path: Path) -> None:
    wanted: list[tuple[str, int, str, str, str, str]] = []
    revstats_seen: set[str] = set()
    with pysam.TabixFile(str(CLINVAR_2026)) as tbx:
        for line in tbx.fetch("17"):
            chrom, pos, vid, ref, alt, _, _, info = line.split("\t")[:8]
            fields = dict(item.partition("=")[::2] for item in info.split(";"))
            revstat = fields.get("CLNREVSTAT", "")
            if "," in alt or revstat in revstats_seen or alt.startswith("<"):
                continue
            revstats_seen.add(revstat)
            wanted.append((chrom, int(pos), vid, ref, alt, revstat))
            if len(wanted) == 6:
                break
    assert any(w[5] == "reviewed_by_expert_panel" for w in wanted)
    wanted.sort(key=lambda w: w[1])
    contig_header = ["##contig=<ID=chr17,length=83257441>"]
    calls = write_vcf(
        tmp_path / "calls.vcf.gz",
        [],
        contig_header,
        [rec("chr17", p, r, a) for _, p, _, r, a, _ in wanted],
    )
    with pytest.raises(InputError, match="contig naming differs: input uses chr17"):
        annotate(calls, tmp_path / "x.vcf.gz", clinvar=CLINVAR_2026)
    out = tmp_path / "real.vcf.gz"
    counts = annotate(calls, out, clinvar=CLINVAR_2026, contig_map={"chr17": "17"})
    assert counts["clinvar_hits"] == len(wanted)
    got = read_out(out)
    for _, pos, vid, ref, alt, revstat in wanted:
        info = got[("chr17", pos, ref, alt)]
        assert info["CLINVAR_ID"] == vid
        assert info.get("CLINVAR_REVSTAT") == (revstat or None)
        assert info.get("CLINVAR_STARS") == clinvar_stars(revstat)
        if revstat == "reviewed_by_expert_panel":
            assert info["CLINVAR_STARS"] == 3


@pytest.mark.parametrize(
    "info",
    [
        "AF=0.25;AC=25;AN=100;nhomalt=3;AF_afr=0.1;AF_nfe=0.3;AF_sas=0",  # computed popmax
        "AF=1e-5;AC=1.6;AN=100;AF_afr=0;AF_nfe=0",  # float/int normalised, popmax 0
        "AF=0.1;AF=0.2;AC;AN=.;faf95=;fafmax_faf95_max=0.05",  # duplicate, flag, missing
        "AF=0.1;AF_grpmax=0.4;grpmax=mid;AF_afr=0.9",  # the source's own grpmax wins
        "AF_grpmax;AF_afr=0.9",  # grpmax key present as a flag: no popmax at all
        "AF=0.1,0.2;AC=3",  # a comma in a used value: general path
        "AF=0.3;grpmax=a b;AF_grpmax=0.3;" + "vep=" + "x|" * 400,  # long INFO, unsafe text
        ".",
    ],
)
def test_gnomad_fast_path_matches_general_path(tmp_path: Path, info: str) -> None:
    infos = [info_line(k, "A", "Float") for k in ("AF", "AF_afr", "AF_nfe", "AF_sas")]
    src = write_vcf(tmp_path / "g.vcf.gz", ["1"], infos, [rec("1", 10, "A", "C")])
    source = GnomadSource("gnomad", src, {})
    for line in (rec("1", 10, "A", "C", info), rec("1", 10, "A", "C", info) + "\tGT\t0/1"):
        general = source.values(source.record(line), 0)
        fast = source.fast_values(line)
        if "," in info.split(";")[0]:
            assert fast is None
        else:
            assert fast == general
    multi = rec("1", 10, "A", "C,G", "AF=0.1,0.2")
    assert source.fast_values(multi) is None


def test_score_tsv_fast_path_matches_general_path(tmp_path: Path) -> None:
    path = tmp_path / "s.tsv"
    path.write_text("#Chrom\tPos\tRef\tAlt\tPHRED\tTAG\nchr1\t100\tA\tC\t2.5\tx\n")
    tsv = pysam.tabix_index(str(path), seq_col=0, start_col=1, end_col=1, meta_char="#")
    fields = [
        {"column": "PHRED", "info": "S_PHRED", "type": "Float"},
        {"column": "TAG", "info": "S_TAG", "type": "String"},
    ]
    spec = score_from_config({"name": "s", "file": tsv, "fields": fields}, tmp_path)
    source = ScoreSource(spec, {})
    rows = [
        "chr1\t100\tA\tC\t2.5\tx",
        "chr1\t100\tA\tC\tNA\ta;b=c d",  # missing score, unsafe text cleaned
        "chr1\t100\tA\tC\tnan\t.",
        "chr1\t100\tA\tC\t2.5\tx",  # memoised now
    ]
    for row in rows:
        assert source.fast_values(row) == source.values(source.record(row), 0)
    assert source.fast_values("chr1\t100\tA\tC,G\t2.5\tx") is None  # multiallelic: general path
    assert source.fast_values("chr1\t100\tA\tC\tbad\tx") is None  # the general path reports it
    with pytest.raises(InputError, match="not Float"):
        source.values(source.record("chr1\t100\tA\tC\tbad\tx"), 0)
