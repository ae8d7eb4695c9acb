"""The annotation source base: how a source is named, opened, read as text and matched.

A *source* is a sorted, position-indexed file (bgzipped and tabix-indexed VCF or TSV, or the
in-house SQLite database) whose records are matched allele-exactly against the input.
:class:`Source` reads a tabix-indexed VCF; a source kind (:mod:`hurtig.annotation.sources`)
subclasses it and says which INFO keys it writes (:meth:`Source.info_lines`) and what a matched
allele gets (:meth:`Source.values`). :class:`SourceSpec` says how to open one source (kind,
file, options; picklable, so shard workers open their own); the kinds are listed in
:mod:`hurtig.annotation.registry`. Also here: the INFO value helpers every kind shares
(:func:`format_value`, :func:`clean_value`, :func:`parse_info`) and the ``##INFO`` and
``##hurtig_source`` header lines.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pysam

from hurtig.annotation.contigs import counterpart, is_chr_style
from hurtig.errors import InputError
from hurtig.io.files import sha256_file, source_version

DEFAULT_SEEK_RECORDS = 4096
#: Bytes read from a source per block.
SOURCE_BLOCK = 1 << 21
#: An ``##INFO`` header line: its ID and Number.
INFO_LINE = re.compile(r"^##INFO=<ID=([^,>]+),Number=([^,>]+)")
_UNSAFE = re.compile(r"[;=\s]")
_ESCAPES = {";": "%3B", "=": "%3D"}


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


@dataclass(frozen=True)
class SourceSpec:
    """How to open one annotation source (picklable, so shard workers open their own).

    Attributes:
        kind: the source kind, a key of :data:`hurtig.annotation.registry.SOURCE_KINDS`
            (``gnomad``, ``clinvar``, ``score``, ``inhouse``, …).
        path: the source file.
        options: kind-specific settings (a score's config entry; the in-house exclusions).
        cache: the source's prepared cache directory (:mod:`hurtig.annotation.prepared_cache`),
            or None to read the source file itself.
    """

    kind: str
    path: str
    options: tuple[tuple[str, Any], ...] = ()
    cache: str | None = None

    def option(self, name: str, default: Any = None) -> Any:
        """The value of one kind-specific option (``default`` when not set)."""
        return dict(self.options).get(name, default)


@dataclass(slots=True)
class SourceRecord:
    """One matched source line, parsed: position, ID, REF, ALTs and the rest of the line."""

    pos: int
    vid: str
    ref: str
    alts: list[str]
    rest: Any  # VCF: "QUAL\\tFILTER\\tINFO..."; TSV: the split row; database: the counts


class Source:
    """A sorted, position-indexed annotation source read as a stream per contig.

    The base class reads a tabix-indexed VCF. A source kind subclasses it and says which INFO
    keys it writes (:meth:`info_lines`) and what a matched allele gets (:meth:`values`, from the
    record :meth:`record` parses). Other formats set :attr:`columns` (where POS, REF and ALT
    are in a text line) and override :meth:`record`; a source that is not a tabix-indexed file
    overrides :meth:`_open` and :meth:`text_chunks` too (the in-house database). Optional:
    :meth:`fast_values` (a faster path with the same output), :meth:`version`,
    :meth:`extra_provenance`, and :meth:`from_spec` / :meth:`spec_name` when the kind takes
    options.
    """

    #: The file format, as named in error messages.
    file_format = "vcf"
    #: Whether the kind can be prepared as a cache (:mod:`hurtig.annotation.prepared_cache`):
    #: static files can, the in-house database (it grows with every run) cannot.
    cacheable: ClassVar[bool] = True

    def __init__(
        self,
        name: str,
        path: Path,
        contig_map: dict[str, str],
        seek_records: int = DEFAULT_SEEK_RECORDS,
        version: str | None = None,
    ) -> None:
        """Open the source file.

        Args:
            name: the source's name (its ``##hurtig_source`` ID and cache folder).
            path: the source file.
            contig_map: input contig → source contig names, used when the source lacks a name.
            seek_records: re-open the stream through the index when reading through to the next
                input position would skip more than about this many source records.
            version: the configured version (default: from the file's header).
        """
        self.name = name
        self.path = Path(path)
        self.contig_map = contig_map
        self.seek_records = seek_records
        self._version = version
        self._sha256: str | None = None
        self._open()

    @classmethod
    def from_spec(cls, spec: SourceSpec, contig_map: dict[str, str], seek_records: int) -> Source:
        """Open the source a spec names; the kind's name is the source's name.

        Override when the kind takes options (``spec.options``) or names itself otherwise.
        """
        return cls(spec.kind, Path(spec.path), contig_map, seek_records)

    @classmethod
    def spec_name(cls, spec: SourceSpec) -> str:
        """The name a spec's source will have, without opening it (the kind, by default)."""
        return spec.kind

    header: tuple[str, ...]
    numbers: dict[str, str]
    """INFO key → its declared ``Number`` (from the header)."""
    contigs: set[str]

    # -- format hooks -------------------------------------------------------------------------

    def _open(self) -> None:
        """Open the file; set :attr:`header`, :attr:`numbers` and :attr:`contigs`."""
        if not self.path.is_file():
            raise InputError(f"{self.path}: {self.name} file not found")
        try:
            self.tabix = pysam.TabixFile(str(self.path))
        except (OSError, ValueError) as err:
            raise InputError(
                f"{self.path}: cannot open as an indexed {self.file_format.upper()} ({err}); "
                "bgzip it and index it with tabix"
            ) from err
        self.header = tuple(self.tabix.header)
        self.numbers = {}
        for line in self.header:
            match = INFO_LINE.match(line)
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

    def record(self, line: str) -> SourceRecord:
        """Parse one matched source line (text, no newline)."""
        parts = line.split("\t", 5)
        if len(parts) < 6:
            raise InputError(f"{self.path}: malformed VCF line: {line[:80]!r}")
        return SourceRecord(
            int(parts[1]), parts[2], parts[3].upper(), parts[4].upper().split(","), parts[5]
        )

    def info_lines(self) -> tuple[dict[str, str], ...]:
        """The INFO header definitions of the keys this source writes."""
        return ()

    def values(self, rec: SourceRecord, idx: int) -> list[str]:
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
        if self._sha256 is None:
            self._sha256 = sha256_file(self.path)
        return self._sha256

    def remember_checksum(self, sha256: str) -> None:
        """Take the file's SHA256 as known (a prepared cache validated against the file has it)."""
        self._sha256 = sha256

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
        in_style, src_style = is_chr_style(mapped), is_chr_style(self.contigs)
        if in_style == src_style:
            return
        example = input_contigs[0]
        twin = counterpart(example)
        src_example = twin if twin in self.contigs else sorted(self.contigs)[0]
        raise InputError(
            f"{self.path}: contig naming differs: input uses {example}, {self.path.name} uses "
            f"{src_example}; pass --contig-map (e.g. --contig-map {example}={src_example})"
        )

    def allele_value(
        self, info: dict[str, str], key: str, rec: SourceRecord, idx: int
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

    def record_info(self, rec: SourceRecord) -> dict[str, str]:
        """The INFO column of a VCF source record as ``{key: raw value}`` (flags map to "")."""
        parts = rec.rest.split("\t", 3)
        return parse_info(parts[2]) if len(parts) >= 3 else {}
