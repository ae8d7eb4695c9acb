"""The run model (hurtig.run.model.load_run): validated once, the same for workflow and check."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from hurtig.errors import InputError
from hurtig.genes.consequences import Severity
from hurtig.prioritise.filters import DEFAULT_FILTERS
from hurtig.prioritise.points import DEFAULT_RANKING
from hurtig.run import contig_names
from hurtig.run.genome_build import BUILDS, genome_build
from hurtig.run.model import load_run, load_run_file
from hurtig.run.pedigree import Sex, load_pedigree, pedigree_sheet
from hurtig.run.schemas import schema
from hurtig.run.sheets import check_path_text, check_readable

REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "config" / "config.yaml"


def demo_config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DEMO_CONFIG.read_text())
    return loaded


def test_demo_run_model() -> None:
    run = load_run_file(DEMO_CONFIG)
    assert list(run.samples) == ["proband", "father", "mother"]
    assert run.samples["proband"].father == "father" and run.samples["father"].sex == Sex.MALE
    assert run.families == ["demo"]
    assert run.family_samples(run.families[0]) == ["proband", "father", "mother"]
    assert len(run.units) == 3 and run.build.name == "GRCh38"
    fasta = run.path("reference", "fasta")
    assert fasta is not None and fasta.is_file()
    assert run.path("annotation", "inhouse") is None


def test_schema_declares_every_filter_and_ranking_key() -> None:
    """The config schema and the prioritisation defaults name the same keys (one source each)."""
    props = schema("config")["properties"]
    assert set(props["filters"]["properties"]) == set(DEFAULT_FILTERS)
    assert set(props["ranking"]["properties"]) == set(DEFAULT_RANKING)
    terms = props["filters"]["properties"]["keep_consequences"]["items"]["enum"]
    assert terms == [s.so_term for s in Severity]


@pytest.mark.parametrize(
    ("section", "settings", "message"),
    [
        ("filters", {"max_af": 0.01}, "filters: unknown key ('max_af' was unexpected)"),
        ("filters", {"min_depth": "eight"}, "filters.min_depth: 'eight' is not of type 'number'"),
        (
            "filters",
            {"keep_consequences": ["stop_gain"]},
            "filters.keep_consequences.0: 'stop_gain'",
        ),
        ("ranking", {"de_nov": 4}, "ranking: unknown key ('de_nov' was unexpected)"),
        ("ranking", {"de_novo": True}, "ranking.de_novo: True is not of type 'number'"),
    ],
)
def test_typo_in_settings_refused_at_parse_time(
    section: str, settings: dict[str, Any], message: str
) -> None:
    config = demo_config()
    config[section] = settings
    with pytest.raises(InputError) as err:
        load_run(config, DEMO_CONFIG)
    assert str(err.value).startswith(f"{DEMO_CONFIG}: {message}")


def test_missing_managed_variants_file(tmp_path: Path) -> None:
    config = demo_config()
    config["managed_variants"] = str(tmp_path / "nope.tsv")
    with pytest.raises(InputError, match="managed_variants not found"):
        load_run(config, DEMO_CONFIG)


def test_check_command_uses_the_run_model(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "hurtig", "check", str(DEMO_CONFIG)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0 and "OK (3 samples, 3 units)" in ok.stdout
    config = demo_config()
    config["ranking"] = {"de_nov": 4}
    for key in ("samples", "units"):
        config[key] = str(DEMO_CONFIG.parent / config[key])
    for key in ("fasta", "gff3"):
        config["reference"][key] = str((DEMO_CONFIG.parent / config["reference"][key]).resolve())
    for key in ("gnomad", "clinvar"):
        config["annotation"][key] = str((DEMO_CONFIG.parent / config["annotation"][key]).resolve())
    config["panels"] = str((DEMO_CONFIG.parent / config["panels"]).resolve())
    bad = tmp_path / "config.yaml"
    bad.write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [sys.executable, "-m", "hurtig", "check", str(bad)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"hurtig error: {bad}: ranking: unknown key ('de_nov' was unexpected)"
    ]


def test_pedigree_file_round_trip(tmp_path: Path) -> None:
    """The family pedigree the workflow writes reads back as the same persons, without panels."""
    run = load_run_file(DEMO_CONFIG)
    path = tmp_path / "ped.tsv"
    path.write_text(pedigree_sheet(run.samples.values()))
    back = load_pedigree(path)
    assert [p.sample for p in back.people] == list(run.samples)
    for person in back.people:
        original = run.samples[person.sample]
        assert (person.father, person.mother, person.sex, person.affected) == (
            original.father, original.mother, original.sex, original.affected,
        )  # fmt: skip
        assert person.panels == ()


def test_genome_build_facts() -> None:
    grch37, grch38 = genome_build("GRCh37"), genome_build(None)
    assert grch38.name == "GRCh38" and set(BUILDS) == {"GRCh37", "GRCh38"}
    # chrX:2,700,000 lies in the GRCh38 PAR1 but outside GRCh37's
    assert not grch38.is_x_nonpar("chrX", 2_700_000)
    assert grch37.is_x_nonpar("X", 2_700_000)
    assert not grch37.is_x_nonpar("chr1", 2_700_000)
    with pytest.raises(InputError, match="unknown genome build 'hg19'"):
        genome_build("hg19")


# --- contig names (hurtig.run.contig_names) and what is read at parse time ----------------------


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_fasta_headers_across_read_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compress: bool
) -> None:
    text = ">chr1 first\nACGTACGTAC\nACG\n>chr2\nAC\n>chrUn_KI270302v1 x\nA\n>last"
    path = tmp_path / "ref.fa"
    data = text.encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    names = ["chr1", "chr2", "chrUn_KI270302v1", "last"]
    for chunk in (1, 3, 7, 1 << 20):  # header lines cut at every place
        monkeypatch.setattr(contig_names, "_CHUNK", chunk)
        assert contig_names.fasta_headers(path) == names


def test_reference_contigs_prefer_a_fresh_fai(tmp_path: Path) -> None:
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">chr21\nACGT\n")
    fai = tmp_path / "ref.fa.fai"
    fai.write_text("chr21_from_fai\t4\t7\t4\t5\n")
    cache = contig_names.ContigCache(None)
    assert contig_names.reference_contigs(fasta, cache) == ["chr21_from_fai"]
    os.utime(fai, ns=(1, 1))  # older than the FASTA: not trusted
    assert contig_names.reference_contigs(fasta, cache) == ["chr21"]


def test_contig_cache_rescans_a_changed_file(tmp_path: Path) -> None:
    scans: list[Path] = []

    def scan(path: Path) -> list[str]:
        scans.append(path)
        return contig_names.fasta_headers(path)

    fasta = tmp_path / "ref.fa"
    fasta.write_text(">chr21\nACGT\n")
    cache = contig_names.ContigCache(tmp_path / "cache")
    assert cache.names(fasta, scan) == ["chr21"]
    assert contig_names.ContigCache(tmp_path / "cache").names(fasta, scan) == ["chr21"]
    assert len(scans) == 1  # the second parse read the cache
    fasta.write_text(">21\nACGTACGT\n")
    assert cache.names(fasta, scan) == ["21"] and len(scans) == 2


def test_gff3_contigs_from_pragmas_or_features(tmp_path: Path) -> None:
    with_pragmas = tmp_path / "a.gff3"
    with_pragmas.write_text(
        "##gff-version 3\n##sequence-region 21 1 100\n##sequence-region MT 1 50\n"
        "21\t.\tgene\t1\t5\t.\t+\t.\tID=g\n"
    )
    cache = contig_names.ContigCache(None)
    assert contig_names.gff3_contigs(with_pragmas, cache) == ["21", "MT"]
    features = tmp_path / "b.gff3.gz"
    features.write_bytes(
        gzip.compress(
            b"##gff-version 3\nchr2\t.\tgene\t1\t5\t.\t+\t.\tID=a\n###\n"
            b"chr1\t.\tgene\t1\t5\t.\t+\t.\tID=b\nchr2\t.\tgene\t9\t12\t.\t+\t.\tID=c\n"
            b"##FASTA\n>chr9\nACGT\n"
        )
    )
    assert contig_names.gff3_contigs(features, cache) == ["chr2", "chr1"]


def test_renamed_contigs_suggest_the_map() -> None:
    reference = {"chr1", "chr21", "chrM", "chrX"}
    names = ["1", "21", "MT", "X", "GL000192.1", "chr1"]
    assert contig_names.renamed_contigs(names, reference, {}) == {
        "1": "chr1", "21": "chr21", "MT": "chrM", "X": "chrX",
    }  # fmt: skip
    either_way = {"chr21": "21", "MT": "chrM"}  # a pair is read in both directions
    assert contig_names.renamed_contigs(names, reference, either_way) == {
        "1": "chr1", "X": "chrX",
    }  # fmt: skip
    assert contig_names.renamed_contigs(["21"], reference, {"21": "chr12"}) == {"21": "chr21"}
    assert contig_names.renamed_contigs(["chr21"], {"21"}, {}) == {"chr21": "21"}


@pytest.mark.parametrize(
    "path",
    ["/data/run 7/(copy)/kid_R1.fq.gz", "/données/été/a+b,c=d@e~f:g#h%i!j[k].fq.gz"],
)
def test_path_text_accepted(path: str) -> None:
    check_path_text("here", path)


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/a/{sample}.fq.gz", "'{'"),
        ("/a/b}.fq.gz", "'}'"),
        ("/a/$(touch x).fq.gz", "'$'"),
        ("/a/`id`.fq.gz", "'`'"),
        ("/a/x.fq.gz;rm", "';'"),
        ("/a/x|y", "'|'"),
        ("/a/x&y", "'&'"),
        ("/a/x>y", "'>'"),
        ("/a/x<y", "'<'"),
        ("/a/x\\y", "'\\'"),
        ("/a/it's", '"\'"'),
        ('/a/"x"', "'\"'"),
        ("/a/*.fq.gz", "'*'"),
        ("/a/?.fq.gz", "'?'"),
        ("/a/x\ny", "a newline (U+000A)"),
        ("/a/x\ty", "a tab (U+0009)"),
        ("/a/x\ry", "a carriage return (U+000D)"),
        ("/a/x\x00y", "the invisible character U+0000"),
        ("/a/x\u200by", "the invisible character U+200B"),
        ("/a/x\u2029y", "the invisible character U+2029"),
    ],
)
def test_path_text_refused(path: str, named: str) -> None:
    with pytest.raises(InputError) as err:
        check_path_text("sheet: row 2: column 'fq1'", path)
    message = str(err.value)
    assert message.startswith("sheet: row 2: column 'fq1': path ")
    assert f" contains {named}; rename or link the file" in message
    assert "\n" not in message and "\t" not in message and "\r" not in message


def test_check_readable(tmp_path: Path) -> None:
    path = tmp_path / "x.fq.gz"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"^here: file is empty: "):
        check_readable("here", path, None)
    path.write_bytes(b"@r\nA\n+\nI\n")
    check_readable("here", path, None)
    with pytest.raises(InputError, match=r"^here: not gzip"):
        check_readable("here", path, ((b"\x1f\x8b",), "not gzip"))
    with pytest.raises(InputError, match=r"^here: cannot read .* \(Is a directory\)"):
        check_readable("here", tmp_path, None)


def test_job_processes_skip_reading_files(tmp_path: Path) -> None:
    """check_contents=False (jobs Snakemake starts itself) reads no file but checks paths."""
    config = demo_config()
    config["samples"] = str(DEMO_CONFIG.parent / "samples.tsv")
    config["units"] = str(tmp_path / "units.tsv")
    for key in ("fasta", "gff3"):
        config["reference"][key] = str((DEMO_CONFIG.parent / config["reference"][key]).resolve())
    for key in ("gnomad", "clinvar"):
        config["annotation"][key] = str((DEMO_CONFIG.parent / config["annotation"][key]).resolve())
    config["panels"] = str((DEMO_CONFIG.parent / config["panels"]).resolve())
    rows = ["sample\tunit\tfq1\tfq2\tplatform\tlibrary"]
    for name in ("proband", "father", "mother"):
        for read in (1, 2):
            (tmp_path / f"{name}_{read}.fq.gz").write_bytes(b"")  # empty: refused when read
        rows.append(f"{name}\tL1\t{name}_1.fq.gz\t{name}_2.fq.gz\tILLUMINA\tlib")
    (tmp_path / "units.tsv").write_text("\n".join(rows) + "\n")
    config_file = tmp_path / "config.yaml"
    assert len(load_run(config, config_file, check_contents=False).units) == 3
    with pytest.raises(InputError, match="file is empty"):
        load_run(config, config_file)
    config["annotation"]["cache_dir"] = "cache/{family}"
    with pytest.raises(InputError, match=r"contains '\{'"):
        load_run(config, config_file, check_contents=False)
