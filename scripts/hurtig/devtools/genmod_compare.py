r"""Compare hurtig's inheritance logic with genmod on one family VCF (docs/GENMOD.md).

CLI::

    hurtig compare-genmod genes --vcf IN.vcf.gz --out GENES.vcf
    hurtig compare-genmod compare --vcf GENES.vcf --genmod GENMOD.vcf \
        --ped FAMILY.ped --out-tsv DIFF.tsv --out-md TABLE.md [--proband S]

``genes`` copies the VCF and adds ``INFO/Annotation`` (the gene names of its bcftools csq
``BCSQ`` entries), the key genmod groups compound heterozygotes by, so both tools see the same
genes. ``compare`` runs :func:`hurtig.prioritise.inheritance.assess_family` over every record
the proband carries (one entry per gene) and reads genmod's ``GeneticModels`` of the same
records, then writes the per-record disagreements (TSV) and the agreement table (Markdown).
"""

from __future__ import annotations

import argparse
import gzip
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cyvcf2 import VCF

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic
from hurtig.prioritise.calls import calls_of
from hurtig.prioritise.genotypes import Call, FamilyVariant, Zygosity
from hurtig.prioritise.inheritance import InheritanceSettings, Pattern, assess_family
from hurtig.run.pedigree import Pedigree, Person, load_ped

Key = tuple[str, int, str, str]

CLASSES: tuple[tuple[str, frozenset[Pattern], frozenset[str]], ...] = (
    ("de novo", frozenset({Pattern.DE_NOVO}), frozenset({"AD_dn", "XD_dn", "XR_dn"})),
    ("AR homozygous", frozenset({Pattern.HOMOZYGOUS}), frozenset({"AR_hom"})),
    ("compound het (in trans)", frozenset({Pattern.COMPOUND_HET}), frozenset({"AR_comp"})),
    (
        "compound het incl. possible / de novo partner",
        frozenset({Pattern.COMPOUND_HET, Pattern.POSSIBLE_COMPOUND_HET}),
        frozenset({"AR_comp", "AR_comp_dn"}),
    ),
)
"""(class, our patterns, genmod models): a record is in the class when it has any of them."""


def _open(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            yield from handle
    except OSError as err:
        raise InputError(f"{path}: cannot read VCF ({err})") from err


def bcsq_genes(info: str) -> list[str]:
    """Gene names of the ``BCSQ`` entries of an INFO string, in first-seen order."""
    genes: list[str] = []
    for item in info.split(";"):
        if not item.startswith("BCSQ="):
            continue
        for entry in item[5:].split(","):
            parts = entry.split("|")
            if entry.startswith("@") or len(parts) < 2 or not parts[1]:
                continue
            if parts[1] not in genes:
                genes.append(parts[1])
    return genes


def add_gene_annotation(vcf: Path) -> str:
    """The VCF text with ``INFO/Annotation`` = BCSQ gene names (see module docstring)."""
    out = []
    for line in _open(vcf):
        if line.startswith("##"):
            out.append(line)
        elif line.startswith("#"):
            out.append(
                '##INFO=<ID=Annotation,Number=.,Type=String,Description="Gene names from '
                'BCSQ (hurtig.devtools.genmod_compare), for genmod">\n'
            )
            out.append(line)
        else:
            cols = line.rstrip("\n").split("\t")
            genes = bcsq_genes(cols[7])
            if genes:
                cols[7] = (
                    ("" if cols[7] == "." else cols[7] + ";") + "Annotation=" + ",".join(genes)
                )
            out.append("\t".join(cols) + "\n")
    return "".join(out)


def genmod_models(path: Path, family: str) -> dict[Key, frozenset[str]]:
    """The ``GeneticModels`` genmod gave one family, per record (empty set = no model)."""
    out: dict[Key, frozenset[str]] = {}
    for line in _open(path):
        if line.startswith("#"):
            continue
        cols = line.split("\t", 8)
        models: frozenset[str] = frozenset()
        for item in cols[7].split(";"):
            if item.startswith("GeneticModels="):
                for fam in item[len("GeneticModels=") :].split(","):
                    name, _, value = fam.partition(":")
                    if name == family:
                        models = frozenset(value.split("|"))
        for alt in cols[4].split(","):
            out[(cols[0], int(cols[1]), cols[3], alt)] = models
    return out


@dataclass(frozen=True)
class Record:
    """One record the proband carries: our patterns, genmod's models, the family's calls."""

    key: Key
    filt: str
    ours: frozenset[Pattern]
    genmod: frozenset[str]
    calls: tuple[tuple[str, Call], ...]
    origin: str


def our_calls(
    vcf: Path, pedigree: Pedigree, proband: Person, pass_only: bool = False
) -> tuple[list[FamilyVariant], dict[Key, str]]:
    """Proband-carrying records as FamilyVariants (one per BCSQ gene) and their FILTER."""
    try:
        reader = VCF(str(vcf), gts012=False)
    except (OSError, ValueError) as err:
        raise InputError(f"{vcf}: cannot open VCF ({err})") from err
    samples = list(reader.samples)
    if proband.sample not in samples:
        raise InputError(f"{vcf}: proband {proband.sample} not in the VCF")
    fam = [p.sample for p in pedigree.family(proband.family) if p.sample in samples]
    fmt = {h.info()["ID"] for h in reader.header_iter() if h.info().get("HeaderType") == "FORMAT"}
    variants, filters = [], {}
    for rec in reader:
        if len(rec.ALT) != 1:
            raise InputError(f"{vcf}: {rec.CHROM}:{rec.POS} has several ALTs; split it first")
        if pass_only and rec.FILTER not in (None, "PASS"):
            continue
        calls = calls_of(rec, samples, fmt)
        if not calls[samples.index(proband.sample)].carries:
            continue
        fam_calls = tuple((s, calls[samples.index(s)]) for s in fam)
        ann = rec.INFO.get("Annotation")
        genes = [g for g in (ann.split(",") if isinstance(ann, str) else ann or ()) if g]
        key = (rec.CHROM, rec.POS, rec.REF, rec.ALT[0])
        filters[key] = rec.FILTER or "PASS"
        for gene in genes or [""]:
            variants.append(FamilyVariant(*key, gene, fam_calls))
    reader.close()
    return variants, filters


def compare(
    vcf: Path,
    genmod_vcf: Path,
    pedigree: Pedigree,
    proband: Person,
    settings: InheritanceSettings | None = None,
    pass_only: bool = False,
) -> list[Record]:
    """Our patterns and genmod's models for every record the proband carries."""
    variants, filters = our_calls(vcf, pedigree, proband, pass_only)
    ours = assess_family(variants, proband, pedigree, settings)
    models = genmod_models(genmod_vcf, proband.family)
    seen: dict[Key, Record] = {}
    for v in variants:
        if v.key in seen:
            continue
        call = ours[v.key]
        seen[v.key] = Record(
            v.key,
            filters[v.key],
            frozenset(call.patterns),
            models.get(v.key, frozenset()),
            v.calls,
            call.origin,
        )
    return list(seen.values())


def _fmt_call(c: Call) -> str:
    return f"{c.gt} GQ={c.gq} DP={c.dp} AD={c.ad_ref},{c.ad_alt}"


def reason(cls: str, r: Record, proband: str, s: InheritanceSettings) -> str:
    """A short cause for a disagreement (the classes are explained in docs/GENMOD.md)."""
    kid = dict(r.calls)[proband]
    parents = [c for name, c in r.calls if name != proband]
    if cls == "de novo":
        if Pattern.DE_NOVO not in r.ours:
            if any(c.zygosity == Zygosity.MISSING for c in parents):
                return "a parent no-call: genmod accepts it, hurtig needs a confident 0/0"
            low = [
                c for c in parents if (c.gq or 0) < s.parent_min_gq or (c.dp or 0) < s.parent_min_dp
            ]
            if low:
                return f"a parent 0/0 with GQ < {s.parent_min_gq} or DP < {s.parent_min_dp}"
            if kid.ab is not None and kid.ab < s.min_ab:
                return f"proband allele balance < {s.min_ab}"
            return "other"
        if any(c.carries for c in parents):
            return "a parent carries the allele"
        return "genmod: no de novo model"
    if cls == "AR homozygous":
        if Pattern.HOMOZYGOUS in r.ours:
            if "AR_hom_dn" in r.genmod:
                return "genmod AR_hom_dn (one parent 0/0): hurtig calls it homozygous"
            return "genmod: no AR_hom"
        if Pattern.HOM_IN_UNAFFECTED_PARENT in r.ours:
            return "an unaffected parent is also hom-alt"
        return "other"
    partners = "in trans" if Pattern.COMPOUND_HET in r.ours else "possible"
    if r.ours & {Pattern.COMPOUND_HET, Pattern.POSSIBLE_COMPOUND_HET}:
        return (
            f"hurtig {partners}, genmod {'/'.join(sorted(r.genmod)) or 'none'} (origin {r.origin})"
        )
    return f"hurtig none (origin {r.origin}), genmod {'/'.join(sorted(r.genmod))}"


def table(records: Sequence[Record], proband: str, s: InheritanceSettings) -> tuple[str, str]:
    """(Markdown agreement table with disagreement causes, TSV of disagreeing records)."""
    md = [
        f"Records the proband carries: {len(records)}\n",
        "| class | both | hurtig only | genmod only | neither | agreement (both / union) |",
        "|---|---|---|---|---|---|",
    ]
    tsv = ["class\tside\tchrom\tpos\tref\talt\tfilter\thurtig\tgenmod\treason\tcalls"]
    causes: dict[str, Counter[str]] = {}
    for cls, ours_set, gm_set in CLASSES:
        counts: Counter[str] = Counter()
        causes[cls] = Counter()
        for r in records:
            a, b = bool(r.ours & ours_set), bool(r.genmod & gm_set)
            side = {(True, True): "both", (True, False): "hurtig only"}.get(
                (a, b), "genmod only" if b else "neither"
            )
            counts[side] += 1
            if side in ("hurtig only", "genmod only"):
                why = reason(cls, r, proband, s)
                causes[cls][f"{side}: {why}"] += 1
                calls = "; ".join(f"{n}={_fmt_call(c)}" for n, c in r.calls)
                tsv.append(
                    "\t".join(
                        [cls, side, *map(str, r.key), r.filt,
                         ",".join(sorted(p.value for p in r.ours)),
                         ",".join(sorted(r.genmod)), why, calls]
                    )
                )  # fmt: skip
        union = counts["both"] + counts["hurtig only"] + counts["genmod only"]
        agree = f"{counts['both'] / union:.1%}" if union else "n/a"
        md.append(
            f"| {cls} | {counts['both']} | {counts['hurtig only']} | {counts['genmod only']} "
            f"| {counts['neither']} | {agree} |"
        )
    md.append("\nDisagreements by cause:\n")
    for cls, counter in causes.items():
        for why, n in sorted(counter.items(), key=lambda item: (-item[1], item[0])):
            md.append(f"- {cls}: {why}: {n}")
    return "\n".join(md) + "\n", "\n".join(tsv) + "\n"


def _proband(pedigree: Pedigree, name: str | None) -> Person:
    if name:
        return pedigree.person(name)
    trio = [
        p for p in pedigree.people if p.affected and p.father is not None and p.mother is not None
    ]
    if len(trio) != 1:
        raise InputError("PED: give --proband (need exactly one affected child with parents)")
    return trio[0]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="hurtig compare-genmod", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("genes", help="add INFO/Annotation (BCSQ genes) for genmod")
    g.add_argument("--vcf", required=True, type=Path)
    g.add_argument("--out", required=True, type=Path)
    c = sub.add_parser("compare", help="agreement table of hurtig and genmod")
    c.add_argument("--vcf", required=True, type=Path, help="the VCF genmod read")
    c.add_argument("--genmod", required=True, type=Path, help="genmod models output VCF")
    c.add_argument("--ped", required=True, type=Path)
    c.add_argument("--proband")
    c.add_argument("--pass-only", action="store_true", help="only FILTER=PASS records")
    c.add_argument("--out-tsv", required=True, type=Path)
    c.add_argument("--out-md", required=True, type=Path)
    args = parser.parse_args(argv)
    if args.command == "genes":
        write_text_atomic(args.out, add_gene_annotation(args.vcf))
        return 0
    pedigree = load_ped(args.ped)
    proband = _proband(pedigree, args.proband)
    settings = InheritanceSettings()
    records = compare(args.vcf, args.genmod, pedigree, proband, settings, args.pass_only)
    md, tsv = table(records, proband.sample, settings)
    write_text_atomic(args.out_md, md)
    write_text_atomic(args.out_tsv, tsv)
    print(md, end="")
    return 0
