"""Annotate a normalised VCF with gnomAD frequencies and ClinVar classifications.

Usage::

    python -m hurtig.annotate --vcf IN.vcf.gz --out OUT.vcf.gz \
        [--gnomad G.vcf.gz] [--clinvar C.vcf.gz] [--contig-map chr21=21 ...]

Design: the input (one ALT per record, sorted) is streamed once with cyvcf2. Each source is a
tabix-indexed VCF read as a sorted stream per contig, merge-joined with the input: only the
source records at or just before the current input position are kept (a small window keyed by
the trimmed ``(pos, ref, alt)`` of every source ALT), so memory is constant. When the input jumps
so far ahead that reading through would cost more than re-opening the stream through the index
(estimated skipped source records > ``seek_records``, from the source's density so far on the
contig; one re-open costs about as much as reading a few hundred records), the stream is re-opened
at the new position. Dense inputs (WGS) are thus streamed; sparse ones skip ahead, never one index
query per record.

Matching is allele-exact: a multiallelic source record is split into its ALTs, each ALT is
trimmed to its minimal representation (the input is already normalised) and compared on
``(pos, ref, alt)``. Number=A source fields take the value of the matching ALT.

gnomAD popmax: the file's own ``AF_grpmax``/``grpmax`` (v4) or ``AF_popmax``/``popmax`` (v2) is
used when present. Otherwise it is computed as the maximum of ``AF_<pop>`` over the populations
that both gnomAD v2 popmax and v4 grpmax use: afr, amr, eas, nfe, sas (bottlenecked or
unassigned groups asj, fin, oth/remaining, mid and ami are excluded, as gnomAD does). When that
maximum is 0 the frequency is written and the population name left out (no population has it).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pysam
from cyvcf2 import VCF, Writer

from hurtig.errors import InputError, run_cli
from hurtig.vcfio import sha256_file, temp_path, trim_alleles

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

DEFAULT_SEEK_RECORDS = 512
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
    out: dict[str, str] = {}
    for item in text.split(";"):
        key, _, value = item.partition("=")
        out[key] = value
    return out


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


@dataclass
class _SourceRecord:
    pos: int
    vid: str
    ref: str
    alts: list[str]
    rest: str  # QUAL, FILTER, INFO (and anything after), tab-separated


@dataclass
class Source:
    """A tabix-indexed annotation VCF, read as a sorted stream per contig."""

    name: str
    path: Path
    contig_map: dict[str, str]
    seek_records: int = DEFAULT_SEEK_RECORDS
    tabix: pysam.TabixFile = field(init=False)
    numbers: dict[str, str] = field(init=False)
    contigs: set[str] = field(init=False)
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        if not self.path.is_file():
            raise InputError(f"{self.path}: {self.name} file not found")
        try:
            self.tabix = pysam.TabixFile(str(self.path))
        except (OSError, ValueError) as err:
            raise InputError(
                f"{self.path}: cannot open as an indexed VCF ({err}); bgzip it and run tabix -p vcf"
            ) from err
        self.numbers = {}
        for line in self.tabix.header:
            match = _INFO_LINE.match(line)
            if match:
                self.numbers[match.group(1)] = match.group(2)
        self.contigs = set(self.tabix.contigs)
        self.sha256 = sha256_file(self.path)
        self._contig: str | None = None
        self._iter: Iterator[str] | None = None
        self._pending: _SourceRecord | None = None
        self._window: dict[tuple[int, str, str], tuple[_SourceRecord, int]] = {}
        self._cur = 0
        self._read_pos = 0
        self._span_start = 0
        self._n_read = 0
        self._exhausted = False
        self.seeks = 0

    def header_line(self) -> str:
        """The ``##hurtig_source`` header line for this source."""
        return f'##hurtig_source=<ID={self.name},File="{self.path.name}",SHA256={self.sha256}>'

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

    def start_contig(self, contig: str) -> None:
        """Reset the stream for a new input contig."""
        self._contig = self.resolve(contig)
        self._iter = None
        self._pending = None
        self._window = {}
        self._cur = 0
        self._read_pos = 0
        self._exhausted = False

    def _far(self, pos: int) -> bool:
        if self._exhausted or self._n_read == 0:
            return False
        density = self._n_read / max(1, self._read_pos - self._span_start + 1)
        return (pos - self._read_pos) * density > self.seek_records

    def _seek(self, pos: int) -> None:
        assert self._contig is not None
        # Records overlapping 0-based [pos-1, ...) include every record whose trimmed ALT can
        # start at `pos` (trimming only moves the start right, within REF).
        self._iter = iter(self.tabix.fetch(self._contig, max(0, pos - 1)))
        self._pending = None
        self._window = {}
        self._read_pos = pos
        self._span_start = pos
        self._n_read = 0
        self._exhausted = False
        self.seeks += 1

    def _add(self, rec: _SourceRecord, pos: int) -> None:
        for idx, alt in enumerate(rec.alts):
            if not alt or alt[0] in "<*." or "[" in alt or "]" in alt:
                continue
            key = trim_alleles(rec.pos, rec.ref, alt)
            if key[0] >= pos:
                self._window.setdefault(key, (rec, idx))

    def lookup(self, floor: int, pos: int, ref: str, alt: str) -> tuple[_SourceRecord, int] | None:
        """Find the source record and ALT index for an allele.

        Args:
            floor: the input record's VCF position; must not decrease between calls on a contig.
                Source alleles starting before it are forgotten.
            pos: 1-based position of the trimmed allele (``>= floor``).
            ref: reference allele (trimmed).
            alt: alternate allele (trimmed).

        Returns:
            ``(record, alt index)`` or None.
        """
        if self._contig is None:
            return None
        if floor != self._cur:
            if self._iter is None or self._far(floor):
                self._seek(floor)
            elif self._window:
                self._window = {k: v for k, v in self._window.items() if k[0] >= floor}
            self._cur = floor
        self._fill(pos, floor)
        return self._window.get((pos, ref, alt))

    def _fill(self, target: int, floor: int) -> None:
        """Read source records with POS <= target into the window (alleles starting >= floor)."""
        if self._pending is not None and self._pending.pos > target:
            return
        while not self._exhausted:
            rec = self._pending
            if rec is None:
                line = next(self._iter, None)  # type: ignore[arg-type]
                if line is None:
                    self._exhausted = True
                    return
                parts = line.split("\t", 5)
                if len(parts) < 6:
                    raise InputError(f"{self.path}: malformed VCF line: {line[:80]!r}")
                rpos = int(parts[1])
                self._read_pos = rpos
                self._n_read += 1
                if rpos + len(parts[3]) <= floor:
                    continue  # ends before `floor`: none of its ALTs can start at or after it
                rec = _SourceRecord(
                    rpos, parts[2], parts[3].upper(), parts[4].upper().split(","),
                    parts[5],
                )  # fmt: skip
            if rec.pos > target:
                self._pending = rec
                return
            self._pending = None
            self._add(rec, floor)

    def allele_value(
        self, info: dict[str, str], key: str, rec: _SourceRecord, idx: int
    ) -> str | None:
        """Value of ``key`` for ALT ``idx`` (Number=A/R aware); None when absent or missing."""
        raw = info.get(key)
        if raw is None or raw in ("", "."):
            return None
        number = self.numbers.get(key)
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


def _to_float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except ValueError:
        return None
    return None if math.isnan(out) else out


def _to_int(value: str | None) -> int | None:
    number = _to_float(value)
    return None if number is None else round(number)


def gnomad_values(source: Source, rec: _SourceRecord, idx: int) -> dict[str, object]:
    """The GNOMAD_* INFO values for one matched source ALT (absent keys left out)."""
    info = parse_info(rec.rest.split("\t", 3)[2] if rec.rest.count("\t") >= 2 else "")
    out: dict[str, object] = {}
    af = _to_float(source.allele_value(info, "AF", rec, idx))
    if af is not None:
        out["GNOMAD_AF"] = af
    for key, name in (("AC", "GNOMAD_AC"), ("AN", "GNOMAD_AN"), ("nhomalt", "GNOMAD_NHOMALT")):
        value = _to_int(source.allele_value(info, key, rec, idx))
        if value is not None:
            out[name] = value
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
    info = parse_info(rec.rest.split("\t", 3)[2] if rec.rest.count("\t") >= 2 else "")
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


EXTRACTORS = {"gnomad": gnomad_values, "clinvar": clinvar_values}
HEADERS = {"gnomad": GNOMAD_HEADER, "clinvar": CLINVAR_HEADER}


def _input_contigs(reader: VCF) -> list[str]:
    try:
        return list(reader.seqnames)
    except Exception:  # cyvcf2 raises a plain Exception without contig lines
        return []


def annotate(
    vcf: str | os.PathLike[str],
    out: str | os.PathLike[str],
    gnomad: str | os.PathLike[str] | None = None,
    clinvar: str | os.PathLike[str] | None = None,
    contig_map: dict[str, str] | None = None,
    seek_records: int = DEFAULT_SEEK_RECORDS,
) -> dict[str, int]:
    """Annotate ``vcf`` and write a bgzipped, tabix-indexed ``out`` (atomically).

    Args:
        vcf: input VCF (one ALT per record, sorted).
        out: output ``.vcf.gz``; ``out + ".tbi"`` is written too.
        gnomad: gnomAD sites VCF (bgzip + tabix), or None.
        clinvar: ClinVar VCF (bgzip + tabix), or None.
        contig_map: input contig → source contig names, used when a source lacks the input name.
        seek_records: re-open a source through its index when reading through to the next input
            position would skip more than about this many source records.

    Returns:
        Counters: ``records`` and ``<source>_hits`` per source.
    """
    vcf_path, out_path = Path(vcf), Path(out)
    if not vcf_path.is_file():
        raise InputError(f"{vcf_path}: input VCF not found")
    contig_map = contig_map or {}
    sources: list[Source] = []
    for name, path in (("gnomad", gnomad), ("clinvar", clinvar)):
        if path is not None:
            sources.append(Source(name, Path(path), contig_map, seek_records))
    try:
        reader = VCF(str(vcf_path))
    except Exception as err:  # cyvcf2 raises generic errors
        raise InputError(f"{vcf_path}: cannot read VCF ({err})") from err
    header_contigs = _input_contigs(reader)
    for source in sources:
        source.check_naming(header_contigs)
        reader.add_to_header(source.header_line())
        for line in HEADERS[source.name]:
            if not reader.contains(line["ID"]):
                reader.add_info_to_header(dict(line))

    tmp = temp_path(out_path, ".vcf.gz")
    counts = {"records": 0, **{f"{s.name}_hits": 0 for s in sources}}
    seen: set[str] = set()
    current: str | None = None
    last_pos = 0
    try:
        writer = Writer(str(tmp), reader, mode="wz")
        for variant in reader:
            chrom = variant.CHROM
            if chrom != current:
                if chrom in seen:
                    raise InputError(f"{vcf_path}: not sorted (contig {chrom} seen twice)")
                seen.add(chrom)
                current, last_pos = chrom, 0
                for source in sources:
                    if not header_contigs:
                        source.check_naming([chrom])
                    source.start_contig(chrom)
            pos = variant.POS
            if pos < last_pos:
                raise InputError(f"{vcf_path}: not sorted at {chrom}:{pos}")
            last_pos = pos
            alts = variant.ALT
            if len(alts) != 1:
                raise InputError(
                    f"{vcf_path}: {chrom}:{pos} has {len(alts)} ALT alleles; "
                    "split first (bcftools norm -m -any)"
                )
            key = trim_alleles(pos, variant.REF.upper(), alts[0].upper())
            for source in sources:
                hit = source.lookup(pos, *key)
                if hit is None:
                    continue
                values = EXTRACTORS[source.name](source, *hit)
                if values:
                    counts[f"{source.name}_hits"] += 1
                for name, value in values.items():
                    variant.INFO[name] = value
            try:
                writer.write_record(variant)
            except Exception as err:  # cyvcf2 raises a plain Exception (e.g. undefined tag)
                raise InputError(f"{vcf_path}: cannot write record {chrom}:{pos} ({err})") from err
            counts["records"] += 1
        writer.close()
        reader.close()
        pysam.tabix_index(str(tmp), preset="vcf", force=True)
        os.replace(tmp, out_path)
        os.replace(f"{tmp}.tbi", f"{out_path}.tbi")
    finally:
        for leftover in (tmp, Path(f"{tmp}.tbi")):
            if leftover.exists():
                leftover.unlink()
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m hurtig.annotate",
        description="Add gnomAD (GNOMAD_*) and ClinVar (CLINVAR_*) INFO keys to a normalised VCF.",
    )
    parser.add_argument("--vcf", required=True, help="input VCF(.gz), one ALT per record, sorted")
    parser.add_argument("--out", required=True, help="output .vcf.gz (a .tbi is written too)")
    parser.add_argument("--gnomad", help="gnomAD sites VCF (bgzip + tabix index)")
    parser.add_argument("--clinvar", help="ClinVar VCF (bgzip + tabix index)")
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
    args = parser.parse_args(argv)
    counts = annotate(
        args.vcf,
        args.out,
        gnomad=args.gnomad,
        clinvar=args.clinvar,
        contig_map=parse_contig_map(args.contig_map),
        seek_records=args.seek_records,
    )
    summary = ", ".join(f"{k}={v}" for k, v in counts.items())
    print(f"hurtig.annotate: {summary}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
