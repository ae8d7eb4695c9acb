"""SV/CNV merge, annotation, SNV+CNV compound heterozygosity, ranking and the depth plot."""

from __future__ import annotations

from pathlib import Path

import pysam

from builders import write_fasta
from hurtig.devtools.sv_truth import PlantedSv, haplotype_edits, mask_sites
from hurtig.devtools.trio_truth import Segment, TrioSite
from hurtig.genes.gene_model import Segment as Exon
from hurtig.genes.gene_model import Transcript
from hurtig.prioritise.genotypes import Call, FamilyVariant, zygosity_of
from hurtig.prioritise.inheritance import Pattern, assess_family
from hurtig.prioritise.sv_candidates import SvVariant
from hurtig.report.sv_plot import depth_svg
from hurtig.run.pedigree import Pedigree, Person, Sex
from hurtig.sv.annotate import exon_range, exons_overlapped
from hurtig.sv.calls import SampleSv, SvCall, read_cnvkit
from hurtig.sv.merge import merge_calls, reciprocal_overlap, write_vcf

KID = Person("C", "F", "D", "M", Sex.FEMALE, True)
DAD = Person("D", "F", None, None, Sex.MALE, False)
MUM = Person("M", "F", None, None, Sex.FEMALE, False)
TRIO = Pedigree((KID, DAD, MUM))


def _sv(caller: str, start: int, end: int, svtype: str = "DEL", **gts: str) -> SvCall:
    samples = {s: SampleSv(gt, 60, 20, 10 if "1" in gt else 0) for s, gt in gts.items()}
    return SvCall(caller, "chr1", start, end, svtype, f"{caller}{start}", True, 50.0, "x", samples)


def test_reciprocal_overlap() -> None:
    assert reciprocal_overlap(1, 100, 1, 100) == 1.0
    assert reciprocal_overlap(1, 100, 51, 150) == 0.5
    assert reciprocal_overlap(1, 100, 101, 200) == 0.0
    assert reciprocal_overlap(1, 1000, 400, 500) == 0.101  # small inside large: not one event


def test_merge_keeps_each_callers_evidence_and_delly_breakpoints() -> None:
    calls = [
        _sv("cnvkit", 9_801, 20_200, C="0/1"),
        _sv("tiddit", 10_001, 20_000, C="0/1"),
        _sv("tiddit", 10_002, 20_001, M="0/1"),
        _sv("delly", 10_000, 20_001, C="0/1", D="0/0", M="0/1"),
        _sv("delly", 10_000, 20_001, "DUP", C="0/1", D="0/0", M="0/0"),  # same span, other type
        _sv("cnvkit", 50_000, 60_000, C="0/1"),
    ]
    events = merge_calls(calls)
    assert len(events) == 3
    deletion = next(e for e in events if e.lead.svtype == "DEL" and e.lead.start == 10_000)
    assert deletion.lead.caller == "delly"
    assert deletion.callers == ["delly", "tiddit", "cnvkit"]
    gt, seen = deletion.genotype("M")
    assert gt.gt == "0/1" and seen == ["delly", "tiddit"]
    gt, seen = deletion.genotype("D")
    assert gt.gt == "0/0" and gt.gq == 60 and seen == []
    lone = next(e for e in events if e.lead.start == 50_000)
    assert lone.callers == ["cnvkit"] and lone.genotype("D")[0].gt == "0/0"


def test_merged_vcf_is_normalised(tmp_path: Path) -> None:
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT" * 20_000})
    pysam.faidx(str(fasta))
    events = merge_calls([_sv("delly", 10_000, 20_001, C="0/1", D="0/0", M="0/1"),
                          _sv("cnvkit", 9_900, 20_100, C="0/1")])  # fmt: skip
    out = tmp_path / "fam.vcf.gz"
    write_vcf(events, ["C", "D", "M"], fasta, out)
    assert Path(f"{out}.tbi").is_file()
    assert not list(tmp_path.glob(".*tmp*"))
    (rec,) = list(pysam.VariantFile(str(out)))
    assert (rec.pos, rec.ref, rec.alts, rec.stop) == (9_999, "G", ("<DEL>",), 20_001)
    assert rec.info["CALLERS"] == ("delly", "cnvkit") and rec.info["SVLEN"] == -10_002
    assert rec.info["CNVKIT"] == ("C|9900-20100|x",)
    assert rec.samples["C"]["SC"] == "delly|cnvkit" and rec.samples["C"]["AD"] == (20, 10)


def test_cnvkit_segments(tmp_path: Path) -> None:
    cns = tmp_path / "s.call.cns"
    cns.write_text(
        "chromosome\tstart\tend\tgene\tlog2\tcn\tdepth\tprobes\tweight\n"
        "chr1\t0\t10000\t-\t0.01\t2\t30\t10\t1\n"
        "chr1\t10000\t20000\t-\t-0.95\t1\t15\t10\t1\n"
        "chr1\t20000\t21000\t-\t0.6\t3\t45\t2\t1\n"  # too few bins
        "chr1\t30000\t40000\t-\t-5\t0\t0\t10\t1\n"
        "chrX\t0\t10000\t-\t-1\t1\t15\t10\t1\n"  # chrX: not called by depth
    )
    calls = list(read_cnvkit(cns, "s"))
    assert [(c.start, c.end, c.svtype, c.samples["s"].gt) for c in calls] == [
        (10_001, 20_000, "DEL", "0/1"),
        (30_001, 40_000, "DEL", "1/1"),
    ]


def test_exons_overlapped_in_transcript_order() -> None:
    exons = (Exon(100, 200), Exon(300, 400), Exon(500, 600), Exon(700, 800))
    plus = Transcript("T1", "G1", "G-201", "protein_coding", "chr1", "+", 100, 800, exons)
    minus = Transcript("T2", "G1", "G-202", "protein_coding", "chr1", "-", 100, 800, exons[::-1])
    assert exons_overlapped(plus, 250, 650) == [2, 3]
    assert exons_overlapped(minus, 250, 650) == [2, 3]
    assert exons_overlapped(minus, 650, 900) == [1]
    assert exons_overlapped(plus, 201, 299) == []
    assert (exon_range([2, 3, 4]), exon_range([4]), exon_range([])) == ("2-4", "4", "none")


def _call(gt: str, gq: int = 60, dp: int = 40) -> Call:
    alleles = [int(a) for a in gt.split("/")]
    alt = dp // 2 if 1 in alleles else 0
    return Call(gt, zygosity_of(alleles), gq, dp, dp - alt, alt)


def _snv(pos: int, kid: str, dad: str, mum: str) -> FamilyVariant:
    calls = (("C", _call(kid)), ("D", _call(dad)), ("M", _call(mum)))
    return FamilyVariant("chr1", pos, "G", "T", "JAM2", calls)


def _deletion(kid: str, dad: str, mum: str) -> SvVariant:
    calls = (("C", _call(kid)), ("D", _call(dad)), ("M", _call(mum)))
    return SvVariant(
        "chr1", 5_000, "A", "<DEL>", "JAM2", calls, description="deletion of exons 6–8 of JAM2"
    )


def test_snv_and_deletion_in_trans_are_compound_heterozygous() -> None:
    stop, deletion = _snv(1_000, "0/1", "0/1", "0/0"), _deletion("0/1", "0/0", "0/1")
    calls = assess_family([stop, deletion], KID, TRIO)
    assert Pattern.COMPOUND_HET in calls[deletion.key].patterns
    assert Pattern.COMPOUND_HET in calls[stop.key].patterns
    text = "; ".join(calls[stop.key].texts)
    assert "in trans with deletion of exons 6–8 of JAM2 (paternal/maternal)" in text


def test_snv_and_deletion_from_the_same_parent_are_not_compound_heterozygous() -> None:
    frameshift, deletion = _snv(1_000, "0/1", "0/0", "0/1"), _deletion("0/1", "0/0", "0/1")
    calls = assess_family([frameshift, deletion], KID, TRIO)
    for key in (frameshift.key, deletion.key):
        assert Pattern.COMPOUND_HET not in calls[key].patterns
        assert Pattern.POSSIBLE_COMPOUND_HET not in calls[key].patterns
    assert "in cis with deletion of exons 6–8 of JAM2 (both from mother)" in "; ".join(
        calls[frameshift.key].texts
    )


def test_de_novo_and_homozygous_deletions() -> None:
    de_novo = assess_family([_deletion("0/1", "0/0", "0/0")], KID, TRIO)
    assert next(iter(de_novo.values())).patterns == (Pattern.DE_NOVO,)
    hom = assess_family([_deletion("1/1", "0/1", "0/1")], KID, TRIO)
    assert next(iter(hom.values())).patterns == (Pattern.HOMOZYGOUS,)


def test_one_event_in_two_genes_has_two_keys() -> None:
    a = _deletion("0/1", "0/0", "0/1")
    b = SvVariant(a.chrom, a.pos, a.ref, a.alt, "OTHER", a.calls)
    assert a.key != b.key and a.label == "deletion of exons 6–8 of JAM2"


def test_planted_deletion_masks_small_variants_and_edits_the_haplotype() -> None:
    genotypes = {"proband": (0, 1), "father": (0, 0), "mother": (1, 0)}
    sv = PlantedSv("chr1", 11, 20, "DEL", "G", "compound_het", genotypes)
    inside = TrioSite(
        "chr1", 15, "A", ("G",), {"proband": (1, 1), "father": (1, 0), "mother": (1, 0)}
    )
    (masked,) = mask_sites([inside], [sv])
    assert masked.genotypes == {"proband": (1, 0), "father": (1, 0), "mother": (0, 0)}
    sequence = "ACGTACGTACGTACGTACGTACGTACGT"
    edits = haplotype_edits([(15, "A", "G")], [sv], "proband", 1, Segment("chr1", 0, 28), sequence)
    assert edits == [(10, sequence[9:20], sequence[9])]
    dup = PlantedSv("chr1", 11, 20, "DUP", "G", "de_novo", genotypes)
    (edit,) = haplotype_edits([], [dup], "proband", 1, Segment("chr1", 0, 28), sequence)
    assert edit == (20, sequence[19], sequence[19] + sequence[10:20])


def test_depth_svg_is_self_contained() -> None:
    depth = {
        "chrom": "chr1",
        "start": 1_001,
        "end": 2_000,
        "window": [1, 3_000],
        "samples": {"C": [[1, 1_000, 0.0], [1_001, 2_000, -1.0], [2_001, 3_000, 0.0]], "D": []},
    }
    svg = depth_svg(depth)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<polyline" in svg and ">C<" in svg
    assert depth_svg({"samples": {}}) == ""
