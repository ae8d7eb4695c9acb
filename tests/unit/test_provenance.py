"""Tests for hurtig.report.provenance."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import subprocess
from pathlib import Path

import pytest

import hurtig
from hurtig.errors import InputError, run_cli
from hurtig.io.files import sha256_file
from hurtig.report import provenance
from hurtig.report.provenance import (
    build_provenance,
    canonical_json_sha256,
    git_state,
    main,
    parse_inputs,
    tool_version,
)


def test_sha256_file_streams_blocks(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # > 2 MiB: several 1 MiB blocks
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert sha256_file(empty) == hashlib.sha256(b"").hexdigest()


def test_canonical_json_ignores_order_and_format() -> None:
    a = {"b": 1, "a": {"y": [1, 2], "x": "é"}}
    b = {"a": {"x": "é", "y": [1, 2]}, "b": 1}
    assert canonical_json_sha256(a) == canonical_json_sha256(b)
    text = '{"a":{"x":"é","y":[1,2]},"b":1}'
    assert canonical_json_sha256(a) == hashlib.sha256(text.encode()).hexdigest()
    assert canonical_json_sha256(a) != canonical_json_sha256({**a, "b": 2})


def test_tool_version_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "fakebwa"
    fake.write_text(
        "#!/bin/sh\necho '' >&2\necho 'Program: bwa' >&2\n"
        "echo 'Version: 0.7.17-r1188' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert tool_version(["fakebwa"], r"Version:\s*(\S+)") == "0.7.17-r1188"
    assert tool_version(["fakebwa"], r"nomatch (\S+)") == "unknown"
    assert tool_version(["surely-not-a-tool-xyz"], r"(\S+)") == "not found"


def test_git_state(tmp_path: Path) -> None:
    assert git_state(tmp_path) == ("unknown", None)
    repo = tmp_path / "repo"
    repo.mkdir()
    env = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "f.txt").write_text("1\n")
    subprocess.run(["git", "-C", str(repo), "add", "f.txt"], check=True)
    subprocess.run(["git", *env, "-C", str(repo), "commit", "-qm", "x"], check=True)
    commit, dirty = git_state(repo)
    assert re.fullmatch(r"[0-9a-f]{40}", commit) and dirty is False
    (repo / "f.txt").write_text("2\n")
    assert git_state(repo) == (commit, True)


def test_build_and_cli_json_shape(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"z": 1, "a": [1, 2]}, indent=4))
    r1 = tmp_path / "S1_R1.fastq.gz"
    r1.write_bytes(b"@r\nACGT\n+\nIIII\n")
    ref = tmp_path / "ref.fa"
    ref.write_text(">c\nACGT\n")
    out = tmp_path / "prov" / "S1.json"
    args = ["--sample", "S1", "--config-json", str(config), "--out", str(out)]
    args += ["--inputs", f"fastq={r1}", f"reference={ref}", f"fastq={ref}"]
    assert run_cli(main, args) == 0
    record = json.loads(out.read_text())
    assert set(record) == {
        "schema",
        "sample",
        "created_utc",
        "pipeline",
        "tools",
        "config",
        "inputs",
    }
    assert record["schema"] == "hurtig-provenance/1" and record["sample"] == "S1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["created_utc"])
    assert record["pipeline"]["version"] == hurtig.__version__
    assert set(record["pipeline"]) == {"name", "version", "git_commit", "git_dirty"}
    assert record["config"] == {
        "file": "config.json",
        "sha256": canonical_json_sha256({"a": [1, 2], "z": 1}),
    }
    assert [i["name"] for i in record["inputs"]] == ["fastq", "reference", "fastq"]
    first = record["inputs"][0]
    assert first == {
        "name": "fastq",
        "path": str(r1),
        "size": r1.stat().st_size,
        "sha256": hashlib.sha256(r1.read_bytes()).hexdigest(),
    }
    tools = record["tools"]
    for key in ("bwa", "samtools", "bcftools", "fastp", "mosdepth", "python", "snakemake"):
        assert tools.get(key)
    assert tools["pysam"] != "not found" and tools["cyvcf2"] != "not found"
    host = socket.gethostname()
    assert len(host) < 6 or host not in out.read_text()
    assert not list(out.parent.glob(".*"))  # temporary file renamed away


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        parse_inputs(["nopath"])
    config = tmp_path / "c.json"
    config.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        build_provenance("S", config, [])
    config.write_text("{}")
    with pytest.raises(InputError, match="not found"):
        build_provenance("S", config, [("fastq", str(tmp_path / "missing.fq.gz"))])


def test_repo_default_is_checkout() -> None:
    assert (provenance.REPO_DIR / "scripts" / "hurtig").is_dir()
