"""Contig names: the ``--contig-map`` renames, the chr21/21 naming style, a VCF header's contigs.

An annotation source may name contigs differently from the input (``chr21`` vs ``21``). A
source looks an input contig up by its own name first, then through the contig map
(:meth:`hurtig.annotation.source.Source.resolve`); when neither finds any input contig and the
two naming styles differ, the run stops with a message naming the ``--contig-map`` to pass.

A pair of the map names one contig twice, so it works in either direction (:func:`both_ways`):
``--contig-map chr21=21`` (input to source) and the workflow's ``annotation.contig_map:
{"21": "chr21"}`` (source to reference, passed on as ``21=chr21``) mean the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from hurtig.errors import InputError

_CONTIG_ID = re.compile(r"[<,]ID=([^,>]+)")


def parse_contig_map(items: Iterable[str] | None) -> dict[str, str]:
    """Parse ``INPUT=SOURCE`` pairs (or two-column files of them) into a dict.

    Args:
        items: tokens such as ``chr21=21``; a token without ``=`` naming an existing file is read
            as whitespace-separated ``input source`` lines (like ``bcftools --rename-chrs``).

    Returns:
        Input contig name → source contig name.
    """
    mapping: dict[str, str] = {}
    for item in items or ():
        if "=" in item:
            left, _, right = item.partition("=")
            if not left or not right:
                raise InputError(f"--contig-map: bad pair {item!r} (expected INPUT=SOURCE)")
            mapping[left] = right
            continue
        path = Path(item)
        if not path.is_file():
            raise InputError(f"--contig-map: {item!r} is neither INPUT=SOURCE nor a file")
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            if len(parts) != 2:
                raise InputError(f"{item}: line {lineno}: expected two columns")
            mapping[parts[0]] = parts[1]
    return mapping


def both_ways(mapping: dict[str, str]) -> dict[str, str]:
    """A contig map with every pair also read backwards (a pair names one contig twice).

    A name given as a key keeps its own pair: ``{"chr21": "21"}`` and ``{"21": "chr21"}`` both
    become ``{"chr21": "21", "21": "chr21"}``.
    """
    reverse = {source: name for name, source in mapping.items()}
    return {**reverse, **mapping}


def is_chr_style(names: Iterable[str]) -> bool | None:
    """Whether most names start with ``chr`` (None for no names)."""
    names = list(names)
    if not names:
        return None
    with_chr = sum(1 for n in names if n.lower().startswith("chr"))
    return with_chr * 2 >= len(names)


def counterpart(name: str) -> str:
    """The name in the other style: ``chr21`` ↔ ``21``."""
    return name[3:] if name.lower().startswith("chr") else f"chr{name}"


def header_contigs(header: Sequence[str]) -> list[str]:
    """The contig IDs of a VCF header's ``##contig`` lines, in header order."""
    out = []
    for line in header:
        if line.startswith("##contig=<"):
            match = _CONTIG_ID.search(line)
            if match:
                out.append(match.group(1))
    return out
