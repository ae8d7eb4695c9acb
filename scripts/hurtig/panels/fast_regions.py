"""The regions of the panel fast path: where to call, and which reads calling there needs.

The fast path calls a family's panels from the reads aligned so far, before the whole-genome
merge, duplicate marking and CRAM. The panels are resolved here from their definitions and the
gene model (as ``hurtig resolve-panel`` does, same regions), so the fast path's reads do not wait
for the workflow's panel checkpoint. Its calls must equal the genome-wide ones inside the panels,
so it takes every read that could change a call there:

* the **calling regions** are the union of the family's panel regions (and any extra regions
  the configuration names), widened by ``call_padding`` so that an indel left-aligned across a
  panel edge is called as it is genome-wide;
* the **read regions** widen the calling regions by ``read_padding`` more. A read overlapping a
  calling position and its duplicates share their 5' position, so with ``read_padding`` longer
  than a read every duplicate of a read that counts is in the fast path's reads too, and
  ``samtools markdup`` picks the same read of each duplicate set as it does genome-wide.

Coordinates are BED (0-based, half-open), clamped to the contigs of the reference index.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hurtig.calling.regions import Interval, merge, read_bed
from hurtig.errors import InputError
from hurtig.genes.gene_model import load_gff3
from hurtig.io.files import write_text_atomic
from hurtig.panels.formats.definition import GREEN
from hurtig.panels.registry import load_registry_panel
from hurtig.panels.resolve import DEFAULT_ACCEPTOR_PADDING, DEFAULT_DONOR_PADDING, resolved_panel

Regions = dict[str, list[Interval]]


def contig_lengths(fai: Path) -> dict[str, int]:
    """Contig lengths from a FASTA index (``.fai``), in file order.

    Raises:
        InputError: unreadable or malformed index.
    """
    lengths: dict[str, int] = {}
    try:
        lines = Path(fai).read_text().splitlines()
    except OSError as err:
        raise InputError(f"{fai}: cannot read ({err.strerror})") from err
    for number, line in enumerate(lines, start=1):
        fields = line.split("\t")
        try:
            lengths[fields[0]] = int(fields[1])
        except (IndexError, ValueError) as err:
            raise InputError(f"{fai}: line {number} is not a FASTA index line") from err
    return lengths


@dataclass(frozen=True)
class PanelSource:
    """Where the panels come from: the registry, the sheet's specs, the gene model, paddings."""

    registry: Path
    specs: tuple[str, ...]
    gff3: Path
    acceptor_padding: int = DEFAULT_ACCEPTOR_PADDING
    donor_padding: int = DEFAULT_DONOR_PADDING


def panel_regions(source: PanelSource) -> Regions:
    """The resolved regions of every panel (``hurtig resolve-panel``'s BED rows), per contig."""
    if not source.specs:
        return {}
    model = load_gff3(source.gff3)
    wanted: Regions = defaultdict(list)
    for spec in source.specs:
        panel = load_registry_panel(source.registry, spec, GREEN)
        resolved = resolved_panel(
            panel,
            model,
            str(source.gff3),
            source.acceptor_padding,
            source.donor_padding,
            spec,
        )
        for gene in resolved.genes:
            for region in gene.regions:
                wanted[region.chrom].append((region.start0, region.end))
    return wanted


def union(beds: Sequence[Path], panels: Mapping[str, list[Interval]] | None = None) -> Regions:
    """The merged union of the BED files' intervals and the panels' regions, per contig."""
    wanted: Regions = defaultdict(list)
    for contig, intervals in (panels or {}).items():
        wanted[contig].extend(intervals)
    for path in beds:
        for contig, intervals in read_bed(path).items():
            wanted[contig].extend(intervals)
    return {contig: merge(intervals) for contig, intervals in wanted.items()}


def widen(
    regions: Mapping[str, list[Interval]], padding: int, lengths: Mapping[str, int]
) -> Regions:
    """Each interval widened by ``padding`` on both sides, clamped to its contig, then merged.

    Raises:
        InputError: a contig the reference does not have.
    """
    widened: Regions = {}
    for contig, intervals in regions.items():
        if contig not in lengths:
            raise InputError(f"the region contig {contig} is not in the reference")
        size = lengths[contig]
        widened[contig] = merge(
            (max(0, start - padding), min(size, end + padding)) for start, end in intervals
        )
    return widened


def bed_text(regions: Mapping[str, list[Interval]], order: Sequence[str]) -> str:
    """BED text, contigs in reference order, intervals sorted."""
    lines = [
        f"{contig}\t{start}\t{end}\n"
        for contig in order
        for start, end in regions.get(contig, [])
        if end > start
    ]
    return "".join(lines)


def fast_regions(
    beds: Sequence[Path],
    fai: Path,
    call_padding: int,
    read_padding: int,
    panels: PanelSource | None = None,
) -> tuple[str, str]:
    """(calling regions, read regions) as BED text, from BEDs and/or panels.

    Raises:
        InputError: an unreadable BED, index or panel, a contig not in the reference, or no
            regions.
    """
    lengths = contig_lengths(fai)
    named = ", ".join([*map(str, beds), *(panels.specs if panels else ())])
    resolved = panel_regions(panels) if panels else {}
    try:
        calling = widen(union(beds, resolved), call_padding, lengths)
    except InputError as err:
        raise InputError(f"{named}: {err}") from err
    if not any(calling.values()):
        raise InputError(f"{named}: no regions for the panel fast path")
    reads = widen(calling, read_padding, lengths)
    return bed_text(calling, list(lengths)), bed_text(reads, list(lengths))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(prog="hurtig fast-regions", description=__doc__)
    parser.add_argument("--beds", nargs="*", type=Path, default=[], help="extra region BEDs")
    parser.add_argument("--registry", type=Path, help="panel registry folder (with --specs)")
    parser.add_argument("--specs", nargs="*", default=[], help="panels: ID or ID@VERSION")
    parser.add_argument("--gff3", type=Path, help="Ensembl GFF3 the panels resolve against")
    parser.add_argument("--acceptor-padding", type=int, default=DEFAULT_ACCEPTOR_PADDING)
    parser.add_argument("--donor-padding", type=int, default=DEFAULT_DONOR_PADDING)
    parser.add_argument("--fai", type=Path, required=True, help="reference FASTA index")
    parser.add_argument("--call-padding", type=int, default=100)
    parser.add_argument("--read-padding", type=int, default=1000)
    parser.add_argument("--out-call", type=Path, required=True)
    parser.add_argument("--out-reads", type=Path, required=True)
    args = parser.parse_args(argv)
    if min(args.call_padding, args.read_padding, args.acceptor_padding, args.donor_padding) < 0:
        raise InputError("the fast path's paddings cannot be negative")
    if args.specs and (args.registry is None or args.gff3 is None):
        raise InputError("--specs needs --registry and --gff3")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write the fast path's calling and read regions of a family."""
    args = parse_args(argv)
    panels = (
        PanelSource(
            args.registry, tuple(args.specs), args.gff3, args.acceptor_padding, args.donor_padding
        )
        if args.specs
        else None
    )
    calling, reads = fast_regions(args.beds, args.fai, args.call_padding, args.read_padding, panels)
    write_text_atomic(args.out_call, calling)
    write_text_atomic(args.out_reads, reads)
    return 0
