"""Tests for hurtig.report.provenance_file: the provenance JSON owner type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hurtig.errors import InputError
from hurtig.report.provenance import build_provenance
from hurtig.report.provenance_file import (
    SCHEMA,
    ConfigDigest,
    InputFile,
    PipelineState,
    Provenance,
    read_provenance,
    write_provenance,
)

# Written by the code before the owner type existed (commit e9b4d22): hurtig provenance
# --sample S1 --config-json config.json --inputs tsv=... fastp=... fastp=... --repo /tmp
WRITTEN_BEFORE = """{
  "schema": "hurtig-provenance/1",
  "sample": "S1",
  "created_utc": "2026-12-01T15:18:31Z",
  "pipeline": {
    "name": "hurtig",
    "version": "0.1.0",
    "git_commit": "unknown",
    "git_dirty": null
  },
  "tools": {
    "bcftools": "1.16",
    "bwa": "0.7.17-r1188",
    "cyvcf2": "0.34.0",
    "fastp": "0.23.2",
    "hurtig": "0.1.0",
    "mosdepth": "0.3.3",
    "numpy": "2.4.6",
    "pandas": "3.1.1",
    "pysam": "0.24.1",
    "python": "3.11.7",
    "samtools": "1.16.1",
    "snakemake": "9.27.1"
  },
  "config": {
    "file": "config.json",
    "sha256": "dd5af5bcb123ea514822a5c8bae89bf390153f34b6561ee3723ef4b6a92e79c4"
  },
  "inputs": [
    {
      "name": "tsv",
      "path": "/tmp/h11-report-baseline/in/S1.epi.tsv",
      "size": 574,
      "sha256": "10d3f5fcc4ce8c05b01b18cd5998515bae75bf750b590d3975f39e5ae5408aa5"
    },
    {
      "name": "fastp",
      "path": "/tmp/h11-report-baseline/in/unit1.fastp.json",
      "size": 62429,
      "sha256": "d87e658e34a661ec063421d58f320e212b629c4cfe2ab2a16c858f7d9f266182"
    },
    {
      "name": "fastp",
      "path": "/tmp/h11-report-baseline/in/S1.stats.txt",
      "size": 9497,
      "sha256": "a3a5cf4ffbaea94532a4c00c6867bcfe3a3901983ff4b7805b15f2066125647a"
    }
  ]
}
"""


def example() -> Provenance:
    return Provenance(
        schema=SCHEMA,
        sample="S1",
        created_utc="2024-05-01T10:00:00Z",
        pipeline=PipelineState("hurtig", "0.1.0", "0123abc", True),
        tools={"bwa": "0.7.17-r1188", "samtools": "not found"},
        config=ConfigDigest("config.json", "ab" * 32),
        inputs=(
            InputFile("fastq", "/data/S1_R1.fq.gz", 1234, "cd" * 32),
            InputFile("fastq", "/data/S1_R2.fq.gz", 1300, "ef" * 32),
        ),
    )


def test_write_read_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "S1.json"
    write_provenance(example(), path)
    assert read_provenance(path) == example()
    assert list(json.loads(path.read_text())) == [
        "schema", "sample", "created_utc", "pipeline", "tools", "config", "inputs"
    ]  # fmt: skip


def test_reads_what_the_previous_code_wrote(tmp_path: Path) -> None:
    path = tmp_path / "S1.json"
    path.write_text(WRITTEN_BEFORE)
    record = read_provenance(path)
    assert record.to_json() == json.loads(WRITTEN_BEFORE)
    assert record.pipeline == PipelineState("hurtig", "0.1.0", "unknown", None)
    assert [i.name for i in record.inputs] == ["tsv", "fastp", "fastp"]
    assert record.inputs[0].size == 574 and record.config is not None
    again = tmp_path / "again.json"
    write_provenance(record, again)
    assert again.read_text() == WRITTEN_BEFORE  # byte for byte


def test_builder_writes_what_the_reader_reads(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text('{"a": 1}')
    data = tmp_path / "in.txt"
    data.write_text("x\n")
    record = build_provenance("S9", config, [("data", str(data))], repo=tmp_path, threads=1)
    path = tmp_path / "out.json"
    write_provenance(record, path)
    assert read_provenance(path) == record
    assert record.inputs == (InputFile("data", str(data), 2, record.inputs[0].sha256),)


def test_older_field_names_are_read(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps(
            {
                "pipeline": {"version": "0.0.9", "git_commit": "abc", "dirty": True},
                "tools": {"fastp": "0.23.2"},
                "config_sha256": "cd" * 32,
                "inputs": {"reference": {"path": "ref.fa", "sha256": "ef" * 32, "size": 12}},
                "created": "2024-01-01T00:00:00Z",
            }
        )
    )
    record = read_provenance(path)
    assert record.pipeline == PipelineState("", "0.0.9", "abc", True)
    assert record.config == ConfigDigest("", "cd" * 32)
    assert record.inputs == (InputFile("reference", "ref.fa", 12, "ef" * 32),)
    assert record.created_utc == "2024-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "must be a JSON object"),
        ({"schema": SCHEMA, "sample": "S"}, "provenance lacks created_utc"),
        ({"tools": ["bwa"]}, "'tools' must be an object"),
        ({"inputs": "x"}, "'inputs' must be a list"),
        ({"inputs": [1]}, "every entry of 'inputs' must be an object"),
        ({"inputs": [{"name": "a", "size": "big"}]}, "whole number of bytes"),
    ],
)
def test_malformed_files_are_input_errors(tmp_path: Path, data: object, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=message):
        read_provenance(path)
