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
from pathlib import Path

import numpy as np
import pysam

BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
GROUPS = ("afr", "amr", "eas", "nfe", "sas", "fin", "asj", "mid")


def load_window(fasta: Path, gff3: Path, contig: str, start: int, end: int):
    """Sequence (bytes) and GFF3 feature lines fully inside the window, shifted to 1-based."""
    with pysam.FastaFile(str(fasta)) as fa:
        seq = fa.fetch(contig, start - 1, end).upper().encode()
    feats = []
    opener = gzip.open if str(gff3).endswith(".gz") else open
    with opener(gff3, "rt") as handle:
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
    subprocess.run(cmd, shell=True, check=True, executable="/bin/bash")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--bp-per-record", type=int, default=620)
    ap.add_argument("--contigs", type=int, default=22)
    ap.add_argument("--gnomad-factor", type=float, default=2.0)
    ap.add_argument("--window-fasta", type=Path, required=True)
    ap.add_argument("--window-gff3", type=Path, required=True)
    ap.add_argument("--window", default="chr21:24985581-26000306")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    contig, _, span = args.window.partition(":")
    w_start, w_end = (int(x) for x in span.split("-"))
    seq, feats = load_window(args.window_fasta, args.window_gff3, contig, w_start, w_end)
    wlen = len(seq)
    total_bp = args.records * args.bp_per_record
    copies = max(1, -(-total_bp // wlen))
    n_contigs = max(1, min(args.contigs, copies))
    per_contig = [copies // n_contigs + (1 if i < copies % n_contigs else 0) for i in range(n_contigs)]
    names = [f"chr{i + 1}" for i in range(n_contigs)]
    arr = np.frombuffer(seq, dtype=np.uint8)

    # Genome and gene model.
    with open(out / "genome.fa", "wb") as fa:
        for name, c in zip(names, per_contig, strict=True):
            fa.write(f">{name}\n".encode())
            full = seq * c
            for i in range(0, len(full), 60):
                fa.write(full[i : i + 60] + b"\n")
    run(f"samtools faidx {out}/genome.fa")
    with gzip.open(out / "genes.gff3.gz", "wt", compresslevel=1) as gff:
        gff.write("##gff-version 3\n")
        for name, c in zip(names, per_contig, strict=True):
            for k in range(c):
                off = k * wlen
                for f in feats:
                    attrs = f[8]
                    for tag in ("gene:", "transcript:", "Name=ENSE", "exon_id=ENSE"):
                        attrs = attrs.replace(tag, f"{tag}{name}x{k}x")
                    # protein/gene ids and names stay unique per copy
                    attrs = attrs.replace("Name=", f"Name={name}x{k}x", 1) if "ID=gene:" in attrs else attrs
                    row = [name, *f[1:3], str(int(f[3]) + off), str(int(f[4]) + off), *f[5:8], attrs]
                    gff.write("\t".join(row) + "\n")

    # Calls, gnomAD-like, ClinVar-like, CADD-like, contig by contig.
    n_per = [round(args.records * c / copies) for c in per_contig]
    header = ["##fileformat=VCFv4.2"] + [
        f"##contig=<ID={n},length={c * wlen}>" for n, c in zip(names, per_contig, strict=True)
    ]
    calls = open(out / "calls.raw.vcf", "w")
    calls.write("\n".join([*header,
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##INFO=<ID=MQ,Number=1,Type=Integer,Description="Mapping quality">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred likelihoods">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSAMPLE"]) + "\n")
    gn = open(out / "gnomad.vcf", "w")
    gn.write("\n".join([*header, "##source=synthetic gnomAD-v4-style sites (benchmark)",
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="AC">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="AN">',
        '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">',
        '##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="nhomalt">',
        *[f'##INFO=<ID=AF_{g},Number=A,Type=Float,Description="AF {g}">' for g in GROUPS],
        '##INFO=<ID=grpmax,Number=A,Type=String,Description="grpmax">',
        '##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="AF grpmax">',
        '##INFO=<ID=faf95,Number=A,Type=Float,Description="faf95">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]) + "\n")
    cv = open(out / "clinvar.vcf", "w")
    cv.write("\n".join([*header, "##fileDate=2026-02-26", "##source=synthetic ClinVar-style",
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="CLNSIG">',
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="CLNREVSTAT">',
        '##INFO=<ID=CLNDN,Number=.,Type=String,Description="CLNDN">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]) + "\n")
    cadd = open(out / "cadd.tsv", "w")
    cadd.write("## CADD GRCh38-v1.7 (synthetic, benchmark)\n#Chrom\tPos\tRef\tAlt\tRawScore\tPHRED\n")
    sigs = ("Pathogenic", "Likely_pathogenic", "Uncertain_significance", "Benign", "Likely_benign",
            "Conflicting_classifications_of_pathogenicity")
    revs = ("criteria_provided,_single_submitter", "reviewed_by_expert_panel",
            "criteria_provided,_multiple_submitters,_no_conflicts", "no_assertion_criteria_provided")
    vid = 0
    for name, c, n in zip(names, per_contig, n_per, strict=True):
        clen = c * wlen
        n_src = int(n * (1 + args.gnomad_factor))
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
        cl, gl, vl, tl = [], [], [], []
        sstr = seq.decode()
        pos_l, kind_l, ilen_l = pos.tolist(), kind.tolist(), ilen.tolist()
        pick_l, extra_l, call_l = alt_pick.tolist(), extra_alt.tolist(), is_call.tolist()
        ing_l, inc_l, af_l, gt_l = in_gnomad.tolist(), in_clinvar.tolist(), afs.tolist(), gts.tolist()
        ins_l = ["".join(x) for x in rng.choice(list("ACGT"), (len(pos), 10)).tolist()]
        for i, p in enumerate(pos_l):
            o = (p - 1) % wlen
            r = sstr[o]
            if r not in "ACGT":
                continue
            if kind_l[i] < 0.85:
                a = "ACGT"[("ACGT".index(r) + pick_l[i]) % 4]
            elif kind_l[i] < 0.925:
                r = sstr[o : o + ilen_l[i] + 1]
                if len(r) != ilen_l[i] + 1 or "N" in r:
                    continue
                a = r[0]
            else:
                a = r + ins_l[i][: ilen_l[i]]
            if call_l[i]:
                gt = gt_l[i]
                dp = 20 + (i % 25)
                ad = f"{dp // 2},{dp - dp // 2}" if gt == "0/1" else f"0,{dp}"
                cl.append(f"{name}\t{p}\t.\t{r}\t{a}\t{50 + i % 200}\tPASS\tDP={dp};MQ=60\t"
                          f"GT:PL:DP:AD:GQ\t{gt}:60,0,70:{dp}:{ad}:60\n")
            if ing_l[i]:
                af = af_l[i]
                an = 152312
                alts, afv = [a], [af]
                if extra_l[i] and len(r) == 1 and len(a) == 1:
                    a2 = "ACGT"[("ACGT".index(r) + pick_l[i] % 3 + 1) % 4]
                    if a2 not in (a, r):
                        alts, afv = [a2, a], [af / 10, af]
                n_alt = len(alts)
                grp = ";".join(
                    f"AF_{g}=" + ",".join([f"{min(1.0, af * (0.5 + j / 4)):.4g}"] * n_alt)
                    for j, g in enumerate(GROUPS)
                )
                info = (
                    "AC=" + ",".join(str(round(x * an)) for x in afv) + f";AN={an};AF="
                    + ",".join(f"{x:.4g}" for x in afv) + ";nhomalt="
                    + ",".join(str(round(x * x * an / 2)) for x in afv) + f";{grp};grpmax="
                    + ",".join(["sas"] * n_alt) + ";AF_grpmax="
                    + ",".join([f"{min(1.0, af * 1.5):.4g}"] * n_alt) + ";faf95="
                    + ",".join(f"{x * 0.9:.4g}" for x in afv)
                )
                gl.append(f"{name}\t{p}\t.\t{r}\t{','.join(alts)}\t.\tPASS\t{info}\n")
            if inc_l[i]:
                vid += 1
                cv_info = (f"CLNSIG={sigs[vid % len(sigs)]};CLNREVSTAT={revs[vid % len(revs)]};"
                           f"CLNDN=Disease_{vid % 997}")
                vl.append(f"{name}\t{p}\t{vid}\t{r}\t{a}\t.\t.\t{cv_info}\n")
            if len(r) == 1 and len(a) == 1:
                raw = af_l[i] * 3
                tl.append(f"{name}\t{p}\t{r}\t{a}\t{raw:.6f}\t{min(99, raw * 10):.3f}\n")
        calls.writelines(cl)
        gn.writelines(gl)
        cv.writelines(vl)
        cadd.writelines(tl)
        print(f"{name}: {len(cl)} calls", file=sys.stderr)
    for h in (calls, gn, cv, cadd):
        h.close()
    run(f"bcftools norm --no-version -f {out}/genome.fa -Ou {out}/calls.raw.vcf 2>/dev/null"
        f" | bcftools sort -Oz -o {out}/calls.vcf.gz 2>/dev/null && tabix -f -p vcf {out}/calls.vcf.gz"
        f" && bcftools index -f --csi {out}/calls.vcf.gz && rm {out}/calls.raw.vcf")
    for f in ("gnomad", "clinvar"):
        run(f"bgzip -f -@2 {out}/{f}.vcf && tabix -f -p vcf {out}/{f}.vcf.gz")
    run(f"bgzip -f -@2 {out}/cadd.tsv && tabix -f -s1 -b2 -e2 -c '#' {out}/cadd.tsv.gz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
