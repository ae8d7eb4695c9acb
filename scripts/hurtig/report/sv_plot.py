"""A small self-contained SVG depth plot of one SV/CNV: normalised coverage of event and flanks.

Each family member's CNVkit log2 copy ratio per bin (from the prioritised JSON's ``sv_detail``)
is drawn as a step line over the event's window; the event is shaded and the expected levels of
one copy (log2 -1), two copies (0) and three copies (log2 0.58) are dotted. Nothing is loaded
from the network: the SVG is written inline into the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

WIDTH, HEIGHT = 480, 150
LEFT, RIGHT, TOP, BOTTOM = 44, 90, 10, 24
Y_MIN, Y_MAX = -2.0, 1.5
COLOURS: tuple[str, ...] = ("#c0392b", "#2471a3", "#1e8449", "#7d3c98", "#b9770e")
LEVELS: tuple[tuple[float, str], ...] = ((-1.0, "1 copy"), (0.0, "2 copies"), (0.585, "3 copies"))


def _x(pos: float, lo: int, hi: int) -> float:
    return LEFT + (pos - lo) / max(hi - lo, 1) * (WIDTH - LEFT - RIGHT)


def _y(log2: float) -> float:
    value = min(max(log2, Y_MIN), Y_MAX)
    return TOP + (Y_MAX - value) / (Y_MAX - Y_MIN) * (HEIGHT - TOP - BOTTOM)


def _steps(bins: Sequence[Sequence[float]], lo: int, hi: int) -> str:
    points = []
    for start, end, log2 in bins:
        y = _y(float(log2))
        points += [f"{_x(start, lo, hi):.1f},{y:.1f}", f"{_x(end, lo, hi):.1f},{y:.1f}"]
    return " ".join(points)


def depth_svg(depth: Mapping[str, Any], proband: str = "") -> str:
    """The SVG markup of one event's depth profile (empty when it has no bins)."""
    samples: Mapping[str, Sequence[Sequence[float]]] = depth.get("samples") or {}
    if not any(samples.values()):
        return ""
    lo, hi = (int(v) for v in depth["window"])
    start, end = int(depth["start"]), int(depth["end"])
    x0, x1 = _x(start, lo, hi), _x(end, lo, hi)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sv-depth" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="normalised read depth (log2 copy ratio) of {escape(depth["chrom"])}:'
        f'{start}-{end} and flanks">',
        f'<rect x="{x0:.1f}" y="{TOP}" width="{x1 - x0:.1f}" height="{HEIGHT - TOP - BOTTOM}" '
        'fill="#f5e6a8"/>',
    ]
    for level, label in LEVELS:
        y = _y(level)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#999" stroke-dasharray="2,3"/>'
            f'<text x="{LEFT - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end">{label}</text>'
        )
    ordered = sorted(samples, key=lambda s: (s != proband, s))
    for index, sample in enumerate(ordered):
        colour = COLOURS[index % len(COLOURS)]
        width = 2 if sample == proband else 1.2
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="{width}" '
            f'points="{_steps(samples[sample], lo, hi)}"/>'
            f'<text x="{WIDTH - RIGHT + 6}" y="{TOP + 12 + 12 * index}" font-size="10" '
            f'fill="{colour}">{escape(sample)}</text>'
        )
    parts.append(
        f'<text x="{LEFT}" y="{HEIGHT - 6}" font-size="9">{escape(depth["chrom"])}:{lo:,}</text>'
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" font-size="9" text-anchor="end">{hi:,}</text>'
        "</svg>"
    )
    return "".join(parts)
