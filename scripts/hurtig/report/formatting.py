"""How numbers look in the HTML report: the jinja filters (``fmt_int``, ``fmt_pct``, ...)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def fmt_int(value: Any) -> str:
    """Integer with thin thousands separators; '' for missing."""
    number = _number(value)
    return "" if number is None else f"{round(number):,}".replace(",", "\u2009")


def fmt_pct(value: Any, digits: int = 1) -> str:
    """A fraction shown as a percentage; '–' for missing."""
    number = _number(value)
    return "–" if number is None else f"{number * 100:.{digits}f} %"


def fmt_float(value: Any, digits: int = 2) -> str:
    """A float with fixed decimals, or the raw text when it is not a number."""
    number = _number(value)
    if number is None:
        return "" if value is None else str(value)
    return f"{number:.{digits}f}"


def fmt_af(value: Any) -> str:
    """An allele frequency: scientific below 0.001, '' for missing."""
    number = _number(value)
    if number is None:
        return "" if value is None else str(value)
    if number == 0:
        return "0"
    return f"{number:.2e}" if number < 0.001 else f"{number:.4f}"


def fmt_points(value: Any) -> str:
    """Evidence points with an explicit sign."""
    number = _number(value)
    if number is None:
        return "" if value is None else str(value)
    return f"{number:+g}"


def fmt_size(value: Any) -> str:
    """A byte count in human units."""
    number = _number(value)
    if number is None:
        return ""
    for unit in ("B", "kB", "MB", "GB"):
        if number < 1000 or unit == "GB":
            return f"{number:.0f} {unit}" if unit == "B" else f"{number:.1f} {unit}"
        number /= 1000
    return ""


def sort_value(value: Any) -> str:
    """The value used by the table sorter (numbers as plain text, missing as '')."""
    return "" if value is None else str(value).strip()


def css_string(value: Any) -> Markup:
    r"""A quoted CSS string of any text (for ``content:``), safe inside a ``<style>`` element.

    Every character but ASCII letters, digits, space and ``.,:;_-()`` is written as a CSS escape
    (``\3c `` for ``<``), so no text can close the string or the element.
    """
    out = []
    for char in str(value):
        if char.isascii() and (char.isalnum() or char in " .,:;_-()"):
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return Markup('"' + "".join(out) + '"')


FILTERS = {
    "fmt_int": fmt_int,
    "fmt_pct": fmt_pct,
    "fmt_float": fmt_float,
    "fmt_af": fmt_af,
    "fmt_points": fmt_points,
    "fmt_size": fmt_size,
    "sort_value": sort_value,
    "css_string": css_string,
}
"""The filters by the names the templates use."""
