r"""``hurtig sv-merge``: one normalised SV VCF per family from Delly, TIDDIT and CNVkit calls.

CLI::

    hurtig sv-merge --fasta REF.fa --samples proband,father,mother --delly FAM.bcf \
        --tiddit proband=P.vcf ... --cnvkit proband=P.call.cns ... --out FAM.sv.vcf.gz

Calls of the same type whose spans overlap reciprocally by at least
:data:`MIN_RECIPROCAL_OVERLAP` are one event (greedy, callers in :data:`CALLERS` order, longest
first within a caller). The event's breakpoints are those of its most precise caller (Delly,
then TIDDIT, then CNVkit). Records are normalised: ``POS`` is the base before the event (its REF
base from the FASTA), ``ALT`` is ``<DEL>`` or ``<DUP>``, ``INFO/END`` the last affected base.
Each caller's evidence is kept: ``INFO/CALLERS`` and one INFO key per caller (``DELLY``,
``TIDDIT``, ``CNVKIT``), and per sample ``FORMAT/SC`` (callers that saw it in that sample),
``RR``/``AR`` (reads for the reference / the event), ``CN`` and ``L2`` (CNVkit).

A sample's genotype comes from Delly's joint genotyping when Delly called the event; otherwise
from the caller that saw it in that sample; a sample no caller saw it in is ``0/0`` (every
caller ran on every sample), without GQ.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pysam

from hurtig.errors import InputError
from hurtig.io.files import temp_path
from hurtig.sv.calls import CALLERS, SampleSv, SvCall, read_cnvkit, read_delly, read_tiddit

MIN_RECIPROCAL_OVERLAP = 0.5
"""Two calls are one event when each covers at least this fraction of the other."""


def reciprocal_overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    """The smaller of the two overlap fractions of two 1-based inclusive spans (0 when apart)."""
    overlap = min(a_end, b_end) - max(a_start, b_start) + 1
    if overlap <= 0:
        return 0.0
    return min(overlap / (a_end - a_start + 1), overlap / (b_end - b_start + 1))


@dataclass
class MergedSv:
    """One event of the family: the calls merged into it.

    Attributes:
        calls: the callers' calls, the breakpoint-giving one first.
    """

    calls: list[SvCall] = field(default_factory=list)

    @property
    def lead(self) -> SvCall:
        """The call whose breakpoints the event takes."""
        return self.calls[0]

    @property
    def callers(self) -> list[str]:
        """Callers that called the event, in :data:`CALLERS` order."""
        return [c for c in CALLERS if any(call.caller == c for call in self.calls)]

    def matches(self, call: SvCall) -> bool:
        """Same chromosome and type, and enough reciprocal overlap with the lead call."""
        lead = self.lead
        return (
            lead.chrom == call.chrom
            and lead.svtype == call.svtype
            and reciprocal_overlap(lead.start, lead.end, call.start, call.end)
            >= MIN_RECIPROCAL_OVERLAP
        )

    def genotype(self, sample: str) -> tuple[SampleSv, list[str]]:
        """The sample's genotype and the callers that saw the event in it."""
        seen = [c.caller for c in self.calls if sample in c.samples and c.samples[sample].carries]
        delly = next((c for c in self.calls if c.caller == "delly" and sample in c.samples), None)
        cnv = next(
            (c.samples[sample] for c in self.calls if c.caller == "cnvkit" and sample in c.samples),
            None,
        )
        if delly is not None:
            base = delly.samples[sample]
        else:
            base = next(
                (c.samples[sample] for c in self.calls if c.caller in seen and sample in c.samples),
                SampleSv("0/0"),
            )
        if cnv is not None:
            base = SampleSv(base.gt, base.gq, base.ref_reads, base.alt_reads, cnv.cn, cnv.log2)
        return base, [c for c in CALLERS if c in seen]


def merge_calls(calls: Iterable[SvCall]) -> list[MergedSv]:
    """Cluster calls into events (see the module docstring), sorted by position."""
    ordered = sorted(calls, key=lambda c: (CALLERS.index(c.caller), -c.length, c.chrom, c.start))
    events: list[MergedSv] = []
    for call in ordered:
        event = next((e for e in events if e.matches(call)), None)
        if event is None:
            events.append(MergedSv([call]))
        else:
            event.calls.append(call)
    events.sort(key=lambda e: (e.lead.chrom, e.lead.start, e.lead.end, e.lead.svtype))
    return events


HEADER = [
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="DEL or DUP">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="Last affected base">',
    '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length (negative for deletions)">',
    '##INFO=<ID=CALLERS,Number=.,Type=String,Description="Callers that called the event">',
    '##INFO=<ID=NCALLERS,Number=1,Type=Integer,Description="Number of callers">',
    '##INFO=<ID=DELLY,Number=.,Type=String,Description="Delly id|FILTER|QUAL|support">',
    '##INFO=<ID=TIDDIT,Number=.,Type=String,Description="TIDDIT sample|id|FILTER|support">',
    '##INFO=<ID=CNVKIT,Number=.,Type=String,Description="CNVkit sample|start-end|support">',
    '##FILTER=<ID=LowQual,Description="No caller passed its own filters">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality (Delly)">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="RR + AR (breakpoint reads)">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Reads for the reference, the event">',
    '##FORMAT=<ID=CN,Number=1,Type=Integer,Description="Copy number (CNVkit)">',
    '##FORMAT=<ID=L2,Number=1,Type=Float,Description="CNVkit log2 copy ratio">',
    '##FORMAT=<ID=SC,Number=1,Type=String,Description="Callers that saw it in this sample">',
]


def _dot(value: object) -> str:
    return "." if value is None else str(value)


def _caller_info(event: MergedSv) -> list[str]:
    parts: dict[str, list[str]] = {c: [] for c in CALLERS}
    for c in event.calls:
        flt = "PASS" if c.passed else "LowQual"
        qual = "." if c.qual is None else f"{c.qual:g}"
        if c.caller == "delly":
            parts["delly"].append(f"{c.ident}|{flt}|{qual}|{c.evidence}")
        elif c.caller == "tiddit":
            sample = next(iter(c.samples))
            parts["tiddit"].append(f"{sample}|{c.ident}|{flt}|{c.evidence}")
        else:
            sample = next(iter(c.samples))
            parts["cnvkit"].append(f"{sample}|{c.start}-{c.end}|{c.evidence}")
    return [f"{c.upper()}={','.join(v)}" for c, v in parts.items() if v]


def record_line(event: MergedSv, samples: Sequence[str], fasta: pysam.FastaFile) -> str:
    """The VCF line of one event."""
    lead = event.lead
    pos = max(1, lead.start - 1)
    ref = fasta.fetch(lead.chrom, pos - 1, pos).upper() or "N"
    svlen = -lead.length if lead.svtype == "DEL" else lead.length
    info = [
        f"SVTYPE={lead.svtype}",
        f"END={lead.end}",
        f"SVLEN={svlen}",
        f"CALLERS={','.join(event.callers)}",
        f"NCALLERS={len(event.callers)}",
        *_caller_info(event),
    ]
    cells = []
    for sample in samples:
        g, seen = event.genotype(sample)
        dp = None if g.ref_reads is None else g.ref_reads + (g.alt_reads or 0)
        ad = "." if g.ref_reads is None else f"{g.ref_reads},{g.alt_reads or 0}"
        fields = [g.gt, _dot(g.gq), _dot(dp), ad, _dot(g.cn), _dot(g.log2), "|".join(seen) or "."]
        cells.append(":".join(fields))
    flt = "PASS" if any(c.passed for c in event.calls) else "LowQual"
    fixed = [lead.chrom, str(pos), ".", ref, f"<{lead.svtype}>", ".", flt, ";".join(info)]
    return "\t".join([*fixed, "GT:GQ:DP:AD:CN:L2:SC", *cells])


def write_vcf(
    events: Sequence[MergedSv], samples: Sequence[str], fasta_path: Path, out: Path
) -> None:
    """Write the merged VCF (bgzipped, tabix-indexed) under a temporary name, then rename."""
    with pysam.FastaFile(str(fasta_path)) as fasta:
        contigs = [
            f"##contig=<ID={n},length={ln}>"
            for n, ln in zip(fasta.references, fasta.lengths, strict=True)
        ]
        lines = [
            "##fileformat=VCFv4.2",
            "##source=hurtig sv-merge (Delly, TIDDIT, CNVkit)",
            *contigs,
            *HEADER,
            "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
            + "\t"
            + "\t".join(samples),
            *(record_line(e, samples, fasta) for e in events),
        ]
    plain = temp_path(out, ".vcf")
    plain.write_text("\n".join(lines) + "\n")
    pysam.tabix_index(str(plain), preset="vcf", force=True)
    os.replace(f"{plain}.gz.tbi", f"{out}.tbi")
    os.replace(f"{plain}.gz", out)


def _pairs(values: Sequence[str], option: str) -> list[tuple[str, Path]]:
    out = []
    for value in values:
        sample, sep, path = value.partition("=")
        if not sep or not sample or not path:
            raise InputError(f"{option} {value}: expected SAMPLE=PATH")
        out.append((sample, Path(path)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="hurtig sv-merge", description=__doc__)
    parser.add_argument("--fasta", required=True, type=Path)
    parser.add_argument("--samples", required=True, help="VCF sample order, comma-separated")
    parser.add_argument("--delly", type=Path, action="append", default=[])
    parser.add_argument("--tiddit", action="append", default=[], metavar="SAMPLE=VCF")
    parser.add_argument("--cnvkit", action="append", default=[], metavar="SAMPLE=CALL.CNS")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    samples = [s for s in args.samples.split(",") if s]
    calls: list[SvCall] = []
    for path in args.delly:
        calls += read_delly(path)
    for sample, path in _pairs(args.tiddit, "--tiddit"):
        calls += read_tiddit(path, sample)
    for sample, path in _pairs(args.cnvkit, "--cnvkit"):
        calls += read_cnvkit(path, sample)
    unknown = sorted({s for c in calls for s in c.samples} - set(samples))
    if unknown:
        raise InputError(f"sv-merge: calls name samples not in --samples: {', '.join(unknown)}")
    write_vcf(merge_calls(calls), samples, args.fasta, args.out)
    return 0
