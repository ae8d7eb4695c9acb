"""Synthesise a genome-scale annotation benchmark: genome, gene model, calls and sources.

The genome is a real GRCh38 window with its Ensembl gene model (by default the demo's chr21
24,985,581-26,000,306, 1.01 Mbp with APP, JAM2, CSTB, …) copied end to end into contigs
``chr1..chrK`` until it holds about ``--bp-per-record`` bases per call (a 30x genome has
~5 M calls in 3.1 Gbp: one per ~620 bp). Every copy carries the window's genes with shifted
coordinates and renamed ids, so gene density is that of the window (lower than the genome
average: consequence calling is, if anything, cheaper here than on a real genome).

Outputs in ``--out``: ``genome.fa`` (+ .fai), ``genes.gff3.gz``, ``calls.vcf.gz`` (one sample,
85 % SNVs, 15 % indels of 1-10 bp, left-aligned by ``bcftools norm``), ``gnomad.vcf.gz`` (gnomAD
v4 key names: AC, AN, AF, nhomalt, AF_<grp>, grpmax, AF_grpmax, faf95; ~90 % of the calls plus
``--gnomad-factor`` times as many other sites, 5 % of them multiallelic), ``clinvar.vcf.gz``
(official key names) and ``cadd.tsv.gz`` (CADD layout), all bgzipped and indexed.

Usage: ``python synth.py --records 5000000 --out DIR [--window-fasta F --window-gff3 G ...]``
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pysam

GROUPS = ("afr", "amr", "eas", "nfe", "sas", "fin", "asj", "mid")
GNOMAD_AN = 152312
SIGNIFICANCES = (
    "Pathogenic",
    "Likely_pathogenic",
    "Uncertain_significance",
    "Benign",
    "Likely_benign",
    "Conflicting_classifications_of_pathogenicity",
)
REVIEW_STATUSES = (
    "criteria_provided,_single_submitter",
    "reviewed_by_expert_panel",
    "criteria_provided,_multiple_submitters,_no_conflicts",
    "no_assertion_criteria_provided",
)
CALLS_HEADER = (
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##INFO=<ID=MQ,Number=1,Type=Integer,Description="Mapping quality">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred likelihoods">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSAMPLE",
)
GNOMAD_HEADER = (
    "##source=synthetic gnomAD-v4-style sites (benchmark)",
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="AC">',
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="AN">',
    '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">',
    '##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="nhomalt">',
    *[f'##INFO=<ID=AF_{g},Number=A,Type=Float,Description="AF {g}">' for g in GROUPS],
    '##INFO=<ID=grpmax,Number=A,Type=String,Description="grpmax">',
    '##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="AF grpmax">',
    '##INFO=<ID=faf95,Number=A,Type=Float,Description="faf95">',
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
)
CLINVAR_HEADER = (
    "##fileDate=2026-02-26",
    "##source=synthetic ClinVar-style",
    '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="CLNSIG">',
    '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="CLNREVSTAT">',
    '##INFO=<ID=CLNDN,Number=.,Type=String,Description="CLNDN">',
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
)
CADD_HEADER = "## CADD GRCh38-v1.7 (synthetic, benchmark)\n#Chrom\tPos\tRef\tAlt\tRawScore\tPHRED\n"


@dataclass(frozen=True)
class Layout:
    """How the window is copied into contigs: names, copies per contig and records per contig."""

    names: list[str]
    copies: list[int]
    records: list[int]
    window_length: int


@dataclass
class Sources:
    """The open text outputs of the per-contig pass (closed by the caller's ExitStack)."""

    calls: TextIO
    gnomad: TextIO
    clinvar: TextIO
    cadd: TextIO
    clinvar_id: int = 0


@dataclass(frozen=True)
class Draws:
    """The random draws of one contig's candidate sites, as lists (index = site)."""

    pos: list[int]
    kind: list[float]
    indel_length: list[int]
    alt_pick: list[int]
    extra_alt: list[bool]
    is_call: list[bool]
    in_gnomad: list[bool]
    in_clinvar: list[bool]
    af: list[float]
    gt: list[str]
    inserted: list[str]


def load_window(
    fasta: Path, gff3: Path, contig: str, start: int, end: int
) -> tuple[bytes, list[list[str]]]:
    """Sequence (bytes) and GFF3 feature lines fully inside the window, shifted to 1-based."""
    with pysam.FastaFile(str(fasta)) as fa:
        seq = fa.fetch(contig, start - 1, end).upper().encode()
    feats = []
    with gzip.open(gff3, "rt") if str(gff3).endswith(".gz") else gff3.open() as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            if len(f) != 9 or f[0] != contig:
                continue
            s, e = int(f[3]), int(f[4])
            if s >= start and e <= end:
                f[3], f[4] = str(s - start + 1), str(e - start + 1)
                feats.append(f)
    return seq, feats


def run(cmd: str) -> None:
    """Run a bash command line; fail on a non-zero exit."""
    subprocess.run(cmd, shell=True, check=True, executable="/bin/bash")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--bp-per-record", type=int, default=620)
    ap.add_argument("--contigs", type=int, default=22)
    ap.add_argument("--gnomad-factor", type=float, default=2.0)
    ap.add_argument("--window-fasta", type=Path, required=True)
    ap.add_argument("--window-gff3", type=Path, required=True)
    ap.add_argument("--window", default="chr21:24985581-26000306")
    ap.add_argument("--seed", type=int, default=7)
    return ap.parse_args(argv)


def plan_layout(records: int, bp_per_record: int, max_contigs: int, wlen: int) -> Layout:
    """Enough window copies for ``records`` calls at ``bp_per_record``, spread over contigs."""
    copies = max(1, -(-(records * bp_per_record) // wlen))
    n_contigs = max(1, min(max_contigs, copies))
    per_contig = [
        copies // n_contigs + (1 if i < copies % n_contigs else 0) for i in range(n_contigs)
    ]
    names = [f"chr{i + 1}" for i in range(n_contigs)]
    n_per = [round(records * c / copies) for c in per_contig]
    return Layout(names, per_contig, n_per, wlen)


def write_genome(out: Path, layout: Layout, seq: bytes) -> None:
    """``genome.fa`` (60 bases a line) and its ``.fai``."""
    with open(out / "genome.fa", "wb") as fa:
        for name, c in zip(layout.names, layout.copies, strict=True):
            fa.write(f">{name}\n".encode())
            full = seq * c
            for i in range(0, len(full), 60):
                fa.write(full[i : i + 60] + b"\n")
    run(f"samtools faidx {out}/genome.fa")


def write_gene_model(out: Path, layout: Layout, feats: list[list[str]]) -> None:
    """``genes.gff3.gz``: the window's features in every copy, ids made unique per copy."""
    with gzip.open(out / "genes.gff3.gz", "wt", compresslevel=1) as gff:
        gff.write("##gff-version 3\n")
        for name, c in zip(layout.names, layout.copies, strict=True):
            for k in range(c):
                off = k * layout.window_length
                for f in feats:
                    attrs = f[8]
                    for tag in ("gene:", "transcript:", "Name=ENSE", "exon_id=ENSE"):
                        attrs = attrs.replace(tag, f"{tag}{name}x{k}x")
                    # protein/gene ids and names stay unique per copy
                    if "ID=gene:" in attrs:
                        attrs = attrs.replace("Name=", f"Name={name}x{k}x", 1)
                    start, end = str(int(f[3]) + off), str(int(f[4]) + off)
                    gff.write("\t".join([name, *f[1:3], start, end, *f[5:8], attrs]) + "\n")


def draw_sites(rng: np.random.Generator, n: int, clen: int, gnomad_factor: float) -> Draws:
    """Candidate sites of one contig and their random properties (fixed order of draws)."""
    n_src = int(n * (1 + gnomad_factor))
    gap = max(2, (clen - 20) // max(1, n_src))
    pos = np.cumsum(rng.integers(1, 2 * gap, n_src)) + 10
    pos = pos[pos < clen - 20]
    is_call = np.zeros(len(pos), dtype=bool)
    is_call[rng.choice(len(pos), min(n, len(pos)), replace=False)] = True
    kind = rng.random(len(pos))  # < .85 SNV, < .925 del, else ins
    ilen = rng.integers(1, 11, len(pos))
    alt_pick = rng.integers(1, 4, len(pos))
    extra_alt = rng.random(len(pos)) < 0.05
    in_gnomad = ~is_call | (rng.random(len(pos)) < 0.9)
    in_clinvar = rng.random(len(pos)) < 0.15
    afs = rng.beta(0.3, 8, len(pos))
    gts = np.where(rng.random(len(pos)) < 0.6, "0/1", "1/1")
    inserted = ["".join(x) for x in rng.choice(list("ACGT"), (len(pos), 10)).tolist()]
    return Draws(
        pos.tolist(),
        kind.tolist(),
        ilen.tolist(),
        alt_pick.tolist(),
        extra_alt.tolist(),
        is_call.tolist(),
        in_gnomad.tolist(),
        in_clinvar.tolist(),
        afs.tolist(),
        gts.tolist(),
        inserted,
    )


def alleles(sstr: str, o: int, d: Draws, i: int) -> tuple[str, str] | None:
    """(REF, ALT) of site i at window offset o: SNV, deletion or insertion; None to skip it."""
    r = sstr[o]
    if r not in "ACGT":
        return None
    if d.kind[i] < 0.85:
        return r, "ACGT"[("ACGT".index(r) + d.alt_pick[i]) % 4]
    if d.kind[i] < 0.925:
        r = sstr[o : o + d.indel_length[i] + 1]
        if len(r) != d.indel_length[i] + 1 or "N" in r:
            return None
        return r, r[0]
    return r, r + d.inserted[i][: d.indel_length[i]]


def gnomad_line(name: str, p: int, r: str, a: str, d: Draws, i: int) -> str:
    """The gnomAD-like record of site i (5 % of SNVs get a second, rarer ALT)."""
    af = d.af[i]
    alts, afv = [a], [af]
    if d.extra_alt[i] and len(r) == 1 and len(a) == 1:
        a2 = "ACGT"[("ACGT".index(r) + d.alt_pick[i] % 3 + 1) % 4]
        if a2 not in (a, r):
            alts, afv = [a2, a], [af / 10, af]
    n_alt = len(alts)
    an = GNOMAD_AN
    grp = ";".join(
        f"AF_{g}=" + ",".join([f"{min(1.0, af * (0.5 + j / 4)):.4g}"] * n_alt)
        for j, g in enumerate(GROUPS)
    )
    info = (
        "AC="
        + ",".join(str(round(x * an)) for x in afv)
        + f";AN={an};AF="
        + ",".join(f"{x:.4g}" for x in afv)
        + ";nhomalt="
        + ",".join(str(round(x * x * an / 2)) for x in afv)
        + f";{grp};grpmax="
        + ",".join(["sas"] * n_alt)
        + ";AF_grpmax="
        + ",".join([f"{min(1.0, af * 1.5):.4g}"] * n_alt)
        + ";faf95="
        + ",".join(f"{x * 0.9:.4g}" for x in afv)
    )
    return f"{name}\t{p}\t.\t{r}\t{','.join(alts)}\t.\tPASS\t{info}\n"


def write_contig(out: Sources, name: str, sstr: str, wlen: int, d: Draws) -> int:
    """Write one contig's calls, gnomAD, ClinVar and CADD lines; returns the number of calls."""
    cl, gl, vl, tl = [], [], [], []
    for i, p in enumerate(d.pos):
        picked = alleles(sstr, (p - 1) % wlen, d, i)
        if picked is None:
            continue
        r, a = picked
        if d.is_call[i]:
            gt, dp = d.gt[i], 20 + (i % 25)
            ad = f"{dp // 2},{dp - dp // 2}" if gt == "0/1" else f"0,{dp}"
            cl.append(
                f"{name}\t{p}\t.\t{r}\t{a}\t{50 + i % 200}\tPASS\tDP={dp};MQ=60\t"
                f"GT:PL:DP:AD:GQ\t{gt}:60,0,70:{dp}:{ad}:60\n"
            )
        if d.in_gnomad[i]:
            gl.append(gnomad_line(name, p, r, a, d, i))
        if d.in_clinvar[i]:
            out.clinvar_id += 1
            vid = out.clinvar_id
            cv_info = (
                f"CLNSIG={SIGNIFICANCES[vid % len(SIGNIFICANCES)]};"
                f"CLNREVSTAT={REVIEW_STATUSES[vid % len(REVIEW_STATUSES)]};"
                f"CLNDN=Disease_{vid % 997}"
            )
            vl.append(f"{name}\t{p}\t{vid}\t{r}\t{a}\t.\t.\t{cv_info}\n")
        if len(r) == 1 and len(a) == 1:
            raw = d.af[i] * 3
            tl.append(f"{name}\t{p}\t{r}\t{a}\t{raw:.6f}\t{min(99, raw * 10):.3f}\n")
    out.calls.writelines(cl)
    out.gnomad.writelines(gl)
    out.clinvar.writelines(vl)
    out.cadd.writelines(tl)
    return len(cl)


def write_sources(out: Path, layout: Layout, seq: bytes, args: argparse.Namespace) -> None:
    """Calls, gnomAD-like, ClinVar-like and CADD-like files (plain text), contig by contig."""
    rng = np.random.default_rng(args.seed)
    wlen = layout.window_length
    header = ["##fileformat=VCFv4.2"] + [
        f"##contig=<ID={n},length={c * wlen}>"
        for n, c in zip(layout.names, layout.copies, strict=True)
    ]
    with ExitStack() as stack:
        calls, gnomad, clinvar, cadd = (
            stack.enter_context(open(out / name, "w"))
            for name in ("calls.raw.vcf", "gnomad.vcf", "clinvar.vcf", "cadd.tsv")
        )
        sources = Sources(calls, gnomad, clinvar, cadd)
        sources.calls.write("\n".join([*header, *CALLS_HEADER]) + "\n")
        sources.gnomad.write("\n".join([*header, *GNOMAD_HEADER]) + "\n")
        sources.clinvar.write("\n".join([*header, *CLINVAR_HEADER]) + "\n")
        sources.cadd.write(CADD_HEADER)
        sstr = seq.decode()
        for name, c, n in zip(layout.names, layout.copies, layout.records, strict=True):
            draws = draw_sites(rng, n, c * wlen, args.gnomad_factor)
            n_calls = write_contig(sources, name, sstr, wlen, draws)
            print(f"{name}: {n_calls} calls", file=sys.stderr)


def compress_and_index(out: Path) -> None:
    """Normalise and sort the calls; bgzip and index every output."""
    run(
        f"bcftools norm --no-version -f {out}/genome.fa -Ou {out}/calls.raw.vcf 2>/dev/null"
        f" | bcftools sort -Oz -o {out}/calls.vcf.gz 2>/dev/null"
        f" && tabix -f -p vcf {out}/calls.vcf.gz"
        f" && bcftools index -f --csi {out}/calls.vcf.gz && rm {out}/calls.raw.vcf"
    )
    for f in ("gnomad", "clinvar"):
        run(f"bgzip -f -@2 {out}/{f}.vcf && tabix -f -p vcf {out}/{f}.vcf.gz")
    run(f"bgzip -f -@2 {out}/cadd.tsv && tabix -f -s1 -b2 -e2 -c '#' {out}/cadd.tsv.gz")


def main(argv: Sequence[str] | None = None) -> int:
    """Write every benchmark input into ``--out``."""
    args = parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    contig, _, span = args.window.partition(":")
    w_start, w_end = (int(x) for x in span.split("-"))
    seq, feats = load_window(args.window_fasta, args.window_gff3, contig, w_start, w_end)
    layout = plan_layout(args.records, args.bp_per_record, args.contigs, len(seq))
    write_genome(out, layout, seq)
    write_gene_model(out, layout, feats)
    write_sources(out, layout, seq, args)
    compress_and_index(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
