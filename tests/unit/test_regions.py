"""Shard/panel overlap: the panel report depends on exactly the shards its regions touch."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import write_bed
from hurtig.calling.regions import merge, overlapping_shards, read_bed
from hurtig.errors import InputError


def bed(path: Path, rows: list[tuple[str, int, int]]) -> Path:
    return write_bed(path, [(c, s, e, "name") for c, s, e in rows])


def test_merge_sorts_and_joins_touching() -> None:
    assert merge([(10, 20), (0, 5), (5, 8), (19, 30)]) == [(0, 8), (10, 30)]


def test_overlapping_shards_half_open_edges(tmp_path: Path) -> None:
    shards = {
        "0000": bed(tmp_path / "shard_0000.bed", [("chr1", 0, 100)]),
        "0001": bed(tmp_path / "shard_0001.bed", [("chr1", 100, 200), ("chr2", 0, 50)]),
        "0002": bed(tmp_path / "shard_0002.bed", [("chr2", 50, 500)]),
    }
    # a region ending exactly at a shard start does not touch it (BED is half-open)
    panel = bed(tmp_path / "panel.bed", [("chr1", 90, 100), ("chr2", 49, 50)])
    assert overlapping_shards(shards, [panel]) == ["0000", "0001"]
    other = bed(tmp_path / "other.bed", [("chr2", 499, 600), ("chr9", 0, 10)])
    assert overlapping_shards(shards, [other]) == ["0002"]
    assert overlapping_shards(shards, [panel, other]) == ["0000", "0001", "0002"]


def test_bad_bed_names_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.bed"
    path.write_text("chr1\tx\t10\n")
    with pytest.raises(InputError, match=r"bad\.bed: line 1 is not BED"):
        read_bed(path)
