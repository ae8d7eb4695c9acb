"""The shared test builders (tests/builders) write what the real tools and loaders read."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pysam
import pytest

from builders import Call, ReadsBuilder, SampleSheet, VcfBuilder, WorkflowRun, write_fasta
from builders.snakemake_runner import job_counts
from builders.vcf import parse_genotype
from hurtig.run.pedigree import Sex, load_pedigree, load_samples


def test_vcf_records_samples_and_header(tmp_path: Path) -> None:
    vcf = VcfBuilder(samples=["kid", "mum"], contigs={"chr1": 5_000, "chr2": 800})
    vcf.add("chr2", 50, "A", "G", calls={"kid": "1|0"})
    vcf.add(
        "chr1", 100, "A", ("G", "T"),
        calls={"kid": Call("1/2", ad=(1, 6, 5), dp=12, gq=99), "mum": "./."},
        info={"CLNSIG": "Pathogenic", "DN": True, "SCORE": 1.5},
        filters="LowQual",
    )  # fmt: skip
    path = vcf.to_path(tmp_path / "calls.vcf.gz")
    assert Path(f"{path}.tbi").is_file()
    with pysam.VariantFile(str(path)) as reader:
        assert list(reader.header.samples) == ["kid", "mum"]
        assert reader.header.info["DN"].type == "Flag"
        assert reader.header.info["SCORE"].type == "Float"
        assert reader.header.formats["GQ"].type == "Integer"
        first, second = list(reader)  # written in reference order
        only_chr2 = [r.pos for r in reader.fetch("chr2")]
    assert (first.contig, first.pos, first.alts) == ("chr1", 100, ("G", "T"))
    assert first.samples["kid"]["GT"] == (1, 2) and first.samples["kid"]["AD"] == (1, 6, 5)
    assert first.samples["kid"]["GQ"] == 99 and first.samples["mum"]["GT"] == (None, None)
    assert first.info["CLNSIG"] == "Pathogenic" and first.info["DN"] is True
    assert list(first.filter) == ["LowQual"]
    assert second.samples["kid"].phased and second.samples["kid"]["GT"] == (1, 0)
    assert only_chr2 == [50]


def test_plain_vcf_is_text_a_sites_only_vcf_has_no_samples(tmp_path: Path) -> None:
    vcf = VcfBuilder()
    vcf.add("chr1", 7, "C", "CT", info={"AF": (0.25,)})
    text = vcf.to_path(tmp_path / "sites.vcf").read_text()
    header = [line for line in text.splitlines() if line.startswith("#CHROM")]
    assert header == ["#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    assert text.splitlines()[-1] == "chr1\t7\t.\tC\tCT\t60\t.\tAF=0.25"


def test_parse_genotype() -> None:
    assert parse_genotype("0/1") == ((0, 1), False)
    assert parse_genotype("1|0") == ((1, 0), True)
    assert parse_genotype("./.") == ((None, None), False)
    assert parse_genotype("1") == ((1,), False)


def test_sample_sheet_trio_loads(tmp_path: Path) -> None:
    sheet = SampleSheet.trio(panels=["neuro_demo", "epilepsy_demo@1.0"])
    sheet.add("solo", "single", sex="male", affected=True)
    path = sheet.to_path(tmp_path / "samples.tsv")
    samples = load_samples(path)
    assert list(samples) == ["kid", "dad", "mum", "solo"]
    assert samples["kid"].panels == ("neuro_demo", "epilepsy_demo@1.0")
    pedigree = load_pedigree(path)
    assert pedigree.person("dad").sex == Sex.MALE
    assert [p.sample for p in pedigree.children("mum")] == ["kid"]


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    rng = random.Random(3)
    contigs = {"chr1": "".join(rng.choice("ACGT") for _ in range(1_000)), "chr2": "ACGT" * 100}
    return write_fasta(tmp_path / "ref.fa", contigs, bgzip=True)


@pytest.mark.parametrize("suffix", [".bam", ".cram"])
def test_reads_give_coverage_and_a_het_snv(reference: Path, tmp_path: Path, suffix: str) -> None:
    reads = ReadsBuilder(reference, sample="kid", read_length=50)
    ref_base = reads.sequences["chr1"][299]
    alt = "T" if ref_base != "T" else "G"
    assert reads.tile("chr1", 101, 500, step=5) == 71  # 10x over the middle
    assert reads.tile("chr1", 201, 400, step=5, changes={300: alt}) == 31
    reads.add_pair("chr2", 10, 200)
    path = reads.to_path(tmp_path / f"kid{suffix}")
    index = ".crai" if suffix == ".cram" else ".bai"
    assert Path(f"{path}{index}").is_file()
    with pysam.AlignmentFile(str(path), reference_filename=str(reference)) as aln:
        assert aln.header.to_dict()["RG"] == [
            {"ID": "kid", "SM": "kid", "LB": "lib", "PL": "ILLUMINA"}
        ]
        assert aln.count(until_eof=True) == 71 + 31 + 2
        assert aln.count("chr1", 299, 300) == 20
    called = subprocess.run(
        f"bcftools mpileup -f {reference} {path} 2>/dev/null | bcftools call -mv 2>/dev/null"
        " | bcftools query -f '%CHROM:%POS %REF>%ALT [%GT]\\n'",
        shell=True, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert called == f"chr1:300 {ref_base}>{alt} 0/1\n"


def test_reads_outside_the_contig_are_refused(reference: Path) -> None:
    reads = ReadsBuilder(reference, read_length=50)
    with pytest.raises(ValueError, match="outside the contig"):
        reads.add_read("chr2", 380)


JOB_STATS = """Building DAG of jobs...
Job stats:
job           count
----------  -------
call_shard        8
all               1
total             9

Reasons:
    call_shard 3
"""


def test_job_counts_read_the_first_table() -> None:
    assert job_counts(JOB_STATS) == {"call_shard": 8, "all": 1}
    assert job_counts("Nothing to be done.") == {}


def test_failure_report_shows_the_failed_jobs_logs(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "a.log").write_text("bcftools: the real reason\n")
    stderr = (
        "Error in rule call_shard:\n    jobid: 3\n"
        "    log: logs/a.log, logs/b.log (check log file(s) for error details)\n"
    )
    run = WorkflowRun(tmp_path, ("snakemake",), 1, "", stderr, 0.1)
    assert run.failed_logs() == {
        "logs/a.log": "bcftools: the real reason\n",
        "logs/b.log": "(no such file)",
    }
    report = run.failure_report()
    assert report.startswith(f"snakemake failed in {tmp_path}:")
    assert "--- logs/a.log ---\nbcftools: the real reason" in report
    with pytest.raises(pytest.fail.Exception, match="the real reason"):
        run.require_success()
    WorkflowRun(tmp_path, ("snakemake",), 0, "", "", 0.1).require_success()
