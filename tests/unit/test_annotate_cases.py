"""Done-when cases: chosen records through the whole engine (bcftools norm + csq + sources).

Uses the demo reference and Ensembl GFF3 shipped in resources/demo (real GRCh38 chr21 sequence).
Expected values are taken from the source records written in the test, and from the gene model
by hand: JAM2 ENST00000480456 (+ strand) has a coding exon ending at chr21:25639888 followed by
``GTAAG``, so chr21:25639893 G>A is the +5 base of that intron (HGVS c.…+5G>A, a splice region
variant, intronic).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pysam
import pytest
from cyvcf2 import VCF

from hurtig.annotation.engine import annotate

REPO = Path(__file__).resolve().parents[2]
FASTA = REPO / "resources/demo/reference/chr21.fa.gz"
GFF3 = REPO / "resources/demo/annotation/genes.gff3.gz"


def bgzip_index(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return Path(f"{path}.gz")


HEAD = ["##fileformat=VCFv4.2", "##contig=<ID=chr21,length=43894067>"]


@pytest.fixture(scope="module")
def homopolymer() -> tuple[int, int, str]:
    """First run of >= 6 A in chr21:25,610,000-25,610,200: (first pos, last pos, base before)."""
    with pysam.FastaFile(str(FASTA)) as fa:
        seq = fa.fetch("chr21", 25_609_999, 25_610_200).upper()
    i = seq.index("AAAAAA")
    j = i
    while seq[j] == "A":
        j += 1
    return 25_610_000 + i, 25_610_000 + j - 1, seq[i - 1]


def test_chosen_records(tmp_path: Path, homopolymer: tuple[int, int, str]) -> None:
    first, last, before = homopolymer
    with pysam.FastaFile(str(FASTA)) as fa:
        after = fa.fetch("chr21", last, last + 1).upper()  # base after the run (1-based last+1)
        snv_ref = fa.fetch("chr21", 25_639_892, 25_639_893).upper()
        multi_ref = fa.fetch("chr21", 25_639_869, 25_639_870).upper()
    assert snv_ref == "G"
    multi_alt = "T" if multi_ref != "T" else "C"
    # Calls as a caller may write them: the deletion of one A right-shifted (anchored at the
    # last A), which bcftools norm left-aligns to the base before the run.
    calls = [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1",
        f"chr21\t{last}\t.\tA{after}\t{after}\t50\tPASS\t.\tGT\t0/1",
        f"chr21\t25639870\t.\t{multi_ref}\t{multi_alt}\t50\tPASS\t.\tGT\t0/1",
        "chr21\t25639893\t.\tG\tA\t50\tPASS\t.\tGT\t1/1",
        "chr21\t25639894\t.\tT\tC\t50\tPASS\t.\tGT\t0/1",  # absent from gnomAD
    ]
    raw = bgzip_index(tmp_path / "raw.vcf", HEAD + calls)
    norm = tmp_path / "calls.vcf.gz"
    subprocess.run(
        ["bcftools", "norm", "-m", "-any", "-f", str(FASTA), "-Oz", "-o", str(norm), str(raw)],
        check=True, capture_output=True,
    )  # fmt: skip
    pysam.tabix_index(str(norm), preset="vcf", force=True)

    gnomad = bgzip_index(
        tmp_path / "gnomad.vcf",
        [
            *HEAD,
            '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">',
            '##INFO=<ID=AC,Number=A,Type=Integer,Description="AC">',
            '##INFO=<ID=AN,Number=1,Type=Integer,Description="AN">',
            '##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="nhomalt">',
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
            # left-aligned deletion, in a multiallelic record with a padded second ALT
            f"chr21\t{first - 1}\t.\t{before}AA\t{before}A,{before}\t.\tPASS\t"
            "AF=0.25,0.0125;AC=250,25;AN=2000;nhomalt=30,1",
            # multiallelic SNV site: the call is the second ALT
            f"chr21\t25639870\t.\t{multi_ref}\tG,{multi_alt}\t.\tPASS\t"
            "AF=0.001,0.0421;AC=2,84;AN=2000;nhomalt=0,3",
            "chr21\t25639893\t.\tG\tA\t.\tPASS\tAF=3.5e-05;AC=7;AN=200000;nhomalt=0",
        ],
    )
    clinvar = bgzip_index(
        tmp_path / "clinvar.vcf",
        [
            *HEAD,
            "##fileDate=2026-02-26",
            '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="x">',
            '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="x">',
            '##INFO=<ID=CLNDN,Number=.,Type=String,Description="x">',
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
            "chr21\t25639893\t987654\tG\tA\t.\t.\tCLNSIG=Uncertain_significance;"
            "CLNREVSTAT=criteria_provided,_single_submitter;CLNDN=not_provided",
        ],
    )
    out = tmp_path / "annotated.vcf.gz"
    counts = annotate(norm, out, gnomad=gnomad, clinvar=clinvar, fasta=FASTA, gff3=GFF3, threads=1)
    assert counts["records"] == 4
    got = {(v.POS, v.REF, v.ALT[0]): v for v in VCF(str(out))}

    deletion = got[(first - 1, f"{before}A", before)]  # left-shifted by bcftools norm
    # one A deleted = the first ALT of the padded gnomAD record (the second deletes two)
    assert deletion.INFO["GNOMAD_AF"] == pytest.approx(0.25)
    assert deletion.INFO["GNOMAD_AC"] == 250 and deletion.INFO["GNOMAD_NHOMALT"] == 30

    multi = got[(25639870, multi_ref, multi_alt)]
    assert multi.INFO["GNOMAD_AF"] == pytest.approx(0.0421)
    assert multi.INFO["GNOMAD_AC"] == 84 and multi.INFO["GNOMAD_NHOMALT"] == 3

    splice = got[(25639893, "G", "A")]
    assert splice.INFO["GNOMAD_AF"] == pytest.approx(3.5e-05)
    assert splice.INFO["CLINVAR_SIG"] == "Uncertain_significance"
    assert splice.INFO["CLINVAR_STARS"] == 1 and splice.INFO["CLINVAR_ID"] == "987654"
    bcsq = splice.INFO["BCSQ"]  # bcftools csq names the intronic +5 base splice_region
    assert "splice_region|JAM2|ENST00000480456|protein_coding" in bcsq.split(",")

    absent = got[(25639894, "T", "C")]
    assert absent.INFO.get("GNOMAD_AF") is None and absent.INFO.get("CLINVAR_SIG") is None
    assert "ENST00000480456" in absent.INFO["BCSQ"]
