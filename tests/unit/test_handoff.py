"""The ELLA and Scout hand-off files, checked against the layouts and parsers of those tools.

Inputs are tiny: a trio VCF (fgpyo builder) with the demo's planted variants and their real
``BCSQ`` entries, the demo gene model and chr21 sequence, a pedigree sheet and prioritised
results built through their owner type. What each check stands for:

- ELLA (``src/vardb/watcher/analysis_watcher.py``, ``deposit/analysis_config.py``,
  ``deposit/importers.py``, ``annotationconverters/vepconverter.py`` of ELLA): a folder with
  ``READY``; exactly one ``.analysis`` JSON with the five required keys and no others; its data
  entry names a VCF and a PED in the folder; the PED has seven tab-separated fields with one
  proband; CSQ's field list follows ``Format: `` and each entry has ``Feature_type=Transcript``,
  an ``ENST``/``NM_`` feature, an integer ``STRAND`` and ``HGNC_ID``.
- Scout (``scout/parse/variant/{rank_score,models,compound,clnsig,transcript}.py``,
  ``scout/models/case/case_loading_models.py``): ``RankScore``/``GeneticModels``/``Compounds``
  as ``family:value``; ``CLNVID`` an integer; CSQ fields by Scout's upper-cased names; HGVS with
  a ``:``; the load config's required keys, enums, parents and existing absolute paths.
"""

from __future__ import annotations

import dataclasses
import json
import re
import stat
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from cyvcf2 import VCF

from builders.checks import example_checks as checks_example
from builders.reference import write_bed
from builders.sheets import SampleSheet
from builders.vcf import Call, VcfBuilder
from hurtig.errors import InputError
from hurtig.genes.consequences import Severity
from hurtig.handoff import ella, scout
from hurtig.handoff.vcf_keys import CSQ_FIELDS, vep_allele
from hurtig.prioritise.filters import FilterSettings
from hurtig.prioritise.points import Evidence, ranking_settings
from hurtig.prioritise.results import (
    ManagedSummary,
    PanelGeneSummary,
    PanelSummary,
    PrioritisedResults,
    PrioritisedVariant,
)
from hurtig.run.pedigree import load_ped

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
GFF3 = DEMO / "annotation" / "genes.gff3.gz"
FASTA = DEMO / "reference" / "chr21.fa.gz"
APP = ("chr21", 25891784, "C", "T")
JAM2_A = ("chr21", 25693776, "G", "T")
JAM2_B = ("chr21", 25698708, "CT", "C")
OUTSIDE = ("chr21", 40000000, "A", "G")
BCSQ = {
    APP: "missense|APP|ENST00000346798|protein_coding|-|717V>717I|25891784C>T",
    JAM2_A: "stop_gained|JAM2|ENST00000480456|protein_coding|+|88E>88*|25693776G>T",
    JAM2_B: "frameshift|JAM2|ENST00000480456|protein_coding|+|142PSS..>142PLLL*|25698708CT>C",
}
GENOTYPES = {APP: ("0/1", "0/0", "0/0"), JAM2_A: ("0/1", "0/1", "0/0")}
GENOTYPES |= {JAM2_B: ("0/1", "0/0", "0/1"), OUTSIDE: ("0/1", "0/1", "0/0")}

# ELLA's analysis config, as its deposit code validates it (required keys, no others).
ELLA_ANALYSIS_SCHEMA = {
    "type": "object",
    "required": ["name", "genepanel_name", "genepanel_version", "priority", "data"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "genepanel_name": {"type": "string"},
        "genepanel_version": {"type": "string"},
        "priority": {"type": "integer"},
        "date_requested": {"type": ["string", "null"]},
        "date_analysis_requested": {"type": ["string", "null"]},
        "report": {"type": ["string", "null"]},
        "warnings": {"type": ["string", "null"]},
        "data": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["vcf", "technology"],
                "additionalProperties": False,
                "properties": {
                    "vcf": {"type": "string"},
                    "ped": {"type": ["string", "null"]},
                    "technology": {"type": "string"},
                    "callerName": {"type": "string"},
                },
            },
        },
    },
}
# ELLA's own folder-name pattern (used when a folder has no .analysis file).
ELLA_FOLDER = re.compile(r"(?P<name>.+[.-](?P<panel>.+)[-_](?P<version>.+))")
SCOUT_ANALYSIS_TYPES = {"external", "mixed", "ogm", "panel", "panel-lr", "panel-umi"}
SCOUT_ANALYSIS_TYPES |= {"unknown", "wes", "wgs", "wgs-lr", "wts"}
SCOUT_CSQ_KEYS = {"FEATURE", "SYMBOL", "HGNC_ID", "CONSEQUENCE", "BIOTYPE", "EXON", "INTRON"}
SCOUT_CSQ_KEYS |= {"STRAND", "HGVSC", "HGVSP", "CANONICAL", "ALLELE", "GENE"}


def _vcf(tmp_path: Path) -> Path:
    builder = VcfBuilder(samples=("kid", "dad", "mum"), contigs={"chr21": 46_709_983})
    for key, gts in GENOTYPES.items():
        info: dict[str, object] = {"BCSQ": BCSQ[key]} if key in BCSQ else {}
        if key == APP:
            info |= {"CLINVAR_SIG": "Pathogenic", "CLINVAR_ID": "18091"}
            info |= {"CLINVAR_REVSTAT": "criteria_provided,_multiple_submitters"}
        calls = {
            s: Call(gt, ad=(10, 10), dp=20, gq=60)
            for s, gt in zip(("kid", "dad", "mum"), gts, strict=True)
        }
        builder.add(key[0], key[1], key[2], key[3], calls=calls, info=info, filters="PASS")
    return builder.to_path(tmp_path / "fam.vcf.gz")


def _variant(
    key: tuple[str, int, str, str], rank: int, score: float, inh: str
) -> PrioritisedVariant:
    gene = "APP" if key == APP else "JAM2"
    return PrioritisedVariant(
        rank=rank, chrom=key[0], pos=key[1], ref=key[2], alt=key[3], gene=gene,
        transcript="ENST1", hgvs_c="", hgvs_p="", consequence="", genotype="0/1", depth=20,
        allele_balance=0.5, gnomad_af=None, clinvar="", inheritance=inh, score=score,
        explanation="", gq=60, gnomad_popmax_af=None, clinvar_stars=None, family_genotypes="",
        panel_inheritance="AD", panel_id="neuro_demo", panel_version="1.0", gnomad_an=None,
        inhouse_af=None, managed="", evidence=(Evidence("consequence", 5, "missense"),),
    )  # fmt: skip


def _results(tmp_path: Path, family: str = "fam") -> Path:
    panel = PanelSummary(
        id="neuro_demo", version="1.0", display_name="Neuro demo", sha256="ab" * 32,
        genes=(PanelGeneSummary("APP", "620", "ENST00000346798", "AD"),
               PanelGeneSummary("JAM2", "14686", "ENST00000480456", "AR", transcript_note=
                                "panel transcript NM_1 not found; MANE Select used")),
        missing_genes=({"symbol": "EPM2A", "hgnc_id": "", "reason": "not in the gene model"},),
    )  # fmt: skip
    variants = (
        _variant(APP, 1, 14.5, "de_novo"),
        _variant(JAM2_A, 2, 11.0, "compound_heterozygous"),
        _variant(JAM2_B, 3, 9.4, "compound_heterozygous"),
    )
    results = PrioritisedResults(
        sample="kid", family=family, affected=True, panel=panel,
        managed_variants=ManagedSummary(None, None, 0), filters=FilterSettings.from_user({}),
        ranking=ranking_settings({}), variants=variants,
    )  # fmt: skip
    path = tmp_path / "kid.neuro_demo.json"
    results.write(path)
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    bed = write_bed(
        tmp_path / "panel.bed",
        [("chr21", 25_600_000, 25_900_000, "JAM2|ENST00000480456|exon1", 0, "+")],
    )
    return {
        "vcf": _vcf(tmp_path),
        "samples": SampleSheet.trio(panels=("neuro_demo",)).to_path(tmp_path / "fam.tsv"),
        "results": _results(tmp_path),
        "bed": bed,
    }


def _csq(variant: object, fields: list[str]) -> list[dict[str, str]]:
    raw = variant.INFO.get("CSQ")  # type: ignore[attr-defined]
    return [dict(zip(fields, entry.split("|"), strict=True)) for entry in raw.split(",")]


def _csq_fields(vcf: VCF) -> list[str]:
    return vcf.get_header_type("CSQ")["Description"].strip('"').split("Format: ", 1)[1].split("|")


def _not_readable_by_others(path: Path) -> None:
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        assert not item.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO), item


def _write_ella(inputs: dict[str, Path], out: Path, sample: str = "kid") -> int:
    return ella.main([
        "--vcf", str(inputs["vcf"]), "--samples", str(inputs["samples"]), "--sample", sample,
        "--results", str(inputs["results"]), "--panel-bed", str(inputs["bed"]),
        "--gff3", str(GFF3), "--fasta", str(FASTA), "--out", str(out),
    ])  # fmt: skip


def test_ella_folder_follows_the_import_layout(inputs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "ella"
    assert _write_ella(inputs, out) == 0
    (folder,) = out.iterdir()
    name = "kid-neuro_demo_1.0"
    assert folder.name == name
    files = {p.name for p in folder.iterdir()}
    assert files == {f"{name}.analysis", f"{name}.vcf", f"{name}.ped", "warnings.txt", "READY"}
    config = json.loads((folder / f"{name}.analysis").read_text())
    jsonschema.validate(config, ELLA_ANALYSIS_SCHEMA)
    assert "params" not in config  # not ELLA's legacy form, which splits "neuro_demo" on "_"
    assert (config["name"], config["genepanel_name"], config["genepanel_version"]) == (
        name, "neuro_demo", "1.0",
    )  # fmt: skip
    match = ELLA_FOLDER.fullmatch(folder.name)
    assert match and (match["panel"], match["version"]) == ("neuro_demo", "1.0")
    (data,) = config["data"]
    assert (folder / data["vcf"]).is_file() and (folder / data["ped"]).is_file()
    assert (folder / "READY").read_text() == ""
    warnings = (folder / "warnings.txt").read_text()
    assert "Gene EPM2A of panel neuro_demo 1.0 was not analysed" in warnings
    assert "JAM2: panel transcript NM_1 not found" in warnings
    _not_readable_by_others(folder)


def test_ella_ped_and_vcf_import(inputs: dict[str, Path], tmp_path: Path) -> None:
    _write_ella(inputs, tmp_path / "ella")
    folder = tmp_path / "ella" / "kid-neuro_demo_1.0"
    rows = [
        line.split("\t") for line in (folder / "kid-neuro_demo_1.0.ped").read_text().splitlines()
    ]
    assert all(len(row) == 7 for row in rows)
    assert rows[0] == ["fam", "kid", "dad", "mum", "2", "2", "1"]
    assert [row[6] for row in rows[1:]] == ["0", "0"]
    vcf = VCF(str(folder / "kid-neuro_demo_1.0.vcf"))
    assert set(vcf.samples) == {row[1] for row in rows}
    fields = _csq_fields(vcf)
    records = list(vcf)
    # the panel region holds the APP and JAM2 variants, not the one at 40 Mb
    assert [(v.CHROM, v.POS) for v in records] == sorted(k[:2] for k in (APP, JAM2_A, JAM2_B))
    for v in records:
        for entry in _csq(v, fields):
            assert entry["Feature_type"] == "Transcript"
            assert entry["Feature"].startswith(("ENST", "NM_", "NR_"))
            int(entry["STRAND"]), int(entry["HGNC_ID"])
            assert entry["HGVSp"] == "" or ":" in entry["HGVSp"]
    app = {v.POS: v for v in records}[APP[1]]
    (entry,) = _csq(app, fields)
    assert entry["HGVSc"] == "ENST00000346798.7:c.2149G>A"
    assert entry["HGVSp"] == "ENST00000346798.7:p.(Val717Ile)"
    assert (entry["EXON"], entry["STRAND"], entry["HGNC_ID"]) == ("17/18", "-1", "620")
    assert entry["Consequence"] == "missense_variant" and entry["Gene"] == "ENSG00000142192"


def test_ella_refuses_results_of_another_sample(inputs: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(InputError, match="results of kid, not of dad"):
        _write_ella(inputs, tmp_path / "ella", sample="dad")


def _write_scout(inputs: dict[str, Path], tmp_path: Path, cram: Path) -> dict[str, Path]:
    out = {k: tmp_path / "scout" / f"fam.{k}" for k in ("vcf.gz", "ped", "load_config.yaml")}
    out["vcf.gz"].parent.mkdir()
    scout.main([
        "--vcf", str(inputs["vcf"]), "--samples", str(inputs["samples"]), "--family", "fam",
        "--results", str(inputs["results"]), "--gff3", str(GFF3), "--fasta", str(FASTA),
        "--alignment", f"kid={cram}", "--genome-build", "GRCh38", "--owner", "lab1",
        "--out-vcf", str(out["vcf.gz"]), "--out-ped", str(out["ped"]),
        "--out-config", str(out["load_config.yaml"]),
    ])  # fmt: skip
    return out


def test_scout_ranked_vcf_parses_with_scout_keys(inputs: dict[str, Path], tmp_path: Path) -> None:
    cram = tmp_path / "kid.cram"
    cram.write_bytes(b"")
    out = _write_scout(inputs, tmp_path, cram)
    vcf_path = out["vcf.gz"]
    view = subprocess.run(["bcftools", "view", "-H", str(vcf_path)], capture_output=True, text=True)
    assert view.returncode == 0, view.stderr
    assert len(view.stdout.splitlines()) == 3  # the prioritised variants only
    assert Path(f"{vcf_path}.tbi").is_file()
    vcf = VCF(str(vcf_path))
    for key in ("RankScore", "GeneticModels", "Compounds", "CLNSIG", "CLNREVSTAT", "CSQ"):
        header = vcf.get_header_type(key)
        assert (header["Number"], header["Type"]) == (".", "String"), key
    assert vcf.get_header_type("CLNVID")["Type"] == "Integer"
    fields = _csq_fields(vcf)
    assert {f.upper() for f in fields} >= SCOUT_CSQ_KEYS
    so_terms = {s.so_term for s in Severity}
    by_pos = {}
    for v in vcf:
        assert re.fullmatch(r"fam:-?\d+", v.INFO["RankScore"]), v.INFO["RankScore"]
        for entry in _csq(v, fields):
            assert set(entry["Consequence"].split("&")) <= so_terms
            assert entry["HGVSc"].count(":") == 1
        by_pos[v.POS] = v
    app, a, b = by_pos[APP[1]], by_pos[JAM2_A[1]], by_pos[JAM2_B[1]]
    assert app.INFO["RankScore"] == "fam:14" and app.INFO["GeneticModels"] == "fam:AD_dn"
    assert (app.INFO["CLNVID"], app.INFO["CLNSIG"]) == (18091, "Pathogenic")
    assert a.INFO["GeneticModels"] == "fam:AR_comp"
    assert a.INFO["Compounds"] == "fam:chr21_25698708_CT_C>9"
    assert b.INFO["Compounds"] == "fam:chr21_25693776_G_T>11"
    assert app.INFO.get("Compounds") is None
    _not_readable_by_others(vcf_path)


def test_scout_load_config_has_what_the_case_loader_requires(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    cram = tmp_path / "kid.cram"
    cram.write_bytes(b"")
    out = _write_scout(inputs, tmp_path, cram)
    config = yaml.safe_load(out["load_config.yaml"].read_text())
    assert set(scout.CONFIG_REQUIRED) <= set(config)
    assert (config["family"], config["owner"], config["genome_build"]) == ("fam", "lab1", "38")
    assert config["gene_panels"] == config["default_gene_panels"] == ["neuro_demo"]
    assert isinstance(config["rank_score_threshold"], int)
    assert config["rank_score_threshold"] <= 9  # every variant of the VCF is loaded
    ids = {s["sample_id"] for s in config["samples"]}
    assert ids == {"kid", "dad", "mum"}
    for sample in config["samples"]:
        assert set(scout.SAMPLE_REQUIRED) <= set(sample)
        assert sample["sex"] in {"male", "female", "unknown"}
        assert sample["phenotype"] in {"affected", "unaffected", "unknown"}
        assert sample["analysis_type"] in SCOUT_ANALYSIS_TYPES
        assert sample["father"] in ids | {"0"} and sample["mother"] in ids | {"0"}
    kid = next(s for s in config["samples"] if s["sample_id"] == "kid")
    assert kid["alignment_path"] == str(cram.resolve()) and kid["phenotype"] == "affected"
    assert Path(config["vcf_snv"]).is_absolute() and Path(config["vcf_snv"]) == out["vcf.gz"]
    ped = load_ped(out["ped"])
    assert [(p.sample, p.father, p.mother, p.affected) for p in ped.people] == [
        ("kid", "dad", "mum", True), ("dad", None, None, False), ("mum", None, None, False),
    ]  # fmt: skip


def test_scout_refuses_results_of_another_family(inputs: dict[str, Path], tmp_path: Path) -> None:
    other = _results(tmp_path / "..", family="other")
    args = ["--vcf", str(inputs["vcf"]), "--samples", str(inputs["samples"]), "--family", "fam"]
    args += ["--results", str(other), "--gff3", str(GFF3), "--genome-build", "GRCh38"]
    args += ["--out-vcf", "x.vcf.gz", "--out-ped", "x.ped", "--out-config", "x.yaml"]
    with pytest.raises(InputError, match="results of family other, not fam"):
        scout.main(args)


@pytest.mark.parametrize(
    ("chrom", "inheritance", "models"),
    [
        ("chr21", "de_novo", "fam:AD_dn"),
        ("chrX", "de_novo", "fam:XD_dn"),
        ("chr1", "homozygous,heterozygous_origin_unknown", "fam:AD|AR_hom"),
        ("chrX", "x_linked_hemizygous", "fam:XR"),
        ("chr1", "heterozygous_inherited_unaffected", None),
    ],
)
def test_genetic_models(chrom: str, inheritance: str, models: str | None) -> None:
    v = _variant((chrom, 100, "A", "G"), 1, -2.6, inheritance)
    ranked = scout.rank_variants([_results_of(v)])
    values = scout.genmod_values("fam", ranked[(chrom, 100, "A", "G")])
    assert values.get("GeneticModels") == models
    assert values["RankScore"] == "fam:-3"


def _results_of(v: PrioritisedVariant) -> PrioritisedResults:
    return PrioritisedResults(
        sample="kid", family="fam", affected=True,
        panel=PanelSummary("p", "1", "p", "", (), ()),
        managed_variants=ManagedSummary(None, None, 0),
        filters=FilterSettings.from_user({}), ranking=ranking_settings({}), variants=(v,),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("ref", "alt", "allele"),
    [("C", "T", "T"), ("CT", "C", "-"), ("C", "CAG", "AG"), ("AC", "GT", "GT")],
)
def test_vep_allele(ref: str, alt: str, allele: str) -> None:
    assert vep_allele(ref, alt) == allele


def test_csq_header_names_every_field() -> None:
    assert CSQ_FIELDS[:2] == ("Allele", "Consequence") and len(set(CSQ_FIELDS)) == len(CSQ_FIELDS)


def test_ella_warnings_carry_the_sample_check_verdicts() -> None:
    """ELLA's analyst sees what the report's headline says about sample identity."""
    checks = checks_example()
    lines = ella.check_warnings(checks)
    assert lines[0].startswith("Sample check sex: failed — ")
    assert any(line.startswith("Sample check relatedness: ") for line in lines)
    assert lines[-1] == (
        "Sample checks overridden by the run configuration: sex (confirmed by the clinic)"
    )
    blocked = dataclasses.replace(checks, clinical_use=False, overridden=())
    assert ella.check_warnings(blocked)[0] == (
        "NOT FOR CLINICAL USE: a sample check blocks the report"
    )
    assert ella.check_warnings(None) == [
        "Sample identity: no sample checks were given to this hand-off (not verified)"
    ]
