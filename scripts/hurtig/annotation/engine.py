"""Annotate a normalised VCF: consequences, gnomAD, ClinVar, in-house frequencies and scores.

Usage::

    hurtig annotate --vcf IN.vcf.gz --out OUT.vcf.gz \
        [--fasta REF.fa --gff3 GENES.gff3.gz] [--gnomad G.vcf.gz] [--clinvar C.vcf.gz] \
        [--inhouse DB.sqlite [--inhouse-exclude S1 S2]] [--scores scores.json] \
        [--contig-map chr21=21 ...] [--threads N]

Design (genome scale, constant memory):

- **Shards.** The input's contigs are cut into contiguous groups balanced by record count (from
  its index) and processed by ``--threads`` worker processes. Each worker runs
  ``bcftools csq -l`` (when a GFF3 is given; else ``bcftools view``) on its contigs and reads the
  VCF *text* from the pipe, so the C consequence caller and our Python join run at the same time.
  Each worker writes a headerless BGZF part; the parts are concatenated in contig order behind
  one header (BGZF members concatenate) and tabix-indexed.
- **No per-record objects.** A record is one text line: the join reads CHROM, POS, REF and ALT
  with one ``str.split`` and appends ``KEY=value`` strings to the INFO column of the matching
  records only; all other lines are written through untouched.
- **Merge-join sources.** Each source (tabix-indexed VCF or TSV, or the in-house SQLite
  database) is read as a sorted stream per contig: only the source records at or just before the
  current input position are kept (a small window keyed by the trimmed ``(pos, ref, alt)`` of
  every source ALT). When the input jumps so far ahead that reading through would cost more than
  re-opening the stream through the index (estimated skipped source records > ``seek_records``
  from the density so far), the stream is re-opened at the new position. Dense inputs (WGS) are
  streamed; sparse ones skip ahead, never one index query per record.

Matching is allele-exact: a multiallelic source record is split into its ALTs, each ALT is
trimmed to its minimal representation (the input is already normalised by ``bcftools norm``) and
compared on ``(pos, ref, alt)``. Number=A source fields take the value of the matching ALT.

gnomAD popmax: the file's own ``AF_grpmax``/``grpmax`` (v4) or ``AF_popmax``/``popmax`` (v2) is
used when present. Otherwise it is computed as the maximum of ``AF_<pop>`` over the populations
that both gnomAD v2 popmax and v4 grpmax use: afr, amr, eas, nfe, sas (bottlenecked or
unassigned groups asj, fin, oth/remaining, mid and ami are excluded, as gnomAD does). When that
maximum is 0 the frequency is written and the population name left out (no population has it).
Filtering AF (``faf95``/``fafmax_faf95_max``) is written as ``GNOMAD_FAF95`` when present.

Every source adds one ``##hurtig_source=<ID=..,File=..,Version=..,SHA256=..,Keys=..>`` header
line naming the file, its version (from its header or the configuration) and its checksum.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import IO, Any

import numpy as np
import pysam

from hurtig.annotation.cache import SourceCache, open_cache
from hurtig.annotation.join import (
    SOURCE_BLOCK,
    CachedStream,
    Lines,
    Matches,
    SourceStream,
    assemble,
    block_keys,
    chrom_runs,
    join_source,
    parse_ints,
    read_blocks,
    split_lines,
    sub_lines,
)
from hurtig.errors import InputError
from hurtig.io import tabix_merge as tbimerge
from hurtig.io.files import sha256_file, source_version, temp_path

#: Populations used for a computed popmax (shared by gnomAD v2 popmax and v4 grpmax).
POPMAX_POPULATIONS: tuple[str, ...] = ("afr", "amr", "eas", "nfe", "sas")

#: (AF key, population-name key) pairs for a popmax the source already provides, best first.
POPMAX_KEYS: tuple[tuple[str, str], ...] = (
    ("AF_grpmax", "grpmax"),
    ("AF_grpmax_joint", "grpmax_joint"),
    ("AF_popmax", "popmax"),
)

#: ClinVar CLNREVSTAT → review stars (ClinVar's star rules; older and newer spellings).
REVSTAT_STARS: dict[str, int] = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided,_multiple_submitters,_no_conflicts": 2,
    "criteria_provided,_conflicting_classifications": 1,
    "criteria_provided,_conflicting_interpretations": 1,
    "criteria_provided,_single_submitter": 1,
    "no_assertion_criteria_provided": 0,
    "no_assertion_provided": 0,
    "no_classification_provided": 0,
    "no_classification_for_the_single_variant": 0,
    "no_classifications_from_unflagged_records": 0,
    "no_interpretation_for_the_single_variant": 0,
}

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

CLINVAR_HEADER: tuple[dict[str, str], ...] = (
    {
        "ID": "CLINVAR_SIG",
        "Number": "1",
        "Type": "String",
        "Description": "ClinVar germline classification (CLNSIG, as in the source)",
    },
    {
        "ID": "CLINVAR_REVSTAT",
        "Number": "1",
        "Type": "String",
        "Description": "ClinVar review status (CLNREVSTAT, as in the source)",
    },
    {
        "ID": "CLINVAR_STARS",
        "Number": "1",
        "Type": "Integer",
        "Description": "ClinVar review stars 0-4 derived from CLNREVSTAT",
    },
    {"ID": "CLINVAR_ID", "Number": "1", "Type": "String", "Description": "ClinVar variation ID"},
    {
        "ID": "CLINVAR_DN",
        "Number": "1",
        "Type": "String",
        "Description": "ClinVar preferred disease name(s) (CLNDN, as in the source)",
    },
)

DEFAULT_SEEK_RECORDS = 4096
#: Bytes read from the producer pipe per block.
INPUT_BLOCK = 1 << 20
_INFO_LINE = re.compile(r"^##INFO=<ID=([^,>]+),Number=([^,>]+)")
_UNSAFE = re.compile(r"[;=\s]")
_ESCAPES = {";": "%3B", "=": "%3D"}


def clinvar_stars(revstat: str | None) -> int | None:
    """Map a ClinVar CLNREVSTAT value to review stars.

    Args:
        revstat: the CLNREVSTAT text (``criteria_provided,_single_submitter`` …), or None.

    Returns:
        0-4, or None when the status is absent or not a known ClinVar review status.
    """
    if not revstat:
        return None
    key = revstat.strip().lower().replace(" ", "_")
    return REVSTAT_STARS.get(key)


def clean_value(value: str) -> str:
    """Make a source string safe as a VCF INFO value (no ``;``, ``=`` or whitespace)."""
    if not _UNSAFE.search(value):
        return value
    return "".join(_ESCAPES.get(ch, "_" if ch.isspace() else ch) for ch in value)


def parse_info(text: str) -> dict[str, str]:
    """Split a VCF INFO column into ``{key: raw value}`` (flags map to ``""``)."""
    if text in ("", "."):
        return {}
    return {key: value for key, _, value in (item.partition("=") for item in text.split(";"))}


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


def _is_chr_style(names: Iterable[str]) -> bool | None:
    names = list(names)
    if not names:
        return None
    with_chr = sum(1 for n in names if n.lower().startswith("chr"))
    return with_chr * 2 >= len(names)


def _counterpart(name: str) -> str:
    return name[3:] if name.lower().startswith("chr") else f"chr{name}"


def info_header_line(line: dict[str, str]) -> str:
    """Format an ``##INFO`` header line from its ID/Number/Type/Description."""
    desc = line["Description"].replace('"', "'")
    return (
        f'##INFO=<ID={line["ID"]},Number={line["Number"]},Type={line["Type"]},Description="{desc}">'
    )


def format_value(value: object) -> str:
    """Format an INFO value: floats in their shortest round-trip form, the rest as text."""
    if isinstance(value, float):
        return repr(value)
    return str(value)


@dataclass(slots=True)
class _SourceRecord:
    pos: int
    vid: str
    ref: str
    alts: list[str]
    rest: Any  # VCF: "QUAL\\tFILTER\\tINFO..."; TSV: the split row; database: the counts


class Source:
    """A sorted, position-indexed annotation source read as a stream per contig.

    The base class reads a tabix-indexed VCF. Subclasses say which INFO keys they write
    (:meth:`info_lines`) and what values a matched allele gets (:meth:`values`); other formats
    override :meth:`_fetch` (an iterator of records from a position on).
    """

    kind = "vcf"

    def __init__(
        self,
        name: str,
        path: Path,
        contig_map: dict[str, str],
        seek_records: int = DEFAULT_SEEK_RECORDS,
        version: str | None = None,
    ) -> None:
        self.name = name
        self.path = Path(path)
        self.contig_map = contig_map
        self.seek_records = seek_records
        self._version = version
        #: The prepared cache (:mod:`hurtig.annotation.cache`), when the source is read through one.
        self.cache: SourceCache | None = None
        self._open()

    # -- format hooks -------------------------------------------------------------------------

    def _open(self) -> None:
        if not self.path.is_file():
            raise InputError(f"{self.path}: {self.name} file not found")
        try:
            self.tabix = pysam.TabixFile(str(self.path))
        except (OSError, ValueError) as err:
            raise InputError(
                f"{self.path}: cannot open as an indexed {self.kind.upper()} ({err}); "
                "bgzip it and index it with tabix"
            ) from err
        self.header = tuple(self.tabix.header)
        self.numbers: dict[str, str] = {}
        for line in self.header:
            match = _INFO_LINE.match(line)
            if match:
                self.numbers[match.group(1)] = match.group(2)
        self.contigs = set(self.tabix.contigs)

    #: Column numbers (0-based) of POS, REF and ALT in the source's text lines.
    columns: tuple[int, int, int] = (1, 3, 4)

    def text_chunks(self, contig: str, start: int) -> Iterator[bytes]:
        """Raw text (blocks of bytes, not cut at lines) of ``contig`` from 1-based ``start`` on.

        Records overlapping ``start`` are included, so every record whose trimmed ALT can start
        at ``start`` is (trimming only moves the start right, within REF). ``tabix`` runs in its
        own process: decompression overlaps with the join.
        """
        region = f"{{{contig}}}:{max(1, start)}-" if ":" in contig else f"{contig}:{max(1, start)}-"
        proc = subprocess.Popen(
            ["tabix", str(self.path), region], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout is not None and proc.stderr is not None
        try:
            while block := proc.stdout.read(SOURCE_BLOCK):
                yield block
            err = proc.stderr.read().decode(errors="replace")
            if proc.wait() != 0:
                last = (err.strip().splitlines() or ["failed"])[-1]
                raise InputError(f"{self.path}: tabix failed: {last}")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()

    def record(self, line: str) -> _SourceRecord:
        """Parse one matched source line (text, no newline)."""
        parts = line.split("\t", 5)
        if len(parts) < 6:
            raise InputError(f"{self.path}: malformed VCF line: {line[:80]!r}")
        return _SourceRecord(
            int(parts[1]), parts[2], parts[3].upper(), parts[4].upper().split(","), parts[5]
        )

    def info_lines(self) -> tuple[dict[str, str], ...]:
        """The INFO header definitions of the keys this source writes."""
        return ()

    def values(self, rec: _SourceRecord, idx: int) -> list[str]:
        """``KEY=value`` INFO items for ALT ``idx`` of a matched source record."""
        raise NotImplementedError

    def fast_values(self, line: str) -> list[str] | None:
        """Optional fast path: the items of a matched one-ALT line, or None to use :meth:`values`.

        Args:
            line: the matched source line (text, no newline).
        """
        return None

    def version(self) -> str:
        """The source's version: configured, else from its header, else ``unknown``."""
        return self._version or source_version(self.header)

    def extra_provenance(self) -> str:
        """Extra ``KEY=value`` fields for the provenance header line (may be empty)."""
        return ""

    # -- shared machinery ---------------------------------------------------------------------

    def checksum(self) -> str:
        """SHA256 of the source file (computed once, on demand)."""
        if not hasattr(self, "_sha256"):
            self._sha256 = sha256_file(self.path)
        return self._sha256

    def header_line(self) -> str:
        """The ``##hurtig_source`` provenance header line for this source."""
        keys = ",".join(line["ID"] for line in self.info_lines())
        extra = self.extra_provenance()
        return (
            f'##hurtig_source=<ID={self.name},File="{self.path.name}",'
            f'Version="{self.version()}",SHA256={self.checksum()},Keys="{keys}"'
            f"{',' + extra if extra else ''}>"
        )

    def resolve(self, contig: str) -> str | None:
        """The source's name for an input contig, or None when the source has no records there."""
        if contig in self.contigs:
            return contig
        mapped = self.contig_map.get(contig)
        if mapped is not None and mapped in self.contigs:
            return mapped
        return None

    def check_naming(self, input_contigs: Sequence[str]) -> None:
        """Raise InputError when input and source name contigs differently (chr21 vs 21)."""
        if not input_contigs or not self.contigs:
            return
        if any(self.resolve(c) for c in input_contigs):
            return
        mapped = [self.contig_map.get(c, c) for c in input_contigs]
        in_style, src_style = _is_chr_style(mapped), _is_chr_style(self.contigs)
        if in_style == src_style:
            return
        example = input_contigs[0]
        twin = _counterpart(example)
        src_example = twin if twin in self.contigs else sorted(self.contigs)[0]
        raise InputError(
            f"{self.path}: contig naming differs: input uses {example}, {self.path.name} uses "
            f"{src_example}; pass --contig-map (e.g. --contig-map {example}={src_example})"
        )

    def allele_value(
        self, info: dict[str, str], key: str, rec: _SourceRecord, idx: int
    ) -> str | None:
        """Value of ``key`` for ALT ``idx`` (Number=A/R aware); None when absent or missing."""
        raw = info.get(key)
        if not raw or raw == ".":
            return None
        number = self.numbers.get(key)
        if "," not in raw:  # one value: the value of every ALT, unless Number=R
            return None if number == "R" and len(rec.alts) >= 1 else raw
        if number is None and len(rec.alts) > 1 and raw.count(",") == len(rec.alts) - 1:
            number = "A"
        if number in ("A", "R"):
            parts = raw.split(",")
            i = idx + 1 if number == "R" else idx
            value = parts[i] if i < len(parts) else None
        else:
            value = raw
        if value is None or value in ("", "."):
            return None
        return value

    def record_info(self, rec: _SourceRecord) -> dict[str, str]:
        """The INFO column of a VCF source record as ``{key: raw value}`` (flags map to "")."""
        parts = rec.rest.split("\t", 3)
        return parse_info(parts[2]) if len(parts) >= 3 else {}


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


def gnomad_values(source: Source, rec: _SourceRecord, idx: int) -> dict[str, object]:
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
    for key in ("faf95", "fafmax_faf95_max", "faf95_popmax"):
        faf = _to_float(source.allele_value(info, key, rec, idx))
        if faf is not None:
            out["GNOMAD_FAF95"] = faf
            break
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


def clinvar_values(source: Source, rec: _SourceRecord, idx: int) -> dict[str, object]:
    """The CLINVAR_* INFO values for one matched source ALT (absent keys left out)."""
    info = source.record_info(rec)
    out: dict[str, object] = {}
    for key, name in (("CLNSIG", "CLINVAR_SIG"), ("CLNREVSTAT", "CLINVAR_REVSTAT")):
        value = source.allele_value(info, key, rec, idx)
        if value:
            out[name] = clean_value(value)
    stars = clinvar_stars(info.get("CLNREVSTAT"))
    if stars is not None:
        out["CLINVAR_STARS"] = stars
    if rec.vid and rec.vid != ".":
        out["CLINVAR_ID"] = clean_value(rec.vid)
    dn = source.allele_value(info, "CLNDN", rec, idx)
    if dn:
        out["CLINVAR_DN"] = clean_value(dn)
    return out


#: INFO keys that :func:`gnomad_values` reads.
GNOMAD_KEYS: tuple[str, ...] = (
    "AF",
    "AC",
    "AN",
    "nhomalt",
    "faf95",
    "fafmax_faf95_max",
    "faf95_popmax",
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


class GnomadSource(Source):
    """gnomAD sites VCF (v2 or v4 key names) → ``GNOMAD_*``.

    Matched biallelic records take a fast path (:meth:`fast_values`): only the INFO keys that
    are written are read, and the formatted ``KEY=value`` items
    are memoised per raw value (gnomAD repeats the same AN, AC and AF strings very often). Its
    output is that of :func:`gnomad_values`; records it does not cover take that general path.
    """

    def _open(self) -> None:
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
        return GNOMAD_HEADER

    def values(self, rec: _SourceRecord, idx: int) -> list[str]:
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
        info = parts[7]
        get: Callable[[str], str | None]
        if len(info) <= _SPLIT_INFO_MAX:  # short INFO: one split is cheapest
            table: dict[str, str] = {}
            for item in info.split(";"):
                key, _, value = item.partition("=")
                table[key] = value
            get = table.get
        else:  # long INFO (real gnomAD: hundreds of keys): find only the used keys
            get = partial(info_get, f";{info};")
        out = []
        for key, prefix, integer, memo in self._simple:
            raw = get(key)
            if raw:
                item = memo.get(raw, _MISS)
                if item is _MISS:
                    if "," in raw:
                        return None
                    item = _memo_item(memo, raw, prefix, integer)
                if item is not None:
                    out.append(item)
        for key in ("faf95", "fafmax_faf95_max", "faf95_popmax"):
            raw = get(key)
            if raw:
                item = self._faf.get(raw, _MISS)
                if item is _MISS:
                    if "," in raw:
                        return None
                    item = _memo_item(self._faf, raw, "GNOMAD_FAF95=", False)
                if item is not None:
                    out.append(item)
                    break
        for af_key, pop_key, declared in self._popmax:
            raw = get(af_key)
            if declared or raw is not None:
                if raw:
                    item = self._popmax_af.get(raw, _MISS)
                    if item is _MISS:
                        if "," in raw:
                            return None
                        item = _memo_item(self._popmax_af, raw, "GNOMAD_POPMAX_AF=", False)
                    if item is not None:
                        out.append(item)
                        pop = get(pop_key)
                        if pop and pop != ".":
                            if "," in pop:
                                return None
                            out.append("GNOMAD_POPMAX=" + clean_value(pop))
                return out
        best: tuple[float, str, str] | None = None
        for pop in POPMAX_POPULATIONS:
            raw = get(f"AF_{pop}")
            if not raw:
                continue
            if "," in raw:
                return None
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
        return out


class ClinvarSource(Source):
    """Official ClinVar VCF → ``CLINVAR_*``."""

    def info_lines(self) -> tuple[dict[str, str], ...]:
        return CLINVAR_HEADER

    def values(self, rec: _SourceRecord, idx: int) -> list[str]:
        return [f"{k}={format_value(v)}" for k, v in clinvar_values(self, rec, idx).items()]


@dataclass(frozen=True)
class SourceSpec:
    """How to open one annotation source (picklable, so shard workers open their own).

    Attributes:
        kind: ``gnomad``, ``clinvar``, ``score`` or ``inhouse``.
        path: the source file.
        options: kind-specific settings (a score's config entry; the in-house exclusions).
        cache: the source's prepared cache directory (:mod:`hurtig.annotation.cache`), or None to
            read the source file itself.
    """

    kind: str
    path: str
    options: tuple[tuple[str, Any], ...] = ()
    cache: str | None = None

    #: Kinds that can be prepared as a cache (static files; the in-house database is not).
    CACHEABLE = ("gnomad", "clinvar", "score")

    def cache_name(self) -> str:
        """The source's name (its INFO prefix source, and its folder in a cache directory)."""
        if self.kind == "score":
            from hurtig.annotation.sources.scores import score_from_config

            return score_from_config(
                json.loads(dict(self.options)["config"]), Path(self.path).parent
            ).name
        return self.kind

    def open(self, contig_map: dict[str, str], seek_records: int) -> Source:
        """Open the source (and its cache, validated against the file, when one is set)."""
        source = self._open_source(contig_map, seek_records)
        if self.cache is not None:
            source.cache = open_cache(self.cache, self, source)
        return source

    def _open_source(self, contig_map: dict[str, str], seek_records: int) -> Source:
        opts = dict(self.options)
        if self.kind == "gnomad":
            return GnomadSource("gnomad", Path(self.path), contig_map, seek_records)
        if self.kind == "clinvar":
            return ClinvarSource("clinvar", Path(self.path), contig_map, seek_records)
        if self.kind == "score":
            from hurtig.annotation.sources.scores import ScoreSource, score_from_config

            spec = score_from_config(json.loads(opts["config"]), Path(self.path).parent)
            return ScoreSource(spec, contig_map, seek_records)
        if self.kind == "inhouse":
            from hurtig.annotation.sources.inhouse import InhouseSource

            return InhouseSource(Path(self.path), contig_map, seek_records, opts.get("exclude", ()))
        raise ValueError(f"unknown source kind {self.kind!r}")


def _input_contigs(header: Sequence[str]) -> list[str]:
    out = []
    for line in header:
        if line.startswith("##contig=<"):
            match = re.search(r"[<,]ID=([^,>]+)", line)
            if match:
                out.append(match.group(1))
    return out


def _run(cmd: list[str], what: str) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise InputError(f"{what}: {cmd[0]} {cmd[1]} failed: {last}")
    return proc.stdout


def read_header(vcf: str) -> list[str]:
    """The header lines of a VCF/BCF file (``bcftools view -h``), newline-free."""
    return _run(["bcftools", "view", "-h", "--no-version", vcf], vcf).splitlines()


def contig_counts(vcf: str) -> list[tuple[str, int]]:
    """``(contig, records)`` in file order from the input's index; [] without an index."""
    proc = subprocess.run(
        ["bcftools", "index", "--stats", vcf], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return []
    out = []
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[2].isdigit() and int(parts[2]) > 0:
            out.append((parts[0], int(parts[2])))
    return out


def plan_shards(counts: Sequence[tuple[str, int]], n_shards: int) -> list[list[str]]:
    """Cut contigs (in file order) into at most ``n_shards`` contiguous, balanced groups.

    Args:
        counts: ``(contig, records)`` in file order.
        n_shards: wanted number of groups.

    Returns:
        Groups of contig names; concatenated in order they give the file order back.
    """
    total = sum(n for _, n in counts)
    if not counts or n_shards <= 1:
        return [[c for c, _ in counts]] if counts else []
    target = total / n_shards
    groups: list[list[str]] = [[]]
    acc = 0
    for contig, n in counts:
        if groups[-1] and acc + n / 2 > target * len(groups) and len(groups) < n_shards:
            groups.append([])
        groups[-1].append(contig)
        acc += n
    return groups


@dataclass
class _Job:
    """One shard: which contigs, what to run, where to write."""

    vcf: str
    contigs: list[str] | None
    part: str
    specs: list[SourceSpec]
    contig_map: dict[str, str]
    seek_records: int
    fasta: str | None
    gff3: str | None
    level: int
    header_contigs: list[str] = field(default_factory=list)


def _producer(job: _Job) -> list[str]:
    regions = ["-r", ",".join(job.contigs)] if job.contigs else []
    if job.gff3:
        assert job.fasta is not None
        return ["bcftools", "csq", "-l", "-f", job.fasta, "-g", job.gff3, "-Ov", *regions, job.vcf]
    return ["bcftools", "view", "--no-version", "-Ov", *regions, job.vcf]


def _our_ids(sources: Sequence[Source]) -> set[str]:
    return {line["ID"] for s in sources for line in s.info_lines()}


def _strip_keys(info: str, keys: set[str]) -> str:
    kept = [item for item in info.split(";") if item.partition("=")[0] not in keys]
    return ";".join(kept) if kept else "."


def _strip_block(block: bytes, keys: set[str]) -> bytes:
    """Remove ``keys`` from the INFO column of every line of a block (re-annotation only)."""
    out = []
    for line in block.decode().splitlines():
        fields = line.split("\t", 8)
        if len(fields) >= 8:
            fields[7] = _strip_keys(fields[7], keys)
        out.append("\t".join(fields))
    return ("\n".join(out) + "\n").encode()


class _Joiner:
    """Joins successive blocks of input lines (one shard) against the sources."""

    def __init__(self, sources: Sequence[Source], where: str, strip: set[str] | None) -> None:
        self.sources = sources
        self.where = where
        self.strip = strip
        self.seen: set[str] = set()
        self.contig: str | None = None
        self.last_pos = 0
        self.streams: list[SourceStream | CachedStream | None] = []
        self.hits = [0] * len(sources)
        self.records = 0
        self.seek_records = sources[0].seek_records if sources else DEFAULT_SEEK_RECORDS

    def _start_contig(self, chrom: str) -> None:
        if chrom in self.seen:
            raise InputError(f"{self.where}: not sorted (contig {chrom} seen twice)")
        self.seen.add(chrom)
        self.close()
        self.contig, self.last_pos = chrom, 0
        self.streams = []
        for source in self.sources:
            source.check_naming([chrom])
            name = source.resolve(chrom)
            if name is None:
                self.streams.append(None)
            elif source.cache is not None:
                self.streams.append(CachedStream(source.cache, name))
            else:
                self.streams.append(SourceStream(source, name, source.seek_records))

    def close(self) -> None:
        """Stop the source readers of the current contig."""
        for stream in self.streams:
            if stream is not None:
                stream.close()
        self.streams = []

    def block(self, blob: bytes, out: list[bytes]) -> None:
        """Annotate one block of whole lines and append the output bytes to ``out``."""
        if self.strip:
            blob = _strip_block(blob, self.strip)
        arr = np.frombuffer(blob, dtype=np.uint8)
        lines = split_lines(arr, 8, self.where, last_optional=False)
        for lo, hi, chrom in chrom_runs(arr, lines):
            if chrom != self.contig:
                self._start_contig(chrom)
            self._run(blob, arr, sub_lines(lines, lo, hi), chrom, out)

    def _run(
        self, blob: bytes, arr: np.ndarray, lines: Lines, chrom: str, out: list[bytes]
    ) -> None:
        start, stop = int(lines.starts[0]), int(lines.ends[-1]) + 1
        pos = parse_ints(arr, lines.field_starts[1], lines.field_ends[1], self.where)
        if pos[0] < self.last_pos or (len(pos) > 1 and (np.diff(pos) < 0).any()):
            steps = np.diff(np.concatenate([[self.last_pos], pos]))
            bad = int(np.flatnonzero(steps < 0)[0])
            raise InputError(f"{self.where}: not sorted at {chrom}:{pos[bad]}")
        self.last_pos = int(pos[-1])
        self.records += len(pos)
        keys = block_keys(blob, arr, lines, pos, self.where, chrom)
        additions: list[tuple[int, Matches]] = []
        if len(keys.pos):
            for k, stream in enumerate(self.streams):
                if stream is None:
                    continue
                if isinstance(stream, CachedStream):
                    found = stream.match(keys)
                else:
                    found = [join_source(stream, keys, self.last_pos)]
                self.hits[k] += sum(len(m.lines) for m in found)
                additions += [(k, m) for m in found]
        if not any(len(m.lines) for _, m in additions):
            out.append(blob[start:stop])
            return
        local = Lines(
            lines.starts - start,
            lines.ends - start,
            [f - start for f in lines.field_starts],
            [f - start for f in lines.field_ends],
        )
        out.append(assemble(arr[start:stop], local, 7, additions))

    def counts(self) -> dict[str, int]:
        """Counters: ``records`` and ``<source>_hits``."""
        counts = {"records": self.records}
        for i, source in enumerate(self.sources):
            counts[f"{source.name}_hits"] = self.hits[i]
        return counts


def join_stream(
    blocks: Iterable[bytes],
    out: IO[bytes],
    sources: Sequence[Source],
    where: str,
    strip: set[str] | None = None,
) -> dict[str, int]:
    """Annotate VCF body text (one ALT per record, sorted) and write it to ``out``.

    Args:
        blocks: the body as bytes blocks (cut anywhere; header lines are not expected).
        out: binary sink.
        sources: opened sources.
        where: the input's name for error messages.
        strip: INFO keys to remove from the input first (our keys already present).

    Returns:
        Counters: ``records`` and ``<source>_hits``.
    """
    joiner = _Joiner(sources, where, strip)
    try:
        for blob in read_blocks(blocks):
            pieces: list[bytes] = []
            joiner.block(blob, pieces)
            out.write(b"".join(pieces))
    finally:
        joiner.close()
    return joiner.counts()


def _bgzip(path: str, level: int) -> subprocess.Popen[bytes]:
    handle = open(path, "wb")  # noqa: SIM115 (owned by the child; closed after it ends)
    try:
        return subprocess.Popen(
            ["bgzip", "-c", "-l", str(level)], stdin=subprocess.PIPE, stdout=handle
        )
    finally:
        handle.close()


def _finish(proc: subprocess.Popen[bytes], what: str) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    if proc.wait() != 0:
        raise InputError(f"{what}: bgzip failed (exit {proc.returncode})")


def _pipe_blocks(stream: IO[bytes]) -> Iterator[bytes]:
    while block := stream.read(INPUT_BLOCK):
        yield block


def run_shard(job: _Job) -> tuple[list[str], dict[str, int]]:
    """Run one shard: producer pipe → join → BGZF part without header.

    Returns:
        The producer's header lines (newline-free) and the counters.
    """
    sources = [spec.open(job.contig_map, job.seek_records) for spec in job.specs]
    for source in sources:
        source.check_naming(job.header_contigs)
    cmd = _producer(job)
    producer = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert producer.stdout is not None
    sink = _bgzip(job.part, job.level)
    assert sink.stdin is not None
    try:
        stream = producer.stdout
        header: list[str] = []
        while not header or not header[-1].startswith("#CHROM"):
            raw = stream.readline()
            if not raw:
                raise InputError(f"{job.vcf}: no #CHROM header line")
            if not raw.startswith(b"#"):
                raise InputError(f"{job.vcf}: record before the #CHROM header line")
            header.append(raw.decode().rstrip("\n"))
        declared = {m.group(1) for h in header if (m := _INFO_LINE.match(h))}
        strip = _our_ids(sources) & declared
        counts = join_stream(_pipe_blocks(stream), sink.stdin, sources, job.vcf, strip or None)
    except BaseException:
        producer.kill()
        sink.kill()
        producer.wait()
        sink.wait()
        raise
    _finish(sink, job.part)
    err = producer.stderr.read().decode(errors="replace") if producer.stderr else ""
    if producer.wait() != 0:
        last = (err.strip().splitlines() or ["failed"])[-1]
        raise InputError(f"{job.vcf}: {cmd[0]} {cmd[1]} failed: {last}")
    # Indexed here, in parallel; annotate() merges the parts' indexes (hurtig.io.tabix_merge).
    _run(["tabix", "-f", "-p", "vcf", job.part], job.part)
    return header, counts


def _final_header(header: list[str], sources: Sequence[Source]) -> list[str]:
    body, chrom_line = header[:-1], header[-1]
    ours = _our_ids(sources)
    body = [h for h in body if not ((m := _INFO_LINE.match(h)) and m.group(1) in ours)]
    for source in sources:
        body.append(source.header_line())
        body += [info_header_line(line) for line in source.info_lines()]
    return [*body, chrom_line]


def annotate(
    vcf: str | os.PathLike[str],
    out: str | os.PathLike[str],
    gnomad: str | os.PathLike[str] | None = None,
    clinvar: str | os.PathLike[str] | None = None,
    contig_map: dict[str, str] | None = None,
    seek_records: int = DEFAULT_SEEK_RECORDS,
    *,
    extra: Sequence[SourceSpec] = (),
    fasta: str | os.PathLike[str] | None = None,
    gff3: str | os.PathLike[str] | None = None,
    threads: int = 1,
    compress_level: int = 1,
    cache_dir: str | os.PathLike[str] | None = None,
) -> dict[str, int]:
    """Annotate ``vcf`` and write a bgzipped, tabix-indexed ``out`` (atomically).

    Args:
        vcf: input VCF/BCF (one ALT per record, sorted); with an index, contigs are sharded.
        out: output ``.vcf.gz``; ``out + ".tbi"`` is written too.
        gnomad: gnomAD sites VCF (bgzip + tabix), or None.
        clinvar: ClinVar VCF (bgzip + tabix), or None.
        contig_map: input contig → source contig names, used when a source lacks the input name.
        seek_records: re-open a source through its index when reading through to the next input
            position would skip more than about this many source records.
        extra: further sources (scores, in-house database).
        fasta: reference FASTA for ``bcftools csq`` (with ``gff3``).
        gff3: Ensembl GFF3; when given, consequences (``BCSQ``) are added by ``bcftools csq -l``.
        threads: worker processes (shards run in parallel, each with its own csq).
        compress_level: BGZF level of the output (1 = fastest).
        cache_dir: directory of prepared sources (:mod:`hurtig.annotation.cache`, one folder per
            source name); gnomAD, ClinVar and score sources are then read from their caches
            (each validated against its file), the in-house database as before.

    Returns:
        Counters: ``records`` and ``<source>_hits`` per source.
    """
    vcf_path, out_path = Path(vcf), Path(out)
    if not vcf_path.is_file():
        raise InputError(f"{vcf_path}: input VCF not found")
    if gff3 is not None and fasta is None:
        raise InputError(f"{gff3}: a GFF3 needs the reference FASTA (--fasta) for bcftools csq")
    contig_map = contig_map or {}
    specs: list[SourceSpec] = []
    if gnomad is not None:
        specs.append(SourceSpec("gnomad", str(gnomad)))
    if clinvar is not None:
        specs.append(SourceSpec("clinvar", str(clinvar)))
    specs += list(extra)
    if cache_dir is not None:
        specs = [
            replace(s, cache=str(Path(cache_dir) / s.cache_name()))
            if s.kind in SourceSpec.CACHEABLE
            else s
            for s in specs
        ]
    sources = [spec.open(contig_map, seek_records) for spec in specs]
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise InputError(f"{vcf_path}: two annotation sources share a name ({names})")
    header_contigs = _input_contigs(read_header(str(vcf_path)))
    for source in sources:
        source.check_naming(header_contigs)

    counts_by_contig = contig_counts(str(vcf_path))
    n_shards = min(len(counts_by_contig), threads) if threads > 1 else 1
    groups: list[list[str] | None] = (
        list(plan_shards(counts_by_contig, n_shards)) if n_shards > 1 else [None]
    )
    tmp = temp_path(out_path, ".vcf.gz")
    parts = [f"{tmp}.part{i}" for i in range(len(groups))]
    jobs = [
        _Job(
            str(vcf_path), g, part, specs, contig_map, seek_records,
            str(fasta) if fasta else None, str(gff3) if gff3 else None,
            compress_level, header_contigs,
        )
        for g, part in zip(groups, parts, strict=True)
    ]  # fmt: skip
    try:
        if len(jobs) == 1:
            results = [run_shard(jobs[0])]
        else:
            ctx = multiprocessing.get_context("spawn")
            with ctx.Pool(min(threads, len(jobs))) as pool:
                results = pool.map(run_shard, jobs, chunksize=1)
        header = _final_header(results[0][0], sources)
        head = _bgzip(str(tmp), compress_level)
        assert head.stdin is not None
        head.stdin.write(("\n".join(header) + "\n").encode())
        _finish(head, str(tmp))
        starts = []
        with open(tmp, "ab") as sink:
            for part in parts:
                starts.append(sink.tell())
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, sink, 1 << 22)
        part_tbis = [(f"{p}.tbi", at) for p, at in zip(parts, starts, strict=True)]
        tbimerge.merge(part_tbis, f"{tmp}.tbi")
        os.replace(tmp, out_path)
        os.replace(f"{tmp}.tbi", f"{out_path}.tbi")
    finally:
        part_indexes = [f"{p}.tbi" for p in parts]
        for leftover in (tmp, Path(f"{tmp}.tbi"), *map(Path, parts), *map(Path, part_indexes)):
            if Path(leftover).exists():
                Path(leftover).unlink()
    counts: dict[str, int] = {}
    for _, shard_counts in results:
        for key, value in shard_counts.items():
            counts[key] = counts.get(key, 0) + value
    counts.setdefault("records", 0)
    for source in sources:
        counts.setdefault(f"{source.name}_hits", 0)
    return counts


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
        from hurtig.annotation.sources.scores import score_specs

        specs += score_specs(args.scores)
    return specs


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="hurtig annotate",
        description="Add consequences (bcftools csq), gnomAD, ClinVar, in-house and score INFO "
        "keys to a normalised VCF.",
    )
    parser.add_argument("--vcf", required=True, help="input VCF/BCF, one ALT per record, sorted")
    parser.add_argument("--out", required=True, help="output .vcf.gz (a .tbi is written too)")
    parser.add_argument("--fasta", help="reference FASTA (for bcftools csq)")
    parser.add_argument("--gff3", help="Ensembl GFF3: add BCSQ consequences with bcftools csq -l")
    add_source_options(parser)
    parser.add_argument(
        "--inhouse", help="in-house frequency database (hurtig.annotation.sources.inhouse)"
    )
    parser.add_argument(
        "--inhouse-exclude",
        nargs="*",
        default=[],
        metavar="SAMPLE",
        help="samples not counted in the in-house frequencies (the family being annotated)",
    )
    parser.add_argument(
        "--contig-map",
        nargs="*",
        default=[],
        metavar="INPUT=SOURCE",
        help="contig renames for the sources (e.g. chr21=21), or a two-column file",
    )
    parser.add_argument(
        "--seek-records",
        type=int,
        default=DEFAULT_SEEK_RECORDS,
        help="re-open a source via its index when reading through would skip more records",
    )
    parser.add_argument(
        "--cache-dir",
        help="prepared sources (hurtig prepare-source --out DIR): read gnomAD, ClinVar "
        "and scores from their caches",
    )
    parser.add_argument("--threads", type=int, default=1, help="parallel shard workers")
    parser.add_argument("--compress-level", type=int, default=1, help="output BGZF level 0-9")
    args = parser.parse_args(argv)
    extra: list[SourceSpec] = []
    if args.scores:
        from hurtig.annotation.sources.scores import score_specs

        extra += score_specs(args.scores)
    if args.inhouse:
        if not Path(args.inhouse).exists():  # first run: an empty database
            from hurtig.annotation.sources.inhouse import connect

            connect(args.inhouse).close()
        extra.append(
            SourceSpec("inhouse", args.inhouse, (("exclude", tuple(args.inhouse_exclude)),))
        )
    counts = annotate(
        args.vcf,
        args.out,
        gnomad=args.gnomad,
        clinvar=args.clinvar,
        contig_map=parse_contig_map(args.contig_map),
        seek_records=args.seek_records,
        extra=extra,
        fasta=args.fasta,
        gff3=args.gff3,
        threads=args.threads,
        compress_level=args.compress_level,
        cache_dir=args.cache_dir,
    )
    summary = ", ".join(f"{k}={v}" for k, v in counts.items())
    print(f"hurtig.annotation.engine: {summary}", file=sys.stderr)
    return 0
