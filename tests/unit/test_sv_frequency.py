"""In-house SV database, SV population file, their annotation and the SV frequency filter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pysam
import pytest
import yaml

from builders import VcfBuilder
from hurtig.errors import InputError, run_cli
from hurtig.genes.gene_model import Segment, Transcript
from hurtig.panels.model import ResolvedGene, ResolvedPanel
from hurtig.prioritise.genotypes import Zygosity
from hurtig.prioritise.inheritance import InheritanceCall
from hurtig.prioritise.points import DEFAULT_RANKING
from hurtig.prioritise.sv_candidates import SvFilters, collect_sv_candidates
from hurtig.prioritise.sv_frequency import (
    SvFrequencyFacts,
    frequency_evidence,
    frequency_facts,
    population_name,
    too_common,
)
from hurtig.prioritise.sv_ranking import sv_evidence
from hurtig.run.model import load_run
from hurtig.run.pedigree import Person, Sex
from hurtig.sv import annotate as sv_annotate
from hurtig.sv.inhouse import SvDatabase, add_vcf, stats
from hurtig.sv.population import PopulationFile, check_population

CONTIGS = {"chr1": 1_000_000, "chr2": 1_000_000}
REPO = Path(__file__).resolve().parents[2]

Event = tuple[str, int, int, str, dict[str, str]]


def sv_vcf(path: Path, samples: list[str], events: list[Event], **info: object) -> Path:
    """A merged-style family SV VCF: ``(chrom, first affected base, end, SVTYPE, GTs)``."""
    vcf = VcfBuilder(samples, contigs=CONTIGS)
    for chrom, start, end, svtype, gts in events:
        fields = {"SVTYPE": svtype, "END": end, "NCALLERS": 2, "CALLERS": "delly", **info}
        vcf.add(chrom, start - 1, "N", f"<{svtype}>", calls=gts, info=fields, filters="PASS")
    return vcf.to_path(path)


def population_vcf(path: Path, rows: list[tuple[str, int, int, str, float]]) -> Path:
    """A gnomAD-SV-style sites VCF: ``(chrom, first affected base, end, SVTYPE, AF)``."""
    vcf = VcfBuilder(contigs=CONTIGS)
    for chrom, start, end, svtype, af in rows:
        info = {"SVTYPE": svtype, "END": end, "AF": af}
        vcf.add(chrom, start - 1, "N", f"<{svtype}>", info=info, filters="PASS")
    return vcf.to_path(path)


def test_readding_a_family_replaces_it(tmp_path: Path) -> None:
    db = tmp_path / "sv.sqlite"
    fam = sv_vcf(
        tmp_path / "f1.vcf.gz",
        ["A", "B"],
        [("chr1", 10_001, 20_000, "DEL", {"A": "0/1", "B": "1/1"})],
    )
    assert add_vcf(db, fam, "FAM1") == {"A": 1, "B": 1}
    assert add_vcf(db, fam, "FAM1") == {"A": 1, "B": 1}
    assert stats(db) == {"families": 1, "samples": 2, "events": 2}
    view = SvDatabase(db, "OTHER")
    f = view.frequency("chr1", 10_001, 20_000, "DEL")
    view.close()
    assert (f.ac, f.an, f.carriers, f.families, f.db_families) == (3, 4, 2, 1, 1)
    # the family re-run with one sample only: the dropped sample's events go too
    fewer = sv_vcf(tmp_path / "f1b.vcf.gz", ["A"], [("chr1", 10_001, 20_000, "DEL", {"A": "0/1"})])
    add_vcf(db, fewer, "FAM1")
    assert stats(db) == {"families": 1, "samples": 1, "events": 1}


def test_filtered_single_caller_events_are_not_stored(tmp_path: Path) -> None:
    vcf = VcfBuilder(["A"], contigs=CONTIGS)
    info = {"SVTYPE": "DEL", "END": 20_000, "NCALLERS": 1}
    vcf.add("chr1", 10_000, "N", "<DEL>", calls={"A": "0/1"}, info=info, filters="LowQual")
    path = vcf.to_path(tmp_path / "f.vcf.gz")
    assert add_vcf(tmp_path / "sv.sqlite", path, "F") == {"A": 0}
    assert add_vcf(tmp_path / "sv.sqlite", path, "F", include_filtered=True) == {"A": 1}


def test_two_concurrent_adds(tmp_path: Path) -> None:
    db = tmp_path / "sv.sqlite"
    events: list[Event] = [
        ("chr1", p, p + 999, "DEL", {"S": "0/1"}) for p in range(1_001, 900_000, 1_500)
    ]
    vcfs = [sv_vcf(tmp_path / f"f{i}.vcf.gz", [f"S{i}"], [
        (c, s, e, t, {f"S{i}": "0/1"}) for c, s, e, t, _ in events
    ]) for i in range(2)]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(REPO / "scripts"))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hurtig",
                "sv-inhouse",
                "add",
                "--db",
                str(db),
                "--vcf",
                str(v),
                "--family",
                f"F{i}",
            ],
            env=env,
            stderr=subprocess.PIPE,
        )
        for i, v in enumerate(vcfs)
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    assert stats(db) == {"families": 2, "samples": 2, "events": 2 * len(events)}
    view = SvDatabase(db, "NEW")
    assert view.frequency("chr1", 1_001, 2_000, "DEL").families == 2
    view.close()


def test_own_family_is_left_out(tmp_path: Path) -> None:
    db = tmp_path / "sv.sqlite"
    span = ("chr1", 10_001, 20_000, "DEL")
    add_vcf(db, sv_vcf(tmp_path / "a.vcf.gz", ["A"], [(*span, {"A": "0/1"})]), "FA")
    add_vcf(db, sv_vcf(tmp_path / "b.vcf.gz", ["B"], [(*span, {"B": "0/1"})]), "FB")
    own = SvDatabase(db, "FA", ["A"])
    f = own.frequency(*span)
    own.close()
    assert (f.ac, f.an, f.families, f.db_families) == (1, 2, 1, 1)
    # a sample of the family is left out even under another family id
    renamed = SvDatabase(db, "FA-rerun", ["A", "B"])
    f = renamed.frequency(*span)
    renamed.close()
    assert (f.ac, f.an, f.db_families, f.af) == (0, 0, 0, None)
    missing = SvDatabase(tmp_path / "none.sqlite", "FA")
    assert missing.frequency(*span).db_families == 0
    assert not (tmp_path / "none.sqlite").exists()


@pytest.mark.parametrize(
    ("start", "svtype", "chrom", "matches"),
    [
        (10_001 + 4_900, "DEL", "chr1", True),  # 5,100 of 10,000 bases shared: 51 %
        (10_001 + 5_100, "DEL", "chr1", False),  # 4,900 shared: 49 %
        (10_001 + 5_000, "DEL", "chr1", True),  # exactly 50 %
        (10_001, "DUP", "chr1", False),  # same span, other type
        (10_001, "DEL", "chr2", False),  # other contig
    ],
)
def test_reciprocal_overlap_matching(
    tmp_path: Path, start: int, svtype: str, chrom: str, matches: bool
) -> None:
    db = tmp_path / "sv.sqlite"
    stored: Event = ("chr1", 10_001, 20_000, "DEL", {"A": "0/1"})
    add_vcf(db, sv_vcf(tmp_path / "a.vcf.gz", ["A"], [stored]), "FA")
    pop = population_vcf(tmp_path / "pop.vcf.gz", [("chr1", 10_001, 20_000, "DEL", 0.3)])
    view, population = SvDatabase(db, "X"), PopulationFile(pop)
    assert (view.frequency(chrom, start, start + 9_999, svtype).ac == 1) is matches
    assert population.max_af(chrom, start, start + 9_999, svtype) == (0.3 if matches else 0.0)
    view.close()
    population.close()


def test_small_event_inside_a_large_one_does_not_match(tmp_path: Path) -> None:
    pop = population_vcf(tmp_path / "pop.vcf.gz", [("chr1", 1_001, 100_000, "DEL", 0.3)])
    population = PopulationFile(pop)
    assert population.max_af("chr1", 40_001, 41_000, "DEL") == 0.0
    assert population.max_af("1", 1_001, 100_000, "DEL") == 0.3  # "1" and "chr1" are one contig
    assert population.max_af("chrX", 1_001, 100_000, "DEL") is None  # contig not in the file
    population.close()


def test_population_max_af_and_svlen_only_records(tmp_path: Path) -> None:
    vcf = VcfBuilder(contigs=CONTIGS)
    vcf.add("chr1", 10_000, "N", "<DEL>", info={"SVTYPE": "DEL", "SVLEN": -10_000, "AF": 0.002})
    vcf.add("chr1", 10_100, "N", "<DEL>", info={"SVTYPE": "DEL", "SVLEN": -9_900, "AF": 0.004})
    vcf.add("chr1", 10_000, "N", "<DUP>", info={"SVTYPE": "DUP", "SVLEN": 10_000, "AF": 0.5})
    population = PopulationFile(vcf.to_path(tmp_path / "pop.vcf.gz"))
    assert population.max_af("chr1", 10_001, 20_000, "DEL") == pytest.approx(0.004)
    population.close()


def _strip_info(path: Path, keys: tuple[str, ...], out: Path) -> Path:
    lines = [
        line
        for line in path.read_text().splitlines()
        if not any(line.startswith(f"##INFO=<ID={k},") for k in keys)
    ]
    body = [line if line.startswith("#") else line.split("\t") for line in lines]
    text = [
        line
        if isinstance(line, str)
        else "\t".join(
            [*line[:7], ";".join(x for x in line[7].split(";") if x.split("=")[0] not in keys)]
        )
        for line in body
    ]
    out.write_text("\n".join(text) + "\n")
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return Path(f"{out}.gz")


def test_population_file_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = population_vcf(tmp_path / "pop.vcf", [("chr1", 10_001, 20_000, "DEL", 0.3)])
    with pytest.raises(Exception, match="not bgzip-compressed"):
        check_population(plain)
    gz = population_vcf(tmp_path / "i.vcf.gz", [("chr1", 10_001, 20_000, "DEL", 0.3)])
    Path(f"{gz}.tbi").unlink()
    with pytest.raises(Exception, match=r"no \.tbi/\.csi index"):
        check_population(gz)
    no_af = _strip_info(plain, ("AF",), tmp_path / "noaf.vcf")
    with pytest.raises(Exception, match="does not declare INFO AF"):
        check_population(no_af)
    no_end = _strip_info(plain, ("END",), tmp_path / "noend.vcf")
    with pytest.raises(Exception, match="does not declare INFO END or SVLEN"):
        check_population(no_end)
    with pytest.raises(Exception, match="SV population file not found"):
        check_population(tmp_path / "missing.vcf.gz")
    fam = sv_vcf(tmp_path / "f.vcf.gz", ["A"], [("chr1", 10_001, 20_000, "DEL", {"A": "0/1"})])
    argv = ["--vcf", str(fam), "--run", str(fam), "--population", str(no_af)]
    assert run_cli(sv_annotate.main, [*argv, "--out", str(tmp_path / "o.vcf.gz")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"hurtig error: {no_af}: SV population file does not declare INFO AF"]
    assert not (tmp_path / "o.vcf.gz").exists()


def test_annotation_and_ranking_evidence(tmp_path: Path) -> None:
    db = tmp_path / "sv.sqlite"
    seen = ("chr1", 10_001, 20_000, "DEL")
    new = ("chr1", 500_001, 510_000, "DUP")
    add_vcf(db, sv_vcf(tmp_path / "b.vcf.gz", ["B"], [(*seen, {"B": "0/1"})]), "FB")
    add_vcf(db, sv_vcf(tmp_path / "c.vcf.gz", ["C"], []), "FC")
    fam = sv_vcf(tmp_path / "a.vcf.gz", ["A"], [(*seen, {"A": "0/1"}), (*new, {"A": "0/1"})])
    add_vcf(db, fam, "FA")  # a re-run: the family's own earlier entries must not count
    pop = population_vcf(tmp_path / "gnomad_sv.vcf.gz", [(*seen, 0.002)])
    out = tmp_path / "out.vcf.gz"
    argv = ["--vcf", str(fam), "--run", str(fam), "--inhouse", str(db), "--family", "FA"]
    assert run_cli(sv_annotate.main, [*argv, "--population", str(pop), "--out", str(out)]) == 0
    with pysam.VariantFile(str(out)) as vcf:
        name = population_name(vcf.header)
        recs = list(vcf)
        facts = [frequency_facts(r, name) for r in recs]
    assert name == "gnomad_sv.vcf.gz"
    assert [(r.info["INHOUSE_SV_AC"], r.info["INHOUSE_SV_AN"]) for r in recs] == [(1, 4), (0, 4)]
    assert [r.info["SV_POP_AF"] for r in recs] == pytest.approx([0.002, 0.0])
    w = dict(DEFAULT_RANKING)
    texts = [[e.text for e in frequency_evidence(f, w)] for f in facts]
    assert texts[0] == [
        "seen in 1 other family of the in-house SV database (2 other families, AF 0.25)",
        "SV population AF 0.002 (gnomad_sv.vcf.gz)",
    ]
    assert texts[1] == [
        "absent from the in-house SV database (2 other families)",
        "absent from the SV population file (gnomad_sv.vcf.gz)",
    ]
    points = [sum(e.points for e in frequency_evidence(f, w)) for f in facts]
    assert points == [0, w["sv_inhouse_absent"] + w["sv_population_absent"]]
    # without the sources nothing is declared and nothing is claimed
    plain = tmp_path / "plain.vcf.gz"
    argv = ["--vcf", str(fam), "--run", str(fam), "--out", str(plain)]
    assert run_cli(sv_annotate.main, argv) == 0
    with pysam.VariantFile(str(plain)) as vcf:
        assert "INHOUSE_SV_AC" not in vcf.header.info and "SV_POP_AF" not in vcf.header.info
        f = frequency_facts(next(iter(vcf)), population_name(vcf.header))
    assert [e.text for e in frequency_evidence(f, w)] == [
        "no in-house SV database configured",
        "no SV population frequency configured",
    ]


def test_default_frequency_filter() -> None:
    w = dict(DEFAULT_RANKING)
    assert too_common(SvFrequencyFacts(population="g", population_af=0.02), w) == (
        "SV population AF 0.02 > 0.01"
    )
    assert too_common(SvFrequencyFacts(population="g", population_af=0.01), w) is None
    common = SvFrequencyFacts(
        inhouse_used=True, inhouse_af=0.2, inhouse_families=2, inhouse_db_families=3
    )
    assert too_common(common, w) is None  # a database of 3 other families only informs
    big = SvFrequencyFacts(
        inhouse_used=True, inhouse_af=0.2, inhouse_families=4, inhouse_db_families=10
    )
    assert too_common(big, w) == "in-house SV AF 0.2 > 0.05"
    empty = SvFrequencyFacts(inhouse_used=True)
    assert next(e.text for e in frequency_evidence(empty, w)) == (
        "the in-house SV database holds no other family yet"
    )


def test_run_check_refuses_a_bad_population_file_before_any_job(tmp_path: Path) -> None:
    config_file = REPO / "config" / "config.yaml"
    config = yaml.safe_load(config_file.read_text())
    plain = population_vcf(tmp_path / "pop.vcf", [("chr1", 10_001, 20_000, "DEL", 0.3)])
    config["sv"] = {**(config.get("sv") or {}), "population": str(plain)}
    with pytest.raises(InputError, match=r"pop\.vcf: SV population file is not bgzip"):
        load_run(config, config_file)
    config["sv"]["population"] = str(tmp_path / "missing.vcf.gz")
    with pytest.raises(InputError, match=r"sv\.population not found"):
        load_run(config, config_file, check_contents=False)


def _panel() -> ResolvedPanel:
    exons = tuple(Segment(s, s + 199) for s in range(10_001, 30_000, 2_000))
    tx = Transcript("T1", "G1", "GENE1-201", "protein_coding", "chr1", "+", 10_001, 28_200, exons)
    gene = ResolvedGene(
        "GENE1", "HGNC:1", "G1", "T1", "panel", "protein_coding", "chr1", "+", ("AR",), (), (), tx
    )
    return ResolvedPanel("p", "1", "P", "x", "scout", "p.tsv", (), "g.gff3", 20, 6, (gene,))


def test_common_svs_are_not_ranked_and_the_kept_one_is_explained(tmp_path: Path) -> None:
    kid = Person("A", "F", None, None, Sex.FEMALE, True)
    common = ("chr1", 10_001, 14_000, "DEL")
    rare = ("chr1", 20_001, 24_000, "DEL")
    fam = sv_vcf(tmp_path / "a.vcf.gz", ["A"], [(*common, {"A": "0/1"}), (*rare, {"A": "0/1"})])
    pop = population_vcf(tmp_path / "gnomad_sv.vcf.gz", [(*common, 0.2), (*rare, 0.002)])
    out = tmp_path / "out.vcf.gz"
    argv = ["--vcf", str(fam), "--run", str(fam), "--population", str(pop), "--out", str(out)]
    assert run_cli(sv_annotate.main, argv) == 0
    panel = _panel()
    w = dict(DEFAULT_RANKING)
    kept = collect_sv_candidates(out, kid, [kid], panel, SvFilters(frequency=w))
    assert [c.end for c in kept] == [24_000]
    everything = collect_sv_candidates(
        out, kid, [kid], panel, SvFilters(frequency={**w, "sv_max_population_af": 0.5})
    )
    assert [c.end for c in everything] == [14_000, 24_000]
    inh = InheritanceCall((), (), "unknown")
    items = sv_evidence(kept[0], Zygosity.HET, inh, panel.genes[0], w)
    texts = [e.text for e in items if e.category == "frequency"]
    assert texts[1:] == [
        "no in-house SV database configured",
        "SV population AF 0.002 (gnomad_sv.vcf.gz)",
    ]
