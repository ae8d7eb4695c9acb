"""Dry-run DAG tests: which rules run how often for a trio and a singleton, and loud bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import yaml

from builders import SampleSheet, UnitSheet, dry_run

REPO = Path(__file__).resolve().parents[2]

# A non-empty gzipped FASTQ: load_run refuses empty or uncompressed read files.
FASTQ_GZ = gzip.compress(b"@r\nACGT\n+\nIIII\n")


def write_run(tmp_path: Path, samples: SampleSheet) -> Path:
    """A config in tmp_path using the demo resources, with the given samples sheet."""
    demo = REPO / "resources" / "demo"
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"], config["units"] = "samples.tsv", "units.tsv"
    config["reference"]["fasta"] = str(demo / "reference" / "chr21.fa.gz")
    config["reference"]["gff3"] = str(demo / "annotation" / "genes.gff3.gz")
    config["annotation"]["gnomad"] = str(demo / "annotation" / "gnomad.vcf.gz")
    config["annotation"]["clinvar"] = str(demo / "annotation" / "clinvar.vcf.gz")
    config["panels"] = str(demo / "panels")
    config["calling"]["shards"] = 3
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    samples.to_path(tmp_path / "samples.tsv")
    units = UnitSheet()
    for name in samples.samples():
        for lane in ("L1", "L2"):
            for read in (1, 2):
                (tmp_path / f"{name}_{lane}_{read}.fq.gz").write_bytes(FASTQ_GZ)
            units.add(name, lane, f"{name}_{lane}_1.fq.gz", f"{name}_{lane}_2.fq.gz")
    units.to_path(tmp_path / "units.tsv")
    return tmp_path / "config.yaml"


def test_demo_trio_dag(tmp_path: Path) -> None:
    result = dry_run(tmp_path)
    assert result.returncode == 0, result.output
    counts = result.job_counts()
    assert counts["trim_reads"] == 3  # read chunks (and so align_reads jobs) appear at run time
    assert counts["mark_duplicates"] == 3
    assert counts["call_shard"] == 8  # one family x config calling.shards
    assert counts["annotate_shard"] == 8  # annotation per shard, so panels need not wait
    assert counts["concat_calls"] == 1 and counts["concat_annotated"] == 1
    assert counts["prioritise_variants"] == 2  # proband x two panels; parents have none
    assert counts["render_report"] == 2
    assert counts["write_read_views"] == 2  # one per report
    assert counts["resolve_panel"] == 2
    assert counts["write_ella_analysis"] == counts["publish_ella_analysis"] == 2  # sample x panel
    assert counts["write_scout_case"] == counts["publish_scout_case"] == 1  # per family


def test_two_lanes_trio_and_singleton(tmp_path: Path) -> None:
    sheet = SampleSheet.trio(child_sex="male", panels=["neuro_demo"])
    sheet.add("solo", "single", sex="female", affected=True, panels=["neuro_demo", "epilepsy_demo"])
    config = write_run(tmp_path, sheet)
    result = dry_run(tmp_path, "--configfile", str(config))
    assert result.returncode == 0, result.output
    counts = result.job_counts()
    assert counts["trim_reads"] == 8  # 4 samples x 2 lanes
    assert counts["mark_duplicates"] == 4  # lanes merged per sample
    assert counts["call_shard"] == 6  # 2 families x 3 shards
    assert counts["annotate_shard"] == 6
    assert counts["concat_calls"] == 2
    assert counts["prioritise_variants"] == 3
    assert counts["resolve_panel"] == 2  # panels resolved once, shared by samples
    assert counts["write_ella_analysis"] == 3
    assert counts["write_scout_case"] == 2  # both families have panels


def test_bad_sheet_fails_before_any_job(tmp_path: Path) -> None:
    sheet = SampleSheet().add("kid", father="dad", sex="male", affected=True, panels=["neuro_demo"])
    config = write_run(tmp_path, sheet)
    result = dry_run(tmp_path, "--configfile", str(config))
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("hurtig error:")]
    assert errors == [
        f"hurtig error: {tmp_path / 'samples.tsv'}: row 2: father 'dad' of sample 'kid' "
        "is not in the sheet"
    ]


def test_unknown_panel_fails(tmp_path: Path) -> None:
    sheet = SampleSheet().add("kid", sex="male", affected=True, panels=["no_such_panel"])
    config = write_run(tmp_path, sheet)
    result = dry_run(tmp_path, "--configfile", str(config))
    assert result.returncode != 0
    assert "panel 'no_such_panel' requested in samples sheet not found" in result.stderr


def test_screen_reads_aligns_each_lane_of_the_screened_reads(tmp_path: Path) -> None:
    """fast_path.screen_reads: the fast path merges one screened alignment a lane (unit)."""
    sheet = SampleSheet.trio(child_sex="male", panels=["neuro_demo"])
    config = write_run(tmp_path, sheet)
    settings = yaml.safe_load(config.read_text())
    settings["fast_path"] = {"screen_reads": True}
    config.write_text(yaml.safe_dump(settings))
    result = dry_run(tmp_path, "--configfile", str(config))
    assert result.returncode == 0, result.output
    counts = result.job_counts()
    assert counts["align_screened_reads"] == 6  # 3 samples x 2 lanes, before the screen's chunks
    assert counts["merge_panel_reads"] == 3
    assert counts["mark_duplicates"] == 3  # the genome path is unchanged
