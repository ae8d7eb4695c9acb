"""gnomAD sites VCF (v2 or v4 key names) → ``GNOMAD_*`` INFO keys.

Matching is allele-exact: a multiallelic record is split into its ALTs, each trimmed to its
minimal representation and compared on ``(pos, ref, alt)``; Number=A fields take the value of
the matching ALT.

Popmax: the file's own ``AF_grpmax``/``grpmax`` (v4) or ``AF_popmax``/``popmax`` (v2) is used
when present. Otherwise it is computed as the maximum of ``AF_<pop>`` over the populations that
both gnomAD v2 popmax and v4 grpmax use: afr, amr, eas, nfe, sas (bottlenecked or unassigned
groups asj, fin, oth/remaining, mid and ami are excluded, as gnomAD does). When that maximum is
0 the frequency is written and the population name left out (no population has it). Filtering
AF (``faf95``/``fafmax_faf95_max``) is written as ``GNOMAD_FAF95`` when present.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

from hurtig.annotation.source import Source, SourceRecord, clean_value, format_value

#: Populations used for a computed popmax (shared by gnomAD v2 popmax and v4 grpmax).
POPMAX_POPULATIONS: tuple[str, ...] = ("afr", "amr", "eas", "nfe", "sas")
#: (AF key, population-name key) pairs for a popmax the source already provides, best first.
POPMAX_KEYS: tuple[tuple[str, str], ...] = (
    ("AF_grpmax", "grpmax"),
    ("AF_grpmax_joint", "grpmax_joint"),
    ("AF_popmax", "popmax"),
)
#: Filtering AF keys (v2, v4 and older spellings), best first.
FAF_KEYS: tuple[str, ...] = ("faf95", "fafmax_faf95_max", "faf95_popmax")


GNOMAD_HEADER: tuple[dict[str, str], ...] = (
    {"ID": "GNOMAD_AF", "Number": "1", "Type": "Float", "Description": "gnomAD allele frequency"},
    {"ID": "GNOMAD_AC", "Number": "1", "Type": "Integer", "Description": "gnomAD allele count"},
    {"ID": "GNOMAD_AN", "Number": "1", "Type": "Integer", "Description": "gnomAD allele number"},
    {
        "ID": "GNOMAD_NHOMALT",
        "Number": "1",
        "Type": "Integer",
        "Description": "gnomAD count of homozygous-alternate individuals",
    },
    {
        "ID": "GNOMAD_POPMAX_AF",
        "Number": "1",
        "Type": "Float",
        "Description": "gnomAD maximum allele frequency over genetic ancestry groups "
        "(popmax/grpmax; computed over afr,amr,eas,nfe,sas when the source has none)",
    },
    {
        "ID": "GNOMAD_POPMAX",
        "Number": "1",
        "Type": "String",
        "Description": "gnomAD group with the maximum allele frequency",
    },
    {
        "ID": "GNOMAD_FAF95",
        "Number": "1",
        "Type": "Float",
        "Description": "gnomAD filtering allele frequency (95% CI; faf95 or fafmax_faf95_max)",
    },
)


def _to_float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except ValueError:
        return None
    return None if math.isnan(out) or math.isinf(out) else out


def _to_int(value: str | None) -> int | None:
    number = _to_float(value)
    return None if number is None else round(number)


def gnomad_values(source: Source, rec: SourceRecord, idx: int) -> dict[str, object]:
    """The GNOMAD_* INFO values for one matched source ALT (absent keys left out)."""
    info = source.record_info(rec)
    out: dict[str, object] = {}
    af = _to_float(source.allele_value(info, "AF", rec, idx))
    if af is not None:
        out["GNOMAD_AF"] = af
    for key, name in (("AC", "GNOMAD_AC"), ("AN", "GNOMAD_AN"), ("nhomalt", "GNOMAD_NHOMALT")):
        value = _to_int(source.allele_value(info, key, rec, idx))
        if value is not None:
            out[name] = value
    for key in FAF_KEYS:
        faf = _to_float(source.allele_value(info, key, rec, idx))
        if faf is not None:
            out["GNOMAD_FAF95"] = faf
            break
    out.update(_popmax_values(source, info, rec, idx))
    return out


def _popmax_values(
    source: Source, info: dict[str, str], rec: SourceRecord, idx: int
) -> dict[str, object]:
    """``GNOMAD_POPMAX_AF`` and ``GNOMAD_POPMAX``: the source's own popmax, else computed."""
    out: dict[str, object] = {}
    for af_key, pop_key in POPMAX_KEYS:
        if af_key in info or af_key in source.numbers:
            popmax_af = _to_float(source.allele_value(info, af_key, rec, idx))
            if popmax_af is not None:
                out["GNOMAD_POPMAX_AF"] = popmax_af
                pop = source.allele_value(info, pop_key, rec, idx)
                if pop:
                    out["GNOMAD_POPMAX"] = clean_value(pop)
            return out
    best: tuple[float, str] | None = None
    for pop in POPMAX_POPULATIONS:
        value = _to_float(source.allele_value(info, f"AF_{pop}", rec, idx))
        if value is not None and (best is None or value > best[0]):
            best = (value, pop)
    if best is not None:
        out["GNOMAD_POPMAX_AF"] = best[0]
        if best[0] > 0:
            out["GNOMAD_POPMAX"] = best[1]
    return out


#: INFO keys that :func:`gnomad_values` reads.
GNOMAD_KEYS: tuple[str, ...] = (
    "AF",
    "AC",
    "AN",
    "nhomalt",
    *FAF_KEYS,
    *(key for pair in POPMAX_KEYS for key in pair),
    *(f"AF_{pop}" for pop in POPMAX_POPULATIONS),
)


#: Formatted items remembered per source and key before the memo is cleared (bounds memory).
_MEMO_LIMIT = 1 << 18
#: "Not in the memo" marker (no item starts with a NUL).
_MISS = "\0"
#: Longest INFO column that :meth:`GnomadSource.fast_values` splits whole (longer: key lookups).
_SPLIT_INFO_MAX = 600
_Memo = dict[str, str | None]


def info_get(wrapped: str, key: str) -> str | None:
    """``parse_info(info).get(key)`` without splitting the whole column.

    Args:
        wrapped: the INFO column with a ``;`` added on both sides (``";" + info + ";"``).
        key: the INFO key.

    Returns:
        The value of the key's last item (``""`` for a flag), or None when the key is absent.
        Every ``;`` of ``wrapped`` separates items, so ``;key=`` and ``;key;`` find exactly
        the items whose key is ``key``.
    """
    at = wrapped.rfind(f";{key}=")
    flag = wrapped.rfind(f";{key};")
    if flag > at:
        return ""
    if at < 0:
        return None
    start = at + len(key) + 2
    return wrapped[start : wrapped.index(";", start)]


def _memo_item(memo: _Memo, raw: str, prefix: str, integer: bool) -> str | None:
    """``prefix + format_value(number)`` for a raw value (None when not a number), memoised."""
    number = _to_int(raw) if integer else _to_float(raw)
    item = None if number is None else prefix + format_value(number)
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[raw] = item
    return item


class _GeneralPathError(Exception):
    """A used value holds a comma: the line takes the general path (:func:`gnomad_values`)."""


def _memo_get(memo: _Memo, raw: str, prefix: str, integer: bool) -> str | None:
    """The memoised item of a raw value; raises :class:`_GeneralPathError` for a list of values."""
    item = memo.get(raw, _MISS)
    if item is _MISS:
        if "," in raw:
            raise _GeneralPathError
        item = _memo_item(memo, raw, prefix, integer)
    return item


def _info_getter(info: str) -> Callable[[str], str | None]:
    """A lookup of INFO keys: a split table for a short column, :func:`info_get` for a long one."""
    if len(info) <= _SPLIT_INFO_MAX:  # short INFO: one split is cheapest
        table: dict[str, str] = {}
        for item in info.split(";"):
            key, _, value = item.partition("=")
            table[key] = value
        return table.get
    # long INFO (real gnomAD: hundreds of keys): find only the used keys
    return partial(info_get, f";{info};")


class GnomadSource(Source):
    """gnomAD sites VCF (v2 or v4 key names) → ``GNOMAD_*``.

    Matched biallelic records take a fast path (:meth:`fast_values`): only the INFO keys that
    are written are read, and the formatted ``KEY=value`` items
    are memoised per raw value (gnomAD repeats the same AN, AC and AF strings very often). Its
    output is that of :func:`gnomad_values`; records it does not cover take that general path.
    """

    def _open(self) -> None:
        """Open the VCF and set up the fast path's memos."""
        super()._open()
        # The fast path covers keys that are one value per ALT or per record, not Number=R.
        self._fast = all(self.numbers.get(k) != "R" for k in GNOMAD_KEYS)
        self._simple: list[tuple[str, str, bool, _Memo]] = [
            ("AF", "GNOMAD_AF=", False, {}),
            ("AC", "GNOMAD_AC=", True, {}),
            ("AN", "GNOMAD_AN=", True, {}),
            ("nhomalt", "GNOMAD_NHOMALT=", True, {}),
        ]
        self._faf: _Memo = {}
        self._popmax_af: _Memo = {}
        self._floats: _Memo = {}
        self._popmax = [
            (af_key, pop_key, af_key in self.numbers) for af_key, pop_key in POPMAX_KEYS
        ]

    def info_lines(self) -> tuple[dict[str, str], ...]:
        """The ``GNOMAD_*`` INFO definitions."""
        return GNOMAD_HEADER

    def values(self, rec: SourceRecord, idx: int) -> list[str]:
        """The items of :func:`gnomad_values`."""
        return [f"{k}={format_value(v)}" for k, v in gnomad_values(self, rec, idx).items()]

    def fast_values(self, line: str) -> list[str] | None:
        """``KEY=value`` items of a matched biallelic line, or None for the general path.

        Covers lines with one ALT whose used INFO values hold no comma; then every value is the
        raw text (:meth:`Source.allele_value` of a one-value key), so this gives the same items
        as :meth:`values`. A long INFO column is not split: only the used keys are looked up
        (:func:`info_get`).
        """
        if not self._fast:
            return None
        parts = line.split("\t", 8)
        if len(parts) < 8 or "," in parts[4]:
            return None
        try:
            return self._fast_items(_info_getter(parts[7]))
        except _GeneralPathError:
            return None

    def _fast_items(self, get: Callable[[str], str | None]) -> list[str]:
        out = []
        for key, prefix, integer, memo in self._simple:
            raw = get(key)
            if raw:
                item = _memo_get(memo, raw, prefix, integer)
                if item is not None:
                    out.append(item)
        for key in FAF_KEYS:
            raw = get(key)
            if raw:
                item = _memo_get(self._faf, raw, "GNOMAD_FAF95=", False)
                if item is not None:
                    out.append(item)
                    break
        if not self._given_popmax(get, out):
            self._computed_popmax(get, out)
        return out

    def _given_popmax(self, get: Callable[[str], str | None], out: list[str]) -> bool:
        """Append the source's own popmax items; False when the source has no popmax key."""
        for af_key, pop_key, declared in self._popmax:
            raw = get(af_key)
            if declared or raw is not None:
                if raw:
                    item = _memo_get(self._popmax_af, raw, "GNOMAD_POPMAX_AF=", False)
                    if item is not None:
                        out.append(item)
                        pop = get(pop_key)
                        if pop and pop != ".":
                            if "," in pop:
                                raise _GeneralPathError
                            out.append("GNOMAD_POPMAX=" + clean_value(pop))
                return True
        return False

    def _computed_popmax(self, get: Callable[[str], str | None], out: list[str]) -> None:
        """Append the popmax items computed over :data:`POPMAX_POPULATIONS`."""
        best: tuple[float, str, str] | None = None
        for pop in POPMAX_POPULATIONS:
            raw = get(f"AF_{pop}")
            if not raw:
                continue
            if "," in raw:
                raise _GeneralPathError
            value = self._floats.get(raw, _MISS)
            if value is _MISS:
                value = _memo_item(self._floats, raw, "", False)
            if value is not None:
                number = float(value)
                if best is None or number > best[0]:
                    best = (number, pop, value)
        if best is not None:
            out.append("GNOMAD_POPMAX_AF=" + best[2])
            if best[0] > 0:
                out.append("GNOMAD_POPMAX=" + best[1])
