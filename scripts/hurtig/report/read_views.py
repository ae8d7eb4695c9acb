"""``hurtig read-views``: the reads around each prioritised variant of a sample × panel.

Reads the prioritised JSON (the variants, best first) and the family members' alignment files
(``results/alignment/{sample}.cram``, decoded with the reference FASTA) and writes one JSON file,
``results/.staging/read_views/{sample}/{panel}.json`` (:class:`ReadViews`): per variant, the
reference window and each member's reads (:mod:`hurtig.report.pileup`). ``hurtig render-report
--read-views`` draws them as static SVG pileups inside the report (:mod:`hurtig.report.pileup_svg`).

Each alignment file must be indexed and belong to one sample (its read groups' ``SM``); the
proband's must be the prioritised JSON's sample. Problems are one ``hurtig error:`` line naming
the file, before any view is made.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysam

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic
from hurtig.prioritise.results import PrioritisedResults, PrioritisedVariant
from hurtig.report.pileup import ReadView, SampleReads, Variant, Window, sample_reads

FORMAT = "hurtig-read-views"
FORMAT_VERSION = 1
ROLES = ("proband", "father", "mother")


@dataclass(frozen=True)
class ReadViews:
    """The read views of one sample × panel report.

    Attributes:
        sample: the proband.
        panel: the panel id.
        flank: bases shown either side of the variant.
        max_reads: reads shown per sample at most.
        views: one per variant, best rank first.
        omitted: variants of the results without a view (beyond ``max_variants``).
    """

    sample: str
    panel: str
    flank: int
    max_reads: int
    views: tuple[ReadView, ...]
    omitted: int = 0

    def to_json(self) -> dict[str, Any]:
        """The JSON document."""
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "sample": self.sample,
            "panel": self.panel,
            "flank": self.flank,
            "max_reads": self.max_reads,
            "omitted": self.omitted,
            "views": [v.to_json() for v in self.views],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ReadViews:
        """Rebuild from :meth:`to_json` output (KeyError, TypeError, ValueError if malformed)."""
        if doc.get("format") != FORMAT or doc.get("version") != FORMAT_VERSION:
            raise ValueError(f"not a {FORMAT} version {FORMAT_VERSION} file")
        return cls(
            sample=str(doc["sample"]),
            panel=str(doc["panel"]),
            flank=int(doc["flank"]),
            max_reads=int(doc["max_reads"]),
            views=tuple(ReadView.from_json(v) for v in doc["views"]),
            omitted=int(doc["omitted"]),
        )

    def check_against(self, rows: Iterable[Mapping[str, str]], path: Path) -> None:
        """Check that every view is of a variant of the prioritised rows (same rank, same allele).

        Raises:
            InputError: a view of a variant the rows do not have (not from the same run).
        """
        known = {(r["rank"], r["chrom"], r["pos"], r["ref"], r["alt"]) for r in rows}
        for v in self.views:
            if (str(v.rank), v.chrom, str(v.pos), v.ref, v.alt) not in known:
                raise InputError(
                    f"{path}: the read view of rank {v.rank} ({v.chrom}:{v.pos} {v.ref}>{v.alt})"
                    " is not that variant of the prioritised results (not from the same run?)"
                )

    def write(self, path: Path) -> None:
        """Write the JSON atomically (mode 0600)."""
        write_text_atomic(path, json.dumps(self.to_json(), separators=(",", ":")) + "\n")

    @classmethod
    def read(cls, path: Path) -> ReadViews:
        """Read a file written by :meth:`write`.

        Raises:
            InputError: unreadable or malformed.
        """
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise InputError(f"{path}: cannot read the read views ({err})") from err


def alignment_sample(path: Path, reference: Path) -> tuple[pysam.AlignmentFile, str]:
    """Open an indexed CRAM/BAM and return it with its one sample id (read-group ``SM``).

    Raises:
        InputError: missing, unreadable, not indexed, or not exactly one sample.
    """
    try:
        handle = pysam.AlignmentFile(str(path), reference_filename=str(reference))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot open the alignments ({err})") from err
    if not handle.has_index():
        handle.close()
        raise InputError(f"{path}: the alignments have no index (.crai/.bai)")
    samples = sorted({str(rg.get("SM", "")) for rg in handle.header.to_dict().get("RG", [])})
    if len(samples) != 1 or not samples[0]:
        handle.close()
        raise InputError(f"{path}: expected read groups of one sample (SM), found {samples}")
    return handle, samples[0]


def window_of(fasta: pysam.FastaFile, variant: Variant, flank: int, name: Path) -> Window:
    """The reference window: ``flank`` bases either side of the REF allele.

    Raises:
        InputError: the contig is not in the reference.
    """
    if variant.chrom not in fasta.references:
        raise InputError(f"{name}: contig {variant.chrom} is not in the reference")
    start0, end0 = variant.span
    start = max(start0 - flank, 0)
    end = min(end0 + flank, fasta.get_reference_length(variant.chrom))
    return Window(start, fasta.fetch(variant.chrom, start, end).upper())


def read_view(
    entry: PrioritisedVariant,
    fasta: pysam.FastaFile,
    members: Sequence[tuple[str, str, pysam.AlignmentFile]],
    settings: tuple[int, int, Path],
) -> ReadView:
    """The read view of one prioritised variant (``settings``: flank, max reads, reference)."""
    flank, max_reads, reference = settings
    variant = Variant(entry.chrom, entry.pos, entry.ref, entry.alt)
    window = window_of(fasta, variant, flank, reference)
    samples: list[SampleReads] = []
    for role, sample, handle in members:
        if variant.chrom not in handle.references:
            raise InputError(f"{handle.filename.decode()}: contig {variant.chrom} is not in it")
        samples.append(sample_reads(handle, window, variant, max_reads, (role, sample)))
    return ReadView(
        rank=entry.rank,
        gene=entry.gene,
        chrom=entry.chrom,
        pos=entry.pos,
        ref=entry.ref,
        alt=entry.alt,
        start=window.start + 1,
        bases=window.bases,
        samples=tuple(samples),
    )


def open_members(
    args: argparse.Namespace, proband: str
) -> list[tuple[str, str, pysam.AlignmentFile]]:
    """(role, sample, open file) of the proband and the parents given.

    Raises:
        InputError: a file is unusable, or the proband's file is of another sample.
    """
    members: list[tuple[str, str, pysam.AlignmentFile]] = []
    try:
        for role in ROLES:
            path = getattr(args, role)
            if path is None:
                continue
            handle, sample = alignment_sample(path, args.reference)
            members.append((role, sample, handle))
            if role == "proband" and sample != proband:
                raise InputError(f"{path}: the reads are of sample {sample}, not {proband}")
    except InputError:
        for _, _, opened in members:
            opened.close()
        raise
    return members


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="hurtig read-views",
        description="Write the reads around each prioritised variant (for the report's views).",
    )
    parser.add_argument("--json", required=True, type=Path, help="prioritised variants JSON")
    parser.add_argument("--reference", required=True, type=Path, help="indexed reference FASTA")
    parser.add_argument("--proband", required=True, type=Path, help="proband CRAM/BAM")
    parser.add_argument("--father", type=Path, help="father CRAM/BAM (when sequenced)")
    parser.add_argument("--mother", type=Path, help="mother CRAM/BAM (when sequenced)")
    parser.add_argument("--flank", type=int, default=60, help="bases either side (default 60)")
    parser.add_argument("--max-reads", type=int, default=40, help="reads per sample (default 40)")
    parser.add_argument(
        "--max-variants", type=int, default=50, help="views for the best N variants (default 50)"
    )
    parser.add_argument("--out", required=True, type=Path, help="output JSON")
    args = parser.parse_args(argv)
    if min(args.flank, args.max_reads, args.max_variants) < 1:
        parser.error("--flank, --max-reads and --max-variants must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = parse_args(argv)
    results = PrioritisedResults.read(args.json)
    try:
        fasta = pysam.FastaFile(str(args.reference))
    except (OSError, ValueError) as err:
        raise InputError(f"{args.reference}: cannot open the indexed reference ({err})") from err
    members = open_members(args, results.sample)
    try:
        settings = (args.flank, args.max_reads, args.reference)
        chosen = results.variants[: args.max_variants]
        views = tuple(read_view(entry, fasta, members, settings) for entry in chosen)
    finally:
        for _, _, handle in members:
            handle.close()
        fasta.close()
    ReadViews(
        sample=results.sample,
        panel=results.panel.id,
        flank=args.flank,
        max_reads=args.max_reads,
        views=views,
        omitted=len(results.variants) - len(views),
    ).write(args.out)
    return 0
