"""Bad input is refused before any job: one ``hurtig error:`` line naming the file and the problem.

Every case breaks one thing in a good trio run (:class:`FaultRun`) and asserts the exact error
line of a dry run (``snakemake -n``, exit code 1, no traceback, no ``results/``) and of
``hurtig check`` (exit code 2). docs/RELIABILITY.md lists the cases ("Bad input, refused before
any job").
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pysam
import pytest

from builders import SampleSheet, VcfBuilder
from faults.bad_runs import FaultRun

Case = Callable[[FaultRun], str]
"""Breaks a run; returns the expected error line (after ``hurtig error: ``)."""


def assert_refused(run: FaultRun, expected: str) -> None:
    """The dry run and ``hurtig check`` print exactly this one error line."""
    assert run.errors() == [expected]
    assert run.check_errors() == [expected]


# --- samples.tsv ------------------------------------------------------------------------------


def _sample_zero(run: FaultRun) -> str:
    run.samples = SampleSheet().add("kid", father="0", sex="female", affected=True)
    run.samples.add("0", sex="male")
    run.units[1]["sample"] = "0"
    run.units.pop()
    return (
        f"{run.samples_file}: row 3: column 'sample': '0' cannot be a sample id "
        "('0' in the father/mother columns means no parent)"
    )


def _sample_with_slash(run: FaultRun) -> str:
    run.samples.rows[0] = ("../kid", *run.samples.rows[0][1:])
    return (
        f"{run.samples_file}: row 2: column 'sample': '../kid' does not match "
        "'^[A-Za-z0-9][A-Za-z0-9._-]*$'"
    )


def _family_with_space(run: FaultRun) -> str:
    run.samples.rows[1] = (run.samples.rows[1][0], "fam 2", *run.samples.rows[1][2:])
    return (
        f"{run.samples_file}: row 3: column 'family': 'fam 2' does not match "
        "'^[A-Za-z0-9][A-Za-z0-9._-]*$'"
    )


def _sample_id_too_long(run: FaultRun) -> str:
    long_id = "k" * 65
    run.samples.rows[0] = (long_id, *run.samples.rows[0][1:])
    return f"{run.samples_file}: row 2: column 'sample': '{long_id}' is too long"


def _sample_twice(run: FaultRun) -> str:
    run.samples.add("dad", sex="male")
    return f"{run.samples_file}: row 5: sample 'dad' appears twice"


def _sample_case_twin(run: FaultRun) -> str:
    run.samples.add("Dad", sex="male")
    run.units.append(dict(run.units[1], sample="Dad", fq1="x_1.fq.gz", fq2="x_2.fq.gz"))
    return (
        f"{run.samples_file}: row 5: sample 'Dad' differs from sample 'dad' only in case "
        "(their files would collide on a case-insensitive file system)"
    )


def _parent_not_in_sheet(run: FaultRun) -> str:
    run.samples.rows[0] = (*run.samples.rows[0][:2], "grandad", *run.samples.rows[0][3:])
    return f"{run.samples_file}: row 2: father 'grandad' of sample 'kid' is not in the sheet"


def _parent_in_other_family(run: FaultRun) -> str:
    run.samples.rows[1] = (run.samples.rows[1][0], "other", *run.samples.rows[1][2:])
    return f"{run.samples_file}: row 2: father 'dad' is in family 'other', not 'fam'"


def _father_is_female(run: FaultRun) -> str:
    run.samples.rows[1] = (*run.samples.rows[1][:4], "female", *run.samples.rows[1][5:])
    return f"{run.samples_file}: row 2: father 'dad' has sex female, expected male"


def _pedigree_cycle(run: FaultRun) -> str:
    run.samples.rows[1] = (*run.samples.rows[1][:2], "kid", *run.samples.rows[1][3:])
    run.samples.rows[0] = (*run.samples.rows[0][:4], "male", *run.samples.rows[0][5:])
    return (
        f"{run.samples_file}: row 2: sample 'kid' is its own ancestor (kid -> dad -> kid; "
        "each name is a parent of the one before)"
    )


def _unknown_sex(run: FaultRun) -> str:
    run.samples.rows[2] = (*run.samples.rows[2][:4], "F", *run.samples.rows[2][5:])
    return (
        f"{run.samples_file}: row 4: column 'sex': 'F' is not one of ['male', 'female', 'unknown']"
    )


def _unknown_column(run: FaultRun) -> str:
    run.samples = SampleSheet(extra_columns=["colour"])
    for name, sex in (("kid", "female"), ("dad", "male"), ("mum", "female")):
        run.samples.add(name, sex=sex, extra=["red"])
    return (
        f"{run.samples_file}: unknown column 'colour' (allowed: sample, family, father, "
        "mother, sex, affected, panels, hpo, research)"
    )


def _sheet_not_utf8(run: FaultRun) -> str:
    run.samples.rows[2] = ("m\xfcm", *run.samples.rows[2][1:])
    run.write()
    run.samples_file.write_bytes(run.samples_file.read_text().encode("latin-1"))
    run.write = lambda: run.config_file  # type: ignore[method-assign]
    return (
        f"{run.samples_file}: line 4: not UTF-8 text (byte 2 of the line); save the sheet as UTF-8"
    )


def _unknown_panel(run: FaultRun) -> str:
    run.samples.rows[0] = (*run.samples.rows[0][:6], "no_such_panel")
    return (
        f"{run.config['panels']}: panel 'no_such_panel' requested in samples sheet not found "
        f"({run.config['panels']}: panel 'no_such_panel' not found)"
    )


def _panel_pinned_twice(run: FaultRun) -> str:
    run.samples.rows[0] = (*run.samples.rows[0][:6], "neuro_demo@1.0")
    run.samples.rows[2] = (*run.samples.rows[2][:6], "neuro_demo")
    return (
        f"{run.config_file}: samples request panel neuro_demo as both 'neuro_demo' and "
        "'neuro_demo@1.0'; use one version per run"
    )


SAMPLE_CASES: dict[str, Case] = {
    "sample-id-0": _sample_zero,
    "sample-id-with-slash": _sample_with_slash,
    "family-id-with-space": _family_with_space,
    "sample-id-too-long": _sample_id_too_long,
    "duplicate-sample": _sample_twice,
    "sample-ids-differ-only-in-case": _sample_case_twin,
    "parent-not-in-sheet": _parent_not_in_sheet,
    "parent-in-another-family": _parent_in_other_family,
    "father-female": _father_is_female,
    "pedigree-cycle": _pedigree_cycle,
    "sex-not-in-vocabulary": _unknown_sex,
    "unknown-column": _unknown_column,
    "sheet-not-utf8": _sheet_not_utf8,
    "panel-unknown": _unknown_panel,
    "panel-version-pinned-twice": _panel_pinned_twice,
}


@pytest.mark.parametrize("case", SAMPLE_CASES.values(), ids=SAMPLE_CASES.keys())
def test_bad_samples_sheet(fault_run: FaultRun, case: Case) -> None:
    assert_refused(fault_run, case(fault_run))


# --- units.tsv: values and read files -----------------------------------------------------------


def _fastq_missing(run: FaultRun) -> str:
    (run.root / "dad_2.fq.gz").unlink()
    return f"{run.units_file}: row 3: column 'fq2': file not found: {run.root / 'dad_2.fq.gz'}"


def _fastq_empty(run: FaultRun) -> str:
    run.fastq("kid_1.fq.gz", b"")
    return f"{run.units_file}: row 2: column 'fq1': file is empty: {run.root / 'kid_1.fq.gz'}"


def _fastq_not_gzip(run: FaultRun) -> str:
    run.fastq("mum_1.fq.gz", gzip.decompress(run.fastq("x.fq.gz").read_bytes()))
    return (
        f"{run.units_file}: row 4: column 'fq1': not gzip-compressed (fq1 must be a gzipped "
        f"FASTQ): {run.root / 'mum_1.fq.gz'}"
    )


def _fastq_is_folder(run: FaultRun) -> str:
    (run.root / "reads").mkdir()
    run.units[0]["fq2"] = "reads"
    return f"{run.units_file}: row 2: column 'fq2': not a regular file: {run.root / 'reads'}"


def _r1_is_r2(run: FaultRun) -> str:
    run.units[0]["fq2"] = run.units[0]["fq1"]
    return (
        f"{run.units_file}: row 2: fq1 and fq2 are the same file: {run.root / 'kid_1.fq.gz'}; "
        "read 1 and read 2 must be two files"
    )


def _r2_hard_link_of_r1(run: FaultRun) -> str:
    (run.root / "kid_2.fq.gz").unlink()
    os.link(run.root / "kid_1.fq.gz", run.root / "kid_2.fq.gz")
    return (
        f"{run.units_file}: row 2: fq1 and fq2 are the same file ({run.root / 'kid_1.fq.gz'} "
        f"and {run.root / 'kid_2.fq.gz'} are links to one file); read 1 and read 2 must be two "
        "files"
    )


def _r2_symlink_to_r1(run: FaultRun) -> str:
    (run.root / "dad_2.fq.gz").unlink()
    (run.root / "dad_2.fq.gz").symlink_to(run.root / "dad_1.fq.gz")
    return (  # a relative sheet path resolves through the link
        f"{run.units_file}: row 3: fq1 and fq2 are the same file: {run.root / 'dad_1.fq.gz'}; "
        "read 1 and read 2 must be two files"
    )


def _r2_absolute_symlink_to_r1(run: FaultRun) -> str:
    (run.root / "mum_2.fq.gz").unlink()
    (run.root / "mum_2.fq.gz").symlink_to(run.root / "mum_1.fq.gz")
    run.units[2]["fq2"] = str(run.root / "mum_2.fq.gz")
    return (
        f"{run.units_file}: row 4: fq1 and fq2 are the same file ({run.root / 'mum_1.fq.gz'} "
        f"and {run.root / 'mum_2.fq.gz'} are links to one file); read 1 and read 2 must be two "
        "files"
    )


def _fastq_in_two_units(run: FaultRun) -> str:
    run.units[2]["fq1"] = run.units[1]["fq1"]
    return (
        f"{run.units_file}: row 4: column 'fq1': the file of row 3 (column 'fq1') again: "
        f"{run.root / 'dad_1.fq.gz'}"
    )


def _bam_and_fastq(run: FaultRun) -> str:
    run.units[0]["bam"] = "kid.bam"
    return f"{run.units_file}: row 2: give either fq1/fq2 or bam, not both"


def _bam_not_bam(run: FaultRun) -> str:
    (run.root / "kid.bam").write_text("@HD\tVN:1.6\n")
    run.units[0].update(fq1="", fq2="", bam="kid.bam")
    return (
        f"{run.units_file}: row 2: column 'bam': neither a BAM (BGZF) nor a CRAM file: "
        f"{run.root / 'kid.bam'}"
    )


def _fq2_missing(run: FaultRun) -> str:
    run.units[1]["fq2"] = ""
    return f"{run.units_file}: row 3: paired FASTQ needs both fq1 and fq2 (or give bam)"


def _unknown_platform(run: FaultRun) -> str:
    run.units[0]["platform"] = "SANGER"
    return (
        f"{run.units_file}: row 2: column 'platform': 'SANGER' is not one of "
        "['ILLUMINA', 'MGI', 'ELEMENT', 'ULTIMA', 'DNBSEQ']"
    )


def _unit_twice(run: FaultRun) -> str:
    run.units.append(dict(run.units[0], fq1="k_1.fq.gz", fq2="k_2.fq.gz"))
    return f"{run.units_file}: row 5: unit 'L1' of 'kid' appears twice"


def _unit_of_unknown_sample(run: FaultRun) -> str:
    run.units[2]["sample"] = "mother"
    return f"{run.units_file}: row 4: sample 'mother' is not in the samples sheet"


def _sample_without_units(run: FaultRun) -> str:
    run.units.pop()
    return f"{run.units_file}: sample 'mum' has no units"


UNIT_CASES: dict[str, Case] = {
    "fastq-missing": _fastq_missing,
    "fastq-empty": _fastq_empty,
    "fastq-not-gzip": _fastq_not_gzip,
    "fastq-is-a-folder": _fastq_is_folder,
    "r1-equals-r2-same-path": _r1_is_r2,
    "r1-equals-r2-hard-link": _r2_hard_link_of_r1,
    "r1-equals-r2-symlink": _r2_symlink_to_r1,
    "r1-equals-r2-absolute-symlink": _r2_absolute_symlink_to_r1,
    "fastq-in-two-units": _fastq_in_two_units,
    "bam-and-fastq": _bam_and_fastq,
    "bam-not-bam": _bam_not_bam,
    "fq2-missing": _fq2_missing,
    "unknown-platform": _unknown_platform,
    "unit-twice": _unit_twice,
    "unit-of-unknown-sample": _unit_of_unknown_sample,
    "sample-without-units": _sample_without_units,
}


@pytest.mark.parametrize("case", UNIT_CASES.values(), ids=UNIT_CASES.keys())
def test_bad_units_sheet(fault_run: FaultRun, case: Case) -> None:
    assert_refused(fault_run, case(fault_run))


def test_unreadable_fastq(shared_fault_run: FaultRun) -> None:
    """Permission denied: as root, ``hurtig check`` runs as nobody (root reads every file)."""
    run = shared_fault_run
    (run.root / "kid_2.fq.gz").chmod(0)
    expected = (
        f"{run.units_file}: row 2: column 'fq2': cannot read {run.root / 'kid_2.fq.gz'} "
        "(Permission denied)"
    )
    if os.geteuid() == 0:
        probe = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
             "-c", "import hurtig"],
            capture_output=True, check=False,
        )  # fmt: skip
        if probe.returncode != 0:
            pytest.skip("the checkout's venv is not readable by 'nobody' (a private clone folder)")
        assert run.check_errors(user=65534) == [expected]
    else:
        assert_refused(run, expected)


# --- paths that cannot be passed on safely ------------------------------------------------------

REFUSED = "(paths may not hold control characters or any of { } $ ` ; | & < > \\ ' \" * ?)"


def _brace_in_fastq(run: FaultRun) -> str:
    path = run.fastq("kid_{sample}_1.fq.gz")
    run.units[0]["fq1"] = path.name
    return (
        f"{run.units_file}: row 2: column 'fq1': path {path} contains '{{'; rename or link the "
        f"file {REFUSED}"
    )


def _command_in_fastq(run: FaultRun) -> str:
    path = run.fastq("z$(touch PWNED)z.fastq.gz")
    run.units[1]["fq2"] = path.name
    return (
        f"{run.units_file}: row 3: column 'fq2': path {path} contains '$'; rename or link the "
        f"file {REFUSED}"
    )


def _semicolon_in_fastq(run: FaultRun) -> str:
    path = run.fastq("x.fastq.gz;touch PWNED")
    run.units[2]["fq1"] = path.name
    return (
        f"{run.units_file}: row 4: column 'fq1': path {path} contains ';'; rename or link the "
        f"file {REFUSED}"
    )


def _newline_in_config_path(run: FaultRun) -> str:
    run.config["annotation"]["gnomad"] = str(run.root / "gnomad\n.vcf.gz")
    return (
        f"{run.config_file}: annotation.gnomad: path {run.root}/gnomad\\n.vcf.gz contains a "
        f"newline (U+000A); rename or link the file {REFUSED}"
    )


def _tab_in_config_path(run: FaultRun) -> str:
    run.config["reference"]["fasta"] = str(run.root / "ref\t.fa")
    return (
        f"{run.config_file}: reference.fasta: path {run.root}/ref\\t.fa contains a tab "
        f"(U+0009); rename or link the file {REFUSED}"
    )


def _quote_in_config_path(run: FaultRun) -> str:
    run.config["panels"] = str(run.root / "it's panels")
    return (
        f"{run.config_file}: panels: path {run.root}/it's panels contains \"'\"; rename or link "
        f"the file {REFUSED}"
    )


def _brace_in_cache_dir(run: FaultRun) -> str:
    run.config["annotation"]["cache_dir"] = "cache/{family}"
    return (
        f"{run.config_file}: annotation.cache_dir: path {run.root}/cache/{{family}} contains "
        f"'{{'; rename or link the file {REFUSED}"
    )


def _line_separator_in_sheet_path(run: FaultRun) -> str:
    run.config["samples"] = "samples\u2028.tsv"
    return (
        f"{run.config_file}: samples: path {run.root}/samples\\u2028.tsv contains the invisible "
        f"character U+2028; rename or link the file {REFUSED}"
    )


PATH_CASES: dict[str, Case] = {
    "brace-in-fastq-path": _brace_in_fastq,
    "command-substitution-in-fastq-path": _command_in_fastq,
    "semicolon-in-fastq-path": _semicolon_in_fastq,
    "newline-in-config-path": _newline_in_config_path,
    "tab-in-config-path": _tab_in_config_path,
    "quote-in-config-path": _quote_in_config_path,
    "brace-in-cache-dir": _brace_in_cache_dir,
    "line-separator-in-sheet-path": _line_separator_in_sheet_path,
}


@pytest.mark.parametrize("case", PATH_CASES.values(), ids=PATH_CASES.keys())
def test_unsafe_path(fault_run: FaultRun, case: Case) -> None:
    assert_refused(fault_run, case(fault_run))


def test_space_in_path_is_accepted(fault_run: FaultRun) -> None:
    """Spaces are common in shared folders; every rule quotes its paths, so they are accepted."""
    path = fault_run.fastq("kid R1 (copy).fq.gz")
    fault_run.units[0]["fq1"] = path.name
    result = fault_run.plan()
    assert result.returncode == 0, result.output[-3000:]


# --- contig names: reference, annotation sources, gene model ------------------------------------

CHR21 = 46_709_983


def source_vcf(run: FaultRun, name: str, contig: str) -> Path:
    """A bgzipped, tabix-indexed sites VCF with one record on ``contig``."""
    vcf = VcfBuilder(contigs={contig: CHR21})
    vcf.add(contig, 10_000_000, "A", "G", info={"AF": 0.1})
    return vcf.to_path(run.root / name)


def score_tsv(run: FaultRun, contig: str) -> Path:
    """A bgzipped, tabix-indexed score TSV with one row on ``contig``."""
    plain = run.root / "scores.tsv"
    plain.write_text(f"#chrom\tpos\tref\talt\tPHRED\n{contig}\t10000000\tA\tG\t12.5\n")
    return Path(pysam.tabix_index(str(plain), seq_col=0, start_col=1, end_col=1, force=True))


def gene_model(run: FaultRun, contig: str, *, pragma: bool = True) -> Path:
    """A gzipped GFF3 with one gene on ``contig`` (with or without ``##sequence-region``)."""
    lines = ["##gff-version 3"]
    lines += [f"##sequence-region   {contig} 1 {CHR21}"] if pragma else []
    gene = "ID=gene:G1;Name=G1;biotype=protein_coding"
    lines += [f"{contig}\tensembl\tgene\t100\t200\t.\t+\t.\t{gene}"]
    path = run.root / "genes.gff3.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def _gnomad_without_chr(run: FaultRun) -> str:
    run.config["annotation"]["gnomad"] = str(source_vcf(run, "gnomad.vcf.gz", "21"))
    return (
        f"{run.config_file}: annotation.gnomad: gnomad.vcf.gz names contigs 21 but the "
        'reference chr21: add annotation.contig_map: {"21": "chr21"} to the config'
    )


def _clinvar_without_chr(run: FaultRun) -> str:
    run.config["annotation"]["clinvar"] = str(source_vcf(run, "clinvar.vcf.gz", "21"))
    return (
        f"{run.config_file}: annotation.clinvar: clinvar.vcf.gz names contigs 21 but the "
        'reference chr21: add annotation.contig_map: {"21": "chr21"} to the config'
    )


def _score_file_without_chr(run: FaultRun) -> str:
    run.config["annotation"]["scores"] = [
        {
            "name": "cadd",
            "file": str(score_tsv(run, "21")),
            "format": "tsv",
            "columns": ["chrom", "pos", "ref", "alt"],
            "fields": [{"column": "PHRED", "info": "CADD_PHRED", "type": "Float"}],
        }
    ]
    return (
        f"{run.config_file}: annotation.scores.0.file (cadd): scores.tsv.gz names contigs 21 "
        'but the reference chr21: add annotation.contig_map: {"21": "chr21"} to the config'
    )


def _gff3_without_chr(run: FaultRun) -> str:
    run.config["reference"]["gff3"] = str(gene_model(run, "21"))
    return (
        f"{run.config_file}: reference.gff3: genes.gff3.gz names contigs 21 but the reference "
        "chr21: the gene model must use the reference's names (annotation.contig_map does not "
        "apply to it); use a GFF3 for this reference"
    )


def _gff3_without_pragma(run: FaultRun) -> str:
    run.config["reference"]["gff3"] = str(gene_model(run, "21", pragma=False))
    run.config["annotation"]["contig_map"] = {"21": "chr21"}  # no help for the gene model
    return _gff3_without_chr(run)


def _gnomad_other_genome(run: FaultRun) -> str:
    run.config["annotation"]["gnomad"] = str(source_vcf(run, "gnomad.vcf.gz", "NC_000021.9"))
    return (
        f"{run.config_file}: annotation.gnomad: gnomad.vcf.gz shares no contig with the "
        "reference (gnomad.vcf.gz: NC_000021.9; reference: chr21): use a source for this "
        "reference or map its names with annotation.contig_map"
    )


def _contig_map_to_wrong_name(run: FaultRun) -> str:
    run.config["annotation"]["contig_map"] = {"21": "chr12"}
    return _gnomad_without_chr(run)


CONTIG_CASES: dict[str, Case] = {
    "gnomad-21-vs-chr21": _gnomad_without_chr,
    "clinvar-21-vs-chr21": _clinvar_without_chr,
    "score-file-21-vs-chr21": _score_file_without_chr,
    "gff3-21-vs-chr21": _gff3_without_chr,
    "gff3-without-sequence-region-21-vs-chr21": _gff3_without_pragma,
    "gnomad-other-contig-names": _gnomad_other_genome,
    "contig-map-to-a-name-not-in-reference": _contig_map_to_wrong_name,
}


@pytest.mark.parametrize("case", CONTIG_CASES.values(), ids=CONTIG_CASES.keys())
def test_contig_names_disagree(fault_run: FaultRun, case: Case) -> None:
    assert_refused(fault_run, case(fault_run))


def test_gnomad_without_index(fault_run: FaultRun) -> None:
    gnomad = source_vcf(fault_run, "gnomad.vcf.gz", "chr21")
    Path(f"{gnomad}.tbi").unlink()
    fault_run.config["annotation"]["gnomad"] = str(gnomad)
    pattern = (
        re.escape(
            f"{fault_run.config_file}: annotation.gnomad: cannot read the tabix index of {gnomad} ("
        )
        + r".+"
        + re.escape(
            "); the file must be bgzipped and indexed: tabix -p vcf (or -s1 -b2 -e2 for a TSV) "
            "gnomad.vcf.gz"
        )
    )
    for lines in (fault_run.errors(), fault_run.check_errors()):
        assert len(lines) == 1 and re.fullmatch(pattern, lines[0]), lines


@pytest.mark.parametrize(
    "contig_map",
    [{"21": "chr21"}, {"chr21": "21"}],
    ids=["source-to-reference", "reference-to-source"],
)
def test_contig_map_makes_other_names_pass(fault_run: FaultRun, contig_map: dict[str, str]) -> None:
    """The documented fix passes the check (the annotation engine reads the map both ways)."""
    fault_run.config["annotation"]["gnomad"] = str(source_vcf(fault_run, "gnomad.vcf.gz", "21"))
    fault_run.config["annotation"]["clinvar"] = str(source_vcf(fault_run, "clinvar.vcf.gz", "21"))
    fault_run.config["annotation"]["contig_map"] = contig_map
    result = fault_run.plan()
    assert result.returncode == 0, result.output[-3000:]


# --- config.yaml --------------------------------------------------------------------------------


def _reference_missing(run: FaultRun) -> str:
    run.config["reference"]["fasta"] = str(run.root / "missing.fa.gz")
    return f"{run.config_file}: reference.fasta not found: {run.root / 'missing.fa.gz'}"


def _reference_empty(run: FaultRun) -> str:
    run.config["reference"]["fasta"] = str(run.fastq("empty.fa", b""))
    return f"{run.config_file}: reference.fasta: file is empty: {run.root / 'empty.fa'}"


def _reference_not_fasta(run: FaultRun) -> str:
    run.config["reference"]["fasta"] = str(run.fastq("notes.fa", b"ACGT\n"))
    return f"{run.config_file}: reference.fasta has no sequences: {run.root / 'notes.fa'}"


def _unknown_build(run: FaultRun) -> str:
    run.config["reference"]["build"] = "hg19"
    return f"{run.config_file}: reference.build: 'hg19' is not one of ['GRCh38', 'GRCh37']"


def _filters_typo(run: FaultRun) -> str:
    run.config["filters"] = {"max_af": 0.01}
    return f"{run.config_file}: filters: unknown key ('max_af' was unexpected)"


def _filters_wrong_type(run: FaultRun) -> str:
    run.config["filters"] = {"min_depth": "eight"}
    return f"{run.config_file}: filters.min_depth: 'eight' is not of type 'number'"


def _ranking_typo(run: FaultRun) -> str:
    run.config["ranking"] = {"de_nov": 4}
    return f"{run.config_file}: ranking: unknown key ('de_nov' was unexpected)"


def _unknown_top_level_key(run: FaultRun) -> str:
    run.config["refrence"] = {"fasta": "x.fa"}
    return f"{run.config_file}: unknown key ('refrence' was unexpected)"


def _panels_folder_missing(run: FaultRun) -> str:
    run.config["panels"] = str(run.root / "no_panels")
    return f"{run.config_file}: panels folder not found: {run.root / 'no_panels'}"


def _panels_without_gene_model(run: FaultRun) -> str:
    run.config["reference"]["gff3"] = None
    return f"{run.config_file}: samples request panels but reference.gff3 is not set"


def _managed_list_bad_class(run: FaultRun) -> str:
    managed = run.root / "managed.tsv"
    managed.write_text(
        "chrom\tpos\tref\talt\tclassification\tcomment\nchr21\t100\tA\tG\tpathogen\t\n"
    )
    run.config["managed_variants"] = str(managed)
    return (
        f"{managed}: line 2: classification 'pathogen' not in pathogenic, likely_pathogenic, "
        "uncertain_significance, likely_benign, benign"
    )


def _score_file_missing(run: FaultRun) -> str:
    run.config["annotation"]["scores"] = [
        {"name": "revel", "file": "revel.vcf.gz", "fields": [{"column": "REVEL", "info": "REVEL"}]}
    ]
    return f"{run.config_file}: annotation.scores.0.file not found: {run.root / 'revel.vcf.gz'}"


def _sv_population(run: FaultRun, name: str) -> Path:
    vcf = VcfBuilder(contigs={"chr21": 1_000_000})
    info = {"SVTYPE": "DEL", "END": 20_000, "AF": 0.01}
    vcf.add("chr21", 10_000, "N", "<DEL>", info=info, filters="PASS")
    return vcf.to_path(run.root / name)


def _sv_population_not_bgzipped(run: FaultRun) -> str:
    population = _sv_population(run, "gnomad_sv.vcf")
    run.config.setdefault("sv", {})["population"] = str(population)
    return f"{population}: SV population file is not bgzip-compressed (bgzip it)"


def _sv_population_without_index(run: FaultRun) -> str:
    population = _sv_population(run, "gnomad_sv.vcf.gz")
    Path(f"{population}.tbi").unlink()
    run.config.setdefault("sv", {})["population"] = str(population)
    return f"{population}: SV population file has no .tbi/.csi index (tabix -p vcf)"


def _fast_path_regions_missing(run: FaultRun) -> str:
    run.config["fast_path"] = {"regions": "rapid.bed"}
    return f"{run.config_file}: fast_path.regions not found: {run.root / 'rapid.bed'}"


def _fast_path_regions_wrong_contig(run: FaultRun) -> str:
    bed = run.root / "rapid.bed"
    bed.write_text("chr21\t25000000\t25001000\n21\t1\t100\n")
    run.config["fast_path"] = {"regions": str(bed)}
    return (
        f"{run.config_file}: fast_path.regions: {bed} names contigs the reference does not have: 21"
    )


def _fast_path_regions_not_bed(run: FaultRun) -> str:
    bed = run.root / "rapid.bed"
    bed.write_text("chr21 25000000 25001000\n")
    run.config["fast_path"] = {"regions": str(bed)}
    return f"{bed}: line 1 is not BED"


CONFIG_CASES: dict[str, Case] = {
    "reference-missing": _reference_missing,
    "reference-empty": _reference_empty,
    "reference-not-fasta": _reference_not_fasta,
    "unknown-build": _unknown_build,
    "filters-typo": _filters_typo,
    "filters-wrong-type": _filters_wrong_type,
    "ranking-typo": _ranking_typo,
    "unknown-top-level-key": _unknown_top_level_key,
    "panels-folder-missing": _panels_folder_missing,
    "panels-without-gene-model": _panels_without_gene_model,
    "managed-list-bad-classification": _managed_list_bad_class,
    "score-file-missing": _score_file_missing,
    "sv-population-not-bgzipped": _sv_population_not_bgzipped,
    "sv-population-without-index": _sv_population_without_index,
    "fast-path-regions-missing": _fast_path_regions_missing,
    "fast-path-regions-wrong-contig": _fast_path_regions_wrong_contig,
    "fast-path-regions-not-bed": _fast_path_regions_not_bed,
}


@pytest.mark.parametrize("case", CONFIG_CASES.values(), ids=CONFIG_CASES.keys())
def test_bad_config(fault_run: FaultRun, case: Case) -> None:
    assert_refused(fault_run, case(fault_run))


def test_good_run_passes(fault_run: FaultRun) -> None:
    """The unbroken run plans (so each case above fails for its own reason)."""
    result = fault_run.plan()
    assert result.returncode == 0, result.output[-3000:]
    assert "hurtig error" not in result.output
