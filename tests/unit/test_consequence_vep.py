"""Calls annotated elsewhere: Ensembl VEP ``CSQ`` and snpEff ``ANN`` into consequence records.

The header lines are the ones VEP (release 110, ``--vcf --hgvs --symbol --biotype``) and
snpEff 5 write; the records are APP and JAM2 entries in those formats.
"""

from __future__ import annotations

from pathlib import Path

from cyvcf2 import VCF

from hurtig.genes.consequences import (
    Severity,
    csq_format,
    most_severe_per_gene,
    on_transcript,
    parse_snpeff_ann,
    parse_vep_csq,
)

VEP_HEADER = (
    '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
    "Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|"
    "HGVSc|HGVSp|cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|"
    'Existing_variation|DISTANCE|STRAND|FLAGS|SYMBOL_SOURCE|HGNC_ID">'
)
SNPEFF_HEADER = (
    "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | "
    "Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | "
    "Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length "
    "| AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' \">"
)
VEP_APP = (
    "T|missense_variant|MODERATE|APP|ENSG00000142192|Transcript|ENST00000346798|protein_coding|"
    "17/18||ENST00000346798.8:c.2149G>A|ENSP00000284981.4:p.Val717Ile|2348|2149|717|V/I|Gtc/Atc|"
    "rs63750264||-1||HGNC|HGNC:620,"
    "T|missense_variant&NMD_transcript_variant|MODERATE|APP|ENSG00000142192|Transcript|"
    "ENST00000448850|nonsense_mediated_decay|16/17||ENST00000448850.5:c.1927G>A|"
    "ENSP00000400376.1:p.Val643Ile|2000|1927|643|V/I|Gtc/Atc|rs63750264||-1||HGNC|HGNC:620"
)
VEP_JAM2_DEL = (
    "-|splice_region_variant&intron_variant|LOW|JAM2|ENSG00000154721|Transcript|"
    "ENST00000480456|protein_coding||2/9|ENST00000480456.5:c.172+5del|||||||||1||HGNC|HGNC:14686"
)
SNPEFF_APP = (
    "T|missense_variant|MODERATE|APP|ENSG00000142192|transcript|ENST00000346798.8|"
    "protein_coding|17/18|c.2149G>A|p.Val717Ile|2348/3403|2149/2313|717/770||,"
    "T|upstream_gene_variant|MODIFIER|AP001439.1|ENSG00000226983|transcript|ENST00000419029.1|"
    "lincRNA||n.-1234C>T|||||1234|,"
    "T|intergenic_region|MODIFIER|APP-GABPA|ENSG00000142192-ENSG00000154727|intergenic_region|"
    "ENSG00000142192-ENSG00000154727|||n.25891784C>T||||||"
)


def write(tmp_path: Path, header: str, info: str) -> Path:
    path = tmp_path / "in.vcf"
    path.write_text(
        "\n".join(
            [
                "##fileformat=VCFv4.2",
                "##contig=<ID=chr21,length=46709983>",
                header,
                "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
                f"chr21\t25891784\t.\tC\tT\t.\t.\t{info}",
            ]
        )
        + "\n"
    )
    return path


def description(vcf: VCF, key: str) -> str:
    for item in vcf.header_iter():
        info = item.info()
        if info.get("HeaderType") == "INFO" and info.get("ID") == key:
            return info["Description"]
    raise AssertionError(key)


def test_vep_csq_from_a_real_header(tmp_path: Path) -> None:
    vcf = VCF(str(write(tmp_path, VEP_HEADER, f"CSQ={VEP_APP}")))
    fields = csq_format(description(vcf, "CSQ"))
    assert fields[:4] == ["Allele", "Consequence", "IMPACT", "SYMBOL"] and len(fields) == 23
    record = next(iter(vcf))
    parsed = parse_vep_csq(record.INFO["CSQ"], fields, alt=record.ALT[0])
    assert len(parsed) == 2
    main = on_transcript(parsed, "ENST00000346798.8")
    assert main is not None and main.worst is Severity.missense_variant
    assert main.gene == "APP" and main.strand == "-" and main.biotype == "protein_coding"
    assert main.dna_change == "ENST00000346798.8:c.2149G>A"
    assert main.aa_change == "ENSP00000284981.4:p.Val717Ile"
    nmd = on_transcript(parsed, "ENST00000448850")
    assert nmd is not None
    assert nmd.terms == (Severity.missense_variant, Severity.NMD_transcript_variant)
    assert most_severe_per_gene(parsed)["APP"].transcript == "ENST00000346798"  # sort by id


def test_vep_deletion_allele_and_filter() -> None:
    fields = csq_format(VEP_HEADER.split('Description="', 1)[1])
    # VEP writes "-" for a deleted allele (REF GA, ALT G)
    parsed = parse_vep_csq(VEP_JAM2_DEL, fields, alt="G")
    assert len(parsed) == 1
    assert parsed[0].terms == (Severity.splice_region_variant, Severity.intron_variant)
    assert parsed[0].dna_change.endswith("c.172+5del") and parsed[0].strand == "+"
    assert parse_vep_csq(VEP_JAM2_DEL, fields, alt="GT") == ()


def test_snpeff_ann_from_a_real_header(tmp_path: Path) -> None:
    vcf = VCF(str(write(tmp_path, SNPEFF_HEADER, f"ANN={SNPEFF_APP}")))
    assert csq_format(description(vcf, "ANN"))[9] == "HGVS.c"
    record = next(iter(vcf))
    parsed = parse_snpeff_ann(record.INFO["ANN"], alt="T")
    assert len(parsed) == 3
    app = on_transcript(parsed, "ENST00000346798")
    assert app is not None and app.worst is Severity.missense_variant
    assert (app.dna_change, app.aa_change) == ("c.2149G>A", "p.Val717Ile")
    assert parsed[1].worst is Severity.upstream_gene_variant
    assert parsed[2].worst is Severity.non_coding_transcript_variant  # intergenic_region word
    assert parsed[2].transcript == ""
    assert most_severe_per_gene(parsed)["APP"] is app
    assert parse_snpeff_ann(SNPEFF_APP, alt="A") == ()
