"""The compiled INFO splice (hurtig.annotation.text_blocks.splice) equals a plain-Python splice.

Random blocks of VCF-like lines (INFO ``.``, empty, or ``K=v`` items) get pieces from several
sources, each source on a random subset of lines and in shuffled order (the cache gives a bin's
SNV hits before its indel hits); the output must be what appending each line's pieces in source
order gives, with a ``.``/empty INFO replaced.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from hurtig.annotation.text_blocks import Matches, assemble, assemble_lines, splice, split_lines
from hurtig.errors import InputError


def _reference(lines: list[list[str]], pieces: dict[int, list[str]]) -> bytes:
    out = []
    for i, fields in enumerate(lines):
        fields = list(fields)
        added = "".join(pieces.get(i, []))
        if added:
            info = fields[7]
            fields[7] = added[1:] if info in ("", ".") else info + added
        out.append("\t".join(fields) + "\n")
    return "".join(out).encode()


def _block(rng: random.Random, n: int) -> list[list[str]]:
    infos = [".", "", "DP=3", "BCSQ=missense|APP|T1|protein_coding|-|1A>C;DP=10"]
    return [
        ["chr1", str(100 + i), ".", "A", "C", "50", "PASS", rng.choice(infos), "GT", "0/1"]
        for i in range(n)
    ]


@pytest.mark.parametrize("seed", range(8))
def test_assemble_matches_plain_python(seed: int) -> None:
    rng = random.Random(seed)
    lines = _block(rng, rng.randint(1, 60))
    text = "".join("\t".join(f) + "\n" for f in lines).encode()
    arr = np.frombuffer(text, dtype=np.uint8)
    parsed = split_lines(arr, 8, "test")
    expected: dict[int, list[str]] = {}
    additions = []
    for rank in range(rng.randint(1, 4)):
        chosen = rng.sample(range(len(lines)), rng.randint(0, len(lines)))
        items = {i: [f"S{rank}_{i}={'x' * rng.randint(0, 5)}"] for i in chosen}
        for i in sorted(chosen):
            expected.setdefault(i, []).append(";" + items[i][0])
        # two parts per source, lines not in order within a part
        half = len(chosen) // 2
        for part in (chosen[:half], chosen[half:]):
            additions.append((rank, Matches.from_items({i: items[i] for i in part})))
    rng.shuffle(additions)  # assemble orders the parts by source rank itself
    assert assemble(arr, parsed, 7, additions) == _reference(lines, expected)
    # the newlines' offsets in the output, as the kernel hands them to the index
    out, ends = assemble_lines(arr, parsed, 7, additions)
    assert out == _reference(lines, expected)
    assert ends.tolist() == np.flatnonzero(np.frombuffer(out, dtype=np.uint8) == 10).tolist()


def test_splice_without_pieces_is_the_input() -> None:
    arr = np.frombuffer(b"a\tb\n", dtype=np.uint8)
    none = np.zeros(0, dtype=np.int64)
    out, ends = splice(arr, (np.array([2]), np.array([3])), none, (none, none),
                       np.zeros(0, np.uint8), np.array([3]))  # fmt: skip
    assert out == b"a\tb\n" and ends.tolist() == [3]


def test_splice_replaces_a_dot_and_keeps_other_info() -> None:
    text = b"x\t.\nx\tDP=1\n"
    arr = np.frombuffer(text, dtype=np.uint8)
    pieces = np.frombuffer(b";A=1;B=2;C=3", dtype=np.uint8)
    # line 1 gets ;A=1 then ;C=3 (source order as given); line 0 gets ;B=2
    out, ends = splice(
        arr,
        (np.array([2, 6]), np.array([3, 10])),
        np.array([1, 0, 1]),
        (np.array([0, 4, 8]), np.array([4, 8, 12])),
        pieces,
        np.array([3, 10]),
    )
    assert out == b"x\tB=2\nx\tDP=1;A=1;C=3\n"
    assert ends.tolist() == [5, 20]


def _fields_reference(block: bytes, n_fields: int, last_optional: bool) -> list[list[bytes]]:
    """Each line's first ``n_fields`` fields, a missing last one empty when it is optional.

    With short lines, the error names the first line missing the first missing field (the
    field-by-field check of the numpy version reported that one).
    """
    lines = block.split(b"\n")[:-1]
    out = [line.split(b"\t")[:n_fields] for line in lines]
    need = n_fields - 1 if last_optional else n_fields
    fewest = min(len(fields) for fields in out)
    if fewest < need:
        line = next(line for line, f in zip(lines, out, strict=True) if len(f) == fewest)
        raise InputError(f"test: malformed line (too few columns): {line[:80]!r}")
    return [fields + [b""] * (n_fields - len(fields)) for fields in out]


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("last_optional", [False, True])
def test_split_lines_matches_plain_python(seed: int, last_optional: bool) -> None:
    """The compiled field split (walking the tabs) gives each line's fields, or the same error."""
    rng = random.Random(seed)
    lines = []
    for _ in range(rng.randint(1, 80)):
        width = rng.choices([8, 9, 12, 7, 3, 1], [50, 20, 20, 4, 3, 3])[0]
        lines.append("\t".join(rng.choice(["", "x", "chr1", "A" * 30]) for _ in range(width)))
    block = ("\n".join(lines) + "\n").encode()
    arr = np.frombuffer(block, dtype=np.uint8)
    try:
        expected = _fields_reference(block, 8, last_optional)
    except InputError as err:
        with pytest.raises(InputError) as raised:
            split_lines(arr, 8, "test", last_optional)
        assert str(raised.value) == str(err)
        return
    parsed = split_lines(arr, 8, "test", last_optional)
    spans = list(zip(parsed.field_starts, parsed.field_ends, strict=True))
    got = [[block[int(s[i]) : int(e[i])] for s, e in spans] for i in range(len(lines))]
    assert got == expected
    whole = zip(parsed.starts, parsed.ends, strict=True)
    assert [block[int(a) : int(b)] for a, b in whole] == block.split(b"\n")[:-1]
