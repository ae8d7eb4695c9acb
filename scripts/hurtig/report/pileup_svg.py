"""A read view drawn as one static SVG (inline in the report; no script, nothing loaded).

The figure of one variant (:func:`read_view_svg`): the window's position and reference bases on
top, the variant's reference span highlighted over the whole height, then per family member a
panel: its reads one per row (alt-allele reads first), forward reads pink and pointing right,
reverse reads blue and pointing left, reads with a mapping quality below
:data:`~hurtig.report.pileup.LOW_MAPQ` faded and outlined dashed; bases that differ from the
reference coloured by base (A green, C blue, G orange, T red; low base quality faded);
deletions a line through a white gap, insertions a purple bar. Under each panel, one line of
counts: the reads spanning the variant, how many carry REF, ALT or another allele, how many have
a low mapping quality, the duplicates left out, and how many reads are drawn. The classes are
styled by :data:`PILEUP_CSS` (in the report's read-view section).
"""

from __future__ import annotations

from html import escape

from hurtig.report.pileup import LOW_MAPQ, ReadLine, ReadView, SampleReads

BASE = 8
"""Width of one reference base (SVG units)."""

ROW = 6
"""Height of one row of reads (the read is one unit lower)."""

TOP = 26
"""Height of the title and reference rows."""

PILEUP_CSS = """
svg.pileup { width: 100%; max-width: 1100px; height: auto; font-family: ui-monospace, monospace; }
svg.pileup text { font-size: 9px; fill: #222; }
svg.pileup text.ref { text-anchor: middle; font-size: 8px; }
svg.pileup text.hd { font-weight: 700; font-family: system-ui, sans-serif; }
svg.pileup text.ct { font-family: system-ui, sans-serif; }
svg.pileup .hl { fill: #ffe066; fill-opacity: .35; stroke: #b08900; stroke-width: .6; }
svg.pileup .f { fill: #e8b4b4; } svg.pileup .r { fill: #b4c4e8; }
svg.pileup .lq { fill-opacity: .35; stroke: #777; stroke-width: .5; stroke-dasharray: 2 1; }
svg.pileup .bA { fill: #17a417; } svg.pileup .bC { fill: #1f5fd6; }
svg.pileup .bG { fill: #d17a00; } svg.pileup .bT { fill: #d62a1f; }
svg.pileup .bN { fill: #888; } svg.pileup .q { fill-opacity: .4; }
svg.pileup .gap { fill: #fff; } svg.pileup .del { stroke: #000; stroke-width: 1; }
svg.pileup .ins { fill: #8a2be2; }
svg.pileup .sep { stroke: #ccc; stroke-width: .5; }
"""
"""The read view's styles (put once into the page, next to the figures)."""


def counts_line(member: SampleReads) -> str:
    """The counts written under a member's panel."""
    c = member.counts
    parts = [
        f"{member.sample} ({member.role}): {c.depth} reads span the variant",
        f"REF {c.ref}",
        f"ALT {c.alt}",
        f"other {c.other}",
        f"MAPQ<{LOW_MAPQ} {c.low_mapq}",
        f"duplicates left out {c.duplicates}",
        f"{len(member.reads)} of {member.in_window} reads drawn",
    ]
    return " · ".join(parts)


def _read_shape(read: ReadLine, view: ReadView, y: int) -> str:
    """The read's body: a bar with a tip on the end its strand points to (when in the window)."""
    x0 = (max(read.start, view.start) - view.start) * BASE
    x1 = (min(read.end, view.end) - view.start + 1) * BASE
    cls = ("f" if read.strand == "+" else "r") + (" lq" if read.mapq < LOW_MAPQ else "")
    h, tip = ROW - 1, 3
    if read.strand == "+" and read.end <= view.end and x1 - x0 > tip:
        d = f"M{x0} {y}h{x1 - x0 - tip}l{tip} 2.5l-{tip} 2.5h-{x1 - x0 - tip}z"
    elif read.strand == "-" and read.start >= view.start and x1 - x0 > tip:
        d = f"M{x1} {y}h-{x1 - x0 - tip}l-{tip} 2.5l{tip} 2.5h{x1 - x0 - tip}z"
    else:
        d = f"M{x0} {y}h{x1 - x0}v{h}h-{x1 - x0}z"
    return f'<path class="{cls}" d="{d}"/>'


def _read_marks(read: ReadLine, view: ReadView, y: int) -> list[str]:
    """Mismatching bases, deletions and insertions of one read inside the window."""
    marks = []
    for pos, base, qual in read.mismatches:
        cls = f"b{base if base in 'ACGT' else 'N'}" + (" q" if qual < LOW_MAPQ else "")
        x = (pos - view.start) * BASE
        marks.append(f'<rect class="{cls}" x="{x}" y="{y}" width="{BASE}" height="{ROW - 1}"/>')
    for pos, length in read.deletions:
        x0 = (max(pos, view.start) - view.start) * BASE
        x1 = (min(pos + length - 1, view.end) - view.start + 1) * BASE
        marks.append(f'<rect class="gap" x="{x0}" y="{y}" width="{x1 - x0}" height="{ROW - 1}"/>')
        marks.append(f'<path class="del" d="M{x0} {y + 2.5}H{x1}"/>')
    for pos, _length in read.insertions:
        x = (pos - view.start + 1) * BASE - 1
        marks.append(f'<rect class="ins" x="{x}" y="{y - 0.5}" width="2" height="{ROW}"/>')
    return marks


def member_panel(member: SampleReads, view: ReadView, top: int) -> tuple[list[str], int]:
    """One member's panel (heading, reads, counts) from ``top``; returns it and its height."""
    width = len(view.bases) * BASE
    parts = [
        f'<line class="sep" x1="0" y1="{top}" x2="{width}" y2="{top}"/>',
        f'<text class="hd" x="0" y="{top + 10}">{escape(member.role)} · '
        f"{escape(member.sample)}</text>",
    ]
    y = top + 14
    for read in member.reads:
        parts.append(_read_shape(read, view, y))
        parts.extend(_read_marks(read, view, y))
        y += ROW
    parts.append(f'<text class="ct" x="0" y="{y + 10}">{escape(counts_line(member))}</text>')
    return parts, y + 16 - top


def reference_row(view: ReadView) -> list[str]:
    """The window's coordinates and its reference bases, one letter a column."""
    xs = " ".join(str(i * BASE + BASE // 2) for i in range(len(view.bases)))
    where = f"{view.chrom}:{view.start:,}–{view.end:,}"
    variant = f"{view.chrom}:{view.pos:,} {view.ref}>{view.alt}"
    return [
        f'<text class="hd" x="0" y="10">{escape(where)} · variant {escape(variant)}</text>',
        f'<text class="ref" x="{xs}" y="{TOP - 4}">{escape(view.bases)}</text>',
    ]


def read_view_svg(view: ReadView) -> str:
    """The SVG figure of one variant's read view (inline SVG, for an HTML page)."""
    width = len(view.bases) * BASE
    body, y = reference_row(view), TOP
    for member in view.samples:
        panel, height = member_panel(member, view, y)
        body.extend(panel)
        y += height
    hl_x = (view.pos - view.start) * BASE
    hl_w = max(len(view.ref), 1) * BASE
    highlight = (
        f'<rect class="hl" x="{hl_x}" y="{TOP - 12}" width="{hl_w}" height="{y - TOP + 12}"/>'
    )
    label = f"Reads around {view.chrom}:{view.pos} {view.ref}>{view.alt} ({view.gene})"
    return (
        f'<svg class="pileup" viewBox="0 0 {width} {y}" role="img" aria-label="{escape(label)}"'
        f' data-rank="{view.rank}"><title>{escape(label)}</title>'
        + highlight
        + "".join(body)
        + "</svg>"
    )
