#!/usr/bin/env python3
"""Rewrite an Ensembl-style GFF3 into a GFF3 that snpEff's one-pass GFF3 reader understands.

The input has ID=gene:/transcript:, Parent links, is possibly sorted by position with children
before parents, and has per-copy renamed IDs but shared gene_id/transcript_id/CDS IDs. The output:

* gene/transcript lines get type 'gene' / 'transcript' (snpEff ignores lincRNA_gene, lincRNA,
  processed_pseudogene, NMD_transcript_variant, ... and then invents genes from exon IDs);
* gene_id / transcript_id / protein_id and CDS IDs are made unique (taken from the renamed
  ID=), since snpEff keys genes by gene_id and falls back to CDS IDs when a parent is missing;
* records are written hierarchically: gene, its transcripts, each followed by its
  exon/CDS/UTR lines;
* multi-parent children are split into one line per parent;
* children whose transcript is absent (cut by the window edge) are dropped (bcftools csq skips
  them too).

Same coordinates, same structures, same biotypes: just a parser-friendly serialisation.
usage: python snpeff_gff.py in.gff3[.gz] > out.gff

Why: snpEff 5.1 (Debian) builds a broken database from the position-sorted Ensembl GFF3 of the
benchmark (genes of later copies dropped, fake genes spanning ~27 Mbp); annotating with it ran at
~30 records/s and named transcripts of other chromosomes. With this serialisation the database
has the same 30,600 transcripts bcftools csq uses (+1,224 TEC) and 0 build errors.
"""

from __future__ import annotations

import gzip
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

GENE, TX = "gene:", "transcript:"

Attributes = dict[str, str]
Feature = tuple[list[str], Attributes]


@dataclass
class GeneModel:
    """Genes and transcripts by ID, transcripts per gene and child lines per parent ID."""

    genes: dict[str, Feature] = field(default_factory=dict)
    txs: dict[str, Feature] = field(default_factory=dict)
    tx_of_gene: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    kids: defaultdict[str, list[Feature]] = field(default_factory=lambda: defaultdict(list))


def attrs(s: str) -> Attributes:
    """The ``key=value`` pairs of a GFF3 attribute column, in order."""
    d = {}
    for kv in s.split(";"):
        if "=" in kv:
            k, v = kv.split("=", 1)
            d[k] = v
    return d


def fmt(d: Attributes) -> str:
    """A GFF3 attribute column from ``key=value`` pairs."""
    return ";".join(f"{k}={v}" for k, v in d.items())


def read_model(path: str) -> GeneModel:
    """Genes, transcripts and their children from a GFF3 (plain or gzipped)."""
    model = GeneModel()
    with gzip.open(path, "rt") if path.endswith(".gz") else open(path) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            f = line.rstrip("\n").split("\t")
            a = attrs(f[8])
            i = a.get("ID", "")
            if i.startswith(GENE):
                model.genes[i] = (f, a)
            elif i.startswith(TX):
                model.txs[i] = (f, a)
                model.tx_of_gene[a["Parent"]].append(i)
            else:
                for p in a.get("Parent", "").split(","):
                    model.kids[p].append((f, a))
    return model


def add_missing_genes(model: GeneModel) -> set[str]:
    """Synthesise the genes of transcripts whose gene line was cut off (bcftools keeps them).

    Returns:
        The IDs of the transcripts that had no gene.
    """
    genes, txs, tx_of_gene = model.genes, model.txs, model.tx_of_gene
    orphans_tx = set(txs) - {t for g in genes for t in tx_of_gene[g]}
    for g in {txs[t][1]["Parent"] for t in orphans_tx}:
        fs = [txs[t][0] for t in tx_of_gene[g]]
        f = list(fs[0][:8])
        f[2], f[3], f[4] = "gene", str(min(int(x[3]) for x in fs)), str(max(int(x[4]) for x in fs))
        biotype = txs[tx_of_gene[g][0]][1].get("biotype", ".")
        genes[g] = (f, {"ID": g, "Name": g[len(GENE) :], "biotype": biotype})
    return orphans_tx


def write_transcript(out: TextIO, model: GeneModel, g: str, t: str) -> None:
    """One transcript line, then its exon/CDS/UTR lines, with IDs unique to the transcript."""
    tf, ta = model.txs[t]
    ta = dict(ta)
    ta["ID"] = ta["transcript_id"] = t[len(TX) :]
    ta["Parent"] = g[len(GENE) :]
    out.write("\t".join([*tf[:2], "transcript", *tf[3:8], fmt(ta)]) + "\n")
    for cf, ca in sorted(model.kids[t], key=lambda k: (int(k[0][3]), k[0][2])):
        ca = dict(ca)
        ca["Parent"] = t[len(TX) :]
        if cf[2] == "CDS":
            ca["ID"] = "CDS:" + t[len(TX) :]
            ca["protein_id"] = "P_" + t[len(TX) :]
        elif "ID" in ca:
            ca["ID"] = ca["ID"] + "@" + t[len(TX) :]
        out.write("\t".join([*cf[:8], fmt(ca)]) + "\n")


def write_model(out: TextIO, model: GeneModel) -> None:
    """Every gene (by contig number, contig, start), each followed by its transcripts."""
    genes = model.genes

    def gene_order(g: str) -> tuple[int, str, int]:
        contig = genes[g][0][0]
        return (int(contig[3:]) if contig[3:].isdigit() else 10**9, contig, int(genes[g][0][3]))

    out.write("##gff-version 3\n")
    for g in sorted(genes, key=gene_order):
        f, a = genes[g]
        a = dict(a)
        a["ID"] = a["gene_id"] = g[len(GENE) :]
        out.write("\t".join([*f[:2], "gene", *f[3:8], fmt(a)]) + "\n")
        for t in sorted(model.tx_of_gene[g], key=lambda t: int(model.txs[t][0][3])):
            write_transcript(out, model, g, t)


def main(argv: Sequence[str] | None = None) -> None:
    """Convert the GFF3 named on the command line to standard output; counts to stderr."""
    path = (sys.argv[1:] if argv is None else argv)[0]
    model = read_model(path)
    orphans_tx = add_missing_genes(model)
    write_model(sys.stdout, model)
    # (child, parent) pairs whose transcript is absent
    dropped = sum(len(lst) for p, lst in model.kids.items() if p not in model.txs)
    print(
        f"genes {len(model.genes)} transcripts {len(model.txs)} (without gene: {len(orphans_tx)}) "
        f"child lines dropped for missing transcript: {dropped}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
