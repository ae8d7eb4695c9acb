"""Which class opens which source kind, and the source specs the command-line options name.

:data:`SOURCE_KINDS` maps a :class:`~hurtig.annotation.source.SourceSpec` kind to the
:class:`~hurtig.annotation.source.Source` subclass that reads it. A new kind is one module in
:mod:`hurtig.annotation.sources` and one entry here (see :mod:`hurtig.annotation` for the
recipe); nothing else in the engine names kinds.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from hurtig.annotation.contigs import both_ways
from hurtig.annotation.source import Source, SourceSpec
from hurtig.annotation.sources.clinvar import ClinvarSource
from hurtig.annotation.sources.gnomad import GnomadSource
from hurtig.annotation.sources.inhouse import InhouseSource
from hurtig.annotation.sources.scores import ScoreSource, score_specs

SOURCE_KINDS: dict[str, type[Source]] = {
    "gnomad": GnomadSource,
    "clinvar": ClinvarSource,
    "score": ScoreSource,
    "inhouse": InhouseSource,
}
"""Source kind → the class that opens it (:meth:`Source.from_spec`)."""


def register_source_kind(kind: str, source_class: type[Source]) -> None:
    """Add a source kind (e.g. one defined outside this package, or in a test).

    A kind that ships with hurtig belongs in the :data:`SOURCE_KINDS` table itself, so that
    every process knows it (shard workers are forked); a kind registered by this
    call is known in this process only, i.e. for ``annotate(..., threads=1)`` and for
    :func:`hurtig.annotation.prepared_cache.prepare`.

    Args:
        kind: the name a :class:`SourceSpec` uses (letters, digits and ``_``).
        source_class: the :class:`Source` subclass that reads it.

    Raises:
        ValueError: the kind is taken by another class, or the class is not a Source.
    """
    if not (isinstance(source_class, type) and issubclass(source_class, Source)):
        raise ValueError(f"source kind {kind!r}: {source_class!r} is not a Source subclass")
    if SOURCE_KINDS.get(kind, source_class) is not source_class:
        raise ValueError(f"source kind {kind!r} is already registered")
    SOURCE_KINDS[kind] = source_class


def source_class(kind: str) -> type[Source]:
    """The class of a source kind.

    Raises:
        ValueError: unknown kind.
    """
    found = SOURCE_KINDS.get(kind)
    if found is None:
        raise ValueError(f"unknown source kind {kind!r}")
    return found


def open_source(spec: SourceSpec, contig_map: dict[str, str], seek_records: int) -> Source:
    """Open the source a spec names (the file itself; its cache is opened by the caller).

    The contig map is read both ways (:func:`~hurtig.annotation.contigs.both_ways`).
    """
    return source_class(spec.kind).from_spec(spec, both_ways(contig_map), seek_records)


def source_name(spec: SourceSpec) -> str:
    """The name of a spec's source: its ``##hurtig_source`` ID and its folder in a cache dir."""
    return source_class(spec.kind).spec_name(spec)


def is_cacheable(spec: SourceSpec) -> bool:
    """Whether the spec's kind can be read from a prepared cache (False for unknown kinds)."""
    found = SOURCE_KINDS.get(spec.kind)
    return found is not None and found.cacheable


def with_cache_dir(specs: list[SourceSpec], cache_dir: str | Path) -> list[SourceSpec]:
    """The specs with ``cache`` set to ``cache_dir/<source name>`` for every cacheable kind."""
    out = []
    for spec in specs:
        if is_cacheable(spec):
            spec = replace(spec, cache=str(Path(cache_dir) / source_name(spec)))
        out.append(spec)
    return out


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """The options naming the static sources (gnomAD, ClinVar, score files)."""
    parser.add_argument("--gnomad", help="gnomAD sites VCF (bgzip + tabix index)")
    parser.add_argument("--clinvar", help="ClinVar VCF (bgzip + tabix index)")
    parser.add_argument(
        "--scores",
        help="JSON list of score sources (the annotation.scores config entries), or a file of it",
    )


def static_specs(args: argparse.Namespace) -> list[SourceSpec]:
    """Source specs of the options added by :func:`add_source_options`, in annotation order."""
    kinds = ("gnomad", "clinvar")
    specs = [SourceSpec(kind, path) for kind in kinds if (path := getattr(args, kind))]
    if args.scores:
        specs += score_specs(args.scores)
    return specs
