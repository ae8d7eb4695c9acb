"""Variants of the rehearsal genome: a trio's phased truth and gnomAD-/ClinVar-like sources.

Sites are drawn contig by contig (seeded, deterministic) at about one per :data:`SITE_SPACING`
bases of A/C/G/T, 88 % SNVs and 12 % indels of 1-6 bp. Parents' alleles come from a drawn
population frequency; the proband gets one of the father's and one of the mother's haplotypes.
Sex is respected: a male has one chrX (haplotype 1) and one chrY (haplotype 2), a female no chrY;
chrM is haploid and maternal. The gnomAD-like file holds every truth site plus as many
population-only sites again (gnomAD v4 key names, as ``perf/annotation/synth.py``); the
ClinVar-like file holds a tenth of the truth sites and SNVs in the CDS of the gene model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from hurtig.devtools.trio_truth import TrioSite

SITE_SPACING = 800
SEXES: dict[str, str] = {"proband": "female", "father": "male", "mother": "female"}
"""Sexes of the simulated trio (the proband female, so chrX is diploid and chrY absent)."""
GROUPS = ("afr", "amr", "eas", "nfe", "sas", "fin", "asj", "mid")
GNOMAD_AN = 152_312
GNOMAD_HEADER = (
    "##source=synthetic gnomAD-v4-style sites (hurtig rehearsal genome)",
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">',
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">',
    '##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">',
    '##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Homozygous alternate count">',
    *(f'##INFO=<ID=AF_{g},Number=A,Type=Float,Description="AF in {g}">' for g in GROUPS),
    '##INFO=<ID=grpmax,Number=A,Type=String,Description="Group with the highest AF">',
    '##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Highest group AF">',
    '##INFO=<ID=faf95,Number=A,Type=Float,Description="Filtering allele frequency (95 %)">',
)
CLINVAR_HEADER = (
    "##source=synthetic ClinVar-style sites (hurtig rehearsal genome)",
    '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Clinical significance">',
    '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="Review status">',
    '##INFO=<ID=CLNDN,Number=.,Type=String,Description="Disease name">',
)
SIGNIFICANCES = ("Pathogenic", "Likely_pathogenic", "Uncertain_significance", "Benign")
REVIEW = ("criteria_provided,_single_submitter", "reviewed_by_expert_panel")


@dataclass(frozen=True)
class Site:
    """A drawn site: position (1-based), alleles and population frequency."""

    chrom: str
    pos: int
    ref: str
    alt: str
    af: float


def draw_sites(chrom: str, sequence: bytes, rng: np.random.Generator) -> list[Site]:
    """Sites of one contig at ~1 per SITE_SPACING bases, not overlapping, REF from ``sequence``."""
    text = sequence.decode()
    n = max(1, len(text) // SITE_SPACING)
    positions = np.sort(rng.choice(max(1, len(text) - 20), size=n, replace=False)) + 1
    kinds, lengths = rng.random(n), rng.integers(1, 7, n)
    picks, afs = rng.integers(1, 4, n), rng.beta(0.4, 3.0, n)
    inserted = rng.choice(list("ACGT"), (n, 6))
    sites: list[Site] = []
    last_end = 0
    for i, p in enumerate(positions.tolist()):
        ref = text[p - 1]
        if ref not in "ACGT" or p <= last_end + 10:
            continue
        if kinds[i] < 0.88:
            alt = "ACGT"[("ACGT".index(ref) + int(picks[i])) % 4]
        elif kinds[i] < 0.94:
            ref = text[p - 1 : p + int(lengths[i])]
            if not set(ref) <= set("ACGT"):
                continue
            alt = ref[0]
        else:
            alt = ref + "".join(inserted[i][: int(lengths[i])])
        sites.append(Site(chrom, p, ref, alt, float(afs[i])))
        last_end = p + len(ref) - 1
    return sites


def _carried(sex: str, chrom: str) -> tuple[bool, bool]:
    """Which of a person's two haplotypes hold ``chrom``."""
    if chrom == "chrY":
        return (False, sex == "male")
    if chrom == "chrX" and sex == "male":
        return (True, False)
    return (True, True)


def _keep(alleles: tuple[int, int], sex: str, chrom: str) -> tuple[int, int]:
    """``alleles`` with those on a haplotype that lacks ``chrom`` set to 0."""
    carried = _carried(sex, chrom)
    return (alleles[0] if carried[0] else 0, alleles[1] if carried[1] else 0)


def trio_genotypes(site: Site, rng: np.random.Generator) -> dict[str, tuple[int, int]]:
    """Phased genotypes of proband (paternal|maternal), father and mother at ``site``."""
    draw = [int(x) for x in rng.random(4) < site.af]
    if site.chrom == "chrM":  # haploid, maternal
        return {
            "proband": (draw[2], draw[2]),
            "father": (draw[0], draw[0]),
            "mother": (draw[2], draw[2]),
        }
    father = _keep((draw[0], draw[1]), "male", site.chrom)
    mother = _keep((draw[2], draw[3]), "female", site.chrom)
    # A father passes his chrX (haplotype 1) to a daughter; the proband is female.
    from_father = father[0] if site.chrom == "chrX" else father[int(rng.integers(0, 2))]
    from_mother = mother[int(rng.integers(0, 2))]
    proband = (from_father, from_mother) if site.chrom != "chrY" else (0, 0)
    return {"proband": proband, "father": father, "mother": mother}


def trio_sites(sites: Iterable[Site], seed: int) -> list[TrioSite]:
    """Truth sites where at least one of the trio carries the ALT allele."""
    rng = np.random.default_rng(seed)
    out = []
    for site in sites:
        genotypes = trio_genotypes(site, rng)
        if any(a for gt in genotypes.values() for a in gt):
            out.append(
                TrioSite(site.chrom, site.pos, site.ref, (site.alt,), genotypes, "rehearsal")
            )
    return out


def haplotype_contigs(sex: str, hap: int, contigs: Sequence[str]) -> list[str]:
    """Contigs on haplotype ``hap`` (0 or 1) of a person of ``sex``."""
    return [c for c in contigs if _carried(sex, c)[hap]]


def gnomad_line(site: Site) -> str:
    """A gnomAD-v4-style record of ``site``."""
    af = site.af
    groups = ";".join(f"AF_{g}={min(1.0, af * (0.5 + j / 4)):.4g}" for j, g in enumerate(GROUPS))
    info = (
        f"AC={round(af * GNOMAD_AN)};AN={GNOMAD_AN};AF={af:.4g};"
        f"nhomalt={round(af * af * GNOMAD_AN / 2)};{groups};grpmax=sas;"
        f"AF_grpmax={min(1.0, af * 1.5):.4g};faf95={af * 0.9:.4g}"
    )
    return f"{site.chrom}\t{site.pos}\t.\t{site.ref}\t{site.alt}\t.\tPASS\t{info}"


def clinvar_line(site: Site, vid: int) -> str:
    """A ClinVar-style record of ``site`` with id ``vid``."""
    info = (
        f"CLNSIG={SIGNIFICANCES[vid % len(SIGNIFICANCES)]};"
        f"CLNREVSTAT={REVIEW[vid % len(REVIEW)]};CLNDN=Disease_{vid % 997}"
    )
    return f"{site.chrom}\t{site.pos}\t{vid}\t{site.ref}\t{site.alt}\t.\t.\t{info}"


def cds_snvs(
    cds: Sequence[tuple[str, int, int]], sequences: dict[str, bytes], rng: np.random.Generator
) -> list[Site]:
    """One SNV per ~300 CDS bases (ClinVar is dense in coding sequence)."""
    sites = []
    for chrom, start, end in cds:
        for _ in range(max(1, (end - start + 1) // 300)):
            pos = int(rng.integers(start, end + 1))
            ref = chr(sequences[chrom][pos - 1])
            if ref in "ACGT":
                alt = "ACGT"[("ACGT".index(ref) + int(rng.integers(1, 4))) % 4]
                sites.append(Site(chrom, pos, ref, alt, float(rng.beta(0.2, 20))))
    return sites


def source_records(
    truth: Sequence[Site], extra: Sequence[Site], cds: Sequence[Site], contigs: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Body lines of the gnomAD-like and ClinVar-like VCFs, sorted, one record per position."""
    order = {name: i for i, name in enumerate(contigs)}

    def key(s: Site) -> tuple[int, int, str, str]:
        return (order[s.chrom], s.pos, s.ref, s.alt)

    gnomad = {(s.chrom, s.pos): s for s in sorted([*extra, *truth], key=key)}
    clinvar = {(s.chrom, s.pos): s for s in sorted([*truth[::10], *cds], key=key)}
    g_lines = [gnomad_line(s) for s in sorted(gnomad.values(), key=key)]
    c_lines = [clinvar_line(s, i + 1) for i, s in enumerate(sorted(clinvar.values(), key=key))]
    return g_lines, c_lines


def vcf_header(contigs: dict[str, int], lines: Sequence[str], samples: Sequence[str] = ()) -> str:
    """A VCF header with contig lines, the given meta lines and the column line."""
    cols = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    if samples:
        cols += "\tFORMAT\t" + "\t".join(samples)
    meta = [f"##contig=<ID={n},length={n_}>" for n, n_ in contigs.items()]
    return "\n".join(["##fileformat=VCFv4.2", *meta, *lines, cols]) + "\n"
