r"""``hurtig write-scout``: a family's ranked VCF, PED and load config for Scout.

CLI::

    hurtig write-scout --vcf results/panels/_vcf/{family}/_family.vcf.gz \
        --samples results/run/pedigree/{family}.tsv --family F \
        --results results/panels/S/P.json ... --gff3 GFF3 [--fasta REF] \
        --alignment S=results/alignment/S.cram ... --genome-build GRCh38 [--owner INSTITUTE] \
        --out-vcf F.vcf.gz --out-ped F.ped --out-config F.load_config.yaml [--deliver-dir DIR]

The ranked VCF holds the variants hurtig prioritised for any sample and panel of the family
(Scout's "clinical" variants), with genmod's keys as Scout's variant parser reads them, all
keyed by the family id: ``RankScore`` (``family:score``, the best score, rounded),
``GeneticModels`` (``family:AR_comp|AD_dn``, from the inheritance patterns) and ``Compounds``
(``family:chr_pos_ref_alt>score|...``, the compound heterozygous partners), plus ``CSQ`` and
ClinVar's ``CLNSIG``/``CLNREVSTAT``/``CLNVID`` (:mod:`hurtig.handoff.vcf_keys`). The load config
names the published files (absolute paths under ``--deliver-dir``, default the VCF's folder).
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cyvcf2 import Variant

from hurtig import __version__
from hurtig.errors import InputError
from hurtig.genes.gene_model import load_gff3
from hurtig.genes.hgvs import FastaReference
from hurtig.handoff.pedigree_files import scout_ped
from hurtig.handoff.vcf_keys import (
    CLINVAR_HEADERS,
    CSQ_HEADER,
    CsqMaker,
    clinvar_values,
    rewrite_vcf,
)
from hurtig.io.files import write_text_atomic
from hurtig.prioritise.results import PrioritisedResults, PrioritisedVariant
from hurtig.run.genome_build import BUILDS
from hurtig.run.pedigree import Person, load_pedigree

GENMOD_HEADERS: tuple[str, ...] = (
    '##INFO=<ID=RankScore,Number=.,Type=String,Description="The rank score for this variant '
    'in this family. family_id:rank_score (hurtig points, rounded)">',
    '##INFO=<ID=GeneticModels,Number=.,Type=String,Description="Inheritance patterns followed '
    'by the variant. family_id:model|model">',
    '##INFO=<ID=Compounds,Number=.,Type=String,Description="List of compound pairs for this '
    'variant. family_id:variant_id>score|variant_id>score">',
)
"""The genmod INFO keys, declared as genmod declares them (Number ``.``, String)."""

GENMOD_MODELS: dict[str, tuple[str, ...]] = {
    "de_novo": ("AD_dn",),
    "homozygous": ("AR_hom",),
    "compound_heterozygous": ("AR_comp",),
    "possible_compound_heterozygous": ("AR_comp",),
    "x_linked_hemizygous": ("XR",),
    "x_linked_heterozygous": ("XD",),
    "heterozygous_inherited_affected": ("AD",),
    "heterozygous_origin_unknown": ("AD",),
}
"""hurtig inheritance pattern → genmod models (patterns not listed follow no model)."""

X_DE_NOVO = ("XD_dn",)
"""The de novo model on chrX outside the PARs is X-linked."""

COMPOUND_PATTERNS = frozenset({"compound_heterozygous", "possible_compound_heterozygous"})

CONFIG_REQUIRED: tuple[str, ...] = ("family", "owner", "genome_build", "samples", "vcf_snv")
"""Load config keys Scout's case loader needs (``CaseLoader``: case id, owner, build, samples)."""

SAMPLE_REQUIRED: tuple[str, ...] = ("sample_id", "sex", "phenotype")
"""Sample keys Scout's ``SampleLoader`` requires."""

Key = tuple[str, int, str, str]


def variant_id(key: Key) -> str:
    """The genmod variant id: ``chrom_pos_ref_alt``."""
    return "_".join(str(part) for part in key)


@dataclass
class Ranked:
    """What the family's results say about one variant.

    Attributes:
        score: the best score over samples and panels.
        models: genmod models.
        compounds: partner variant → the partner's best score.
    """

    score: float
    models: set[str] = field(default_factory=set)
    compounds: dict[Key, float] = field(default_factory=dict)


def _models(v: PrioritisedVariant) -> set[str]:
    models: set[str] = set()
    x_chrom = v.chrom.removeprefix("chr") == "X"
    for pattern in (p.strip() for p in v.inheritance.split(",") if p.strip()):
        if pattern == "de_novo" and x_chrom:
            models.update(X_DE_NOVO)
        else:
            models.update(GENMOD_MODELS.get(pattern, ()))
    return models


def _compound_groups(results: PrioritisedResults) -> Iterable[list[PrioritisedVariant]]:
    by_gene: dict[str, list[PrioritisedVariant]] = {}
    for v in results.variants:
        patterns = {p.strip() for p in v.inheritance.split(",")}
        if patterns & COMPOUND_PATTERNS:
            by_gene.setdefault(v.gene, []).append(v)
    return (group for group in by_gene.values() if len(group) > 1)


def rank_variants(all_results: Sequence[PrioritisedResults]) -> dict[Key, Ranked]:
    """The family's ranked variants: best score, models and compound partners of each."""
    ranked: dict[Key, Ranked] = {}
    for results in all_results:
        for v in results.variants:
            key = (v.chrom, v.pos, v.ref, v.alt)
            entry = ranked.setdefault(key, Ranked(v.score))
            entry.score = max(entry.score, v.score)
            entry.models |= _models(v)
    for results in all_results:
        for group in _compound_groups(results):
            for v in group:
                mine = ranked[(v.chrom, v.pos, v.ref, v.alt)]
                for partner in group:
                    pkey = (partner.chrom, partner.pos, partner.ref, partner.alt)
                    if partner is not v:
                        mine.compounds[pkey] = ranked[pkey].score
    return ranked


def genmod_values(family: str, entry: Ranked) -> dict[str, str]:
    """The genmod INFO values of one variant."""
    values = {"RankScore": f"{family}:{round(entry.score)}"}
    if entry.models:
        values["GeneticModels"] = f"{family}:" + "|".join(sorted(entry.models))
    if entry.compounds:
        parts = (f"{variant_id(k)}>{round(s)}" for k, s in sorted(entry.compounds.items()))
        values["Compounds"] = f"{family}:" + "|".join(parts)
    return values


def sample_config(person: Person, alignment: str | None) -> dict[str, object]:
    """One ``samples`` entry of the load config."""
    entry: dict[str, object] = {
        "sample_id": person.sample,
        "sample_name": person.sample,
        "analysis_type": "wgs",
        "sex": person.sex.value,
        "phenotype": "affected" if person.affected else "unaffected",
        "father": person.father or "0",
        "mother": person.mother or "0",
    }
    if alignment:
        entry["alignment_path"] = alignment
    return entry


def load_config(
    args: argparse.Namespace,
    people: Sequence[Person],
    panels: Sequence[str],
    threshold: int,
) -> dict[str, object]:
    """The Scout load config (paths absolute, under the delivery folder)."""
    deliver = (args.deliver_dir or args.out_vcf.parent).resolve()
    alignments = dict(_pairs(args.alignment))
    return {
        "family": args.family,
        "family_name": args.family,
        "owner": args.owner,
        "samples": [
            sample_config(p, alignments.get(p.sample) and str(Path(alignments[p.sample]).resolve()))
            for p in people
        ],
        "vcf_snv": str(deliver / args.out_vcf.name),
        "gene_panels": list(panels),
        "default_gene_panels": list(panels),
        "genome_build": BUILDS[args.genome_build].name.removeprefix("GRCh"),
        "rank_model_version": f"hurtig-{__version__}",
        "rank_score_threshold": threshold,
        "analysis_date": datetime.date.today().isoformat(),
    }


def _pairs(items: Iterable[str]) -> Iterable[tuple[str, str]]:
    for item in items:
        sample, sep, path = item.partition("=")
        if not sep or not sample or not path:
            raise InputError(f"--alignment {item!r}: expected SAMPLE=PATH")
        yield sample, path


def write_scout(args: argparse.Namespace, all_results: Sequence[PrioritisedResults]) -> int:
    """Write the three files; returns the number of variants in the ranked VCF."""
    pedigree = load_pedigree(args.samples)
    people = pedigree.family(args.family)
    if not people:
        raise InputError(f"{args.samples}: no samples of family {args.family!r}")
    ranked = rank_variants(all_results)
    maker = CsqMaker(load_gff3(args.gff3), FastaReference(str(args.fasta)) if args.fasta else None)

    def update(variant: Variant) -> dict[str, str | int] | None:
        entry = ranked.get((variant.CHROM, variant.POS, variant.REF, variant.ALT[0]))
        if entry is None:
            return None
        values: dict[str, str | int] = {**genmod_values(args.family, entry)}
        values.update(clinvar_values(variant))
        csq = maker.value(variant)
        if csq:
            values["CSQ"] = csq
        return values

    headers = (CSQ_HEADER, *CLINVAR_HEADERS, *GENMOD_HEADERS)
    written = rewrite_vcf(args.vcf, args.out_vcf, headers, update)
    write_text_atomic(args.out_ped, scout_ped(people))
    panels = sorted({r.panel.id for r in all_results})
    threshold = min((round(e.score) for e in ranked.values()), default=0)
    config = load_config(args, people, panels, threshold)
    write_text_atomic(args.out_config, yaml.safe_dump(config, sort_keys=False))
    return written


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line arguments."""
    parser = argparse.ArgumentParser(prog="hurtig write-scout", description=__doc__)
    parser.add_argument("--vcf", required=True, type=Path, help="the family's panel-region VCF")
    parser.add_argument("--samples", required=True, type=Path, help="the family's pedigree")
    parser.add_argument("--family", required=True)
    parser.add_argument("--results", nargs="*", default=[], type=Path, help="prioritised JSONs")
    parser.add_argument("--gff3", required=True, type=Path)
    parser.add_argument("--fasta", type=Path, help="reference FASTA for HGVS 3' shifting")
    parser.add_argument("--alignment", nargs="*", default=[], help="SAMPLE=CRAM or BAM")
    parser.add_argument("--genome-build", choices=sorted(BUILDS), required=True)
    parser.add_argument("--owner", default="cust000", help="Scout institute id owning the case")
    parser.add_argument("--out-vcf", required=True, type=Path)
    parser.add_argument("--out-ped", required=True, type=Path)
    parser.add_argument("--out-config", required=True, type=Path)
    parser.add_argument("--deliver-dir", type=Path, help="folder the config names the files in")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    args = parse_args(argv)
    all_results = [PrioritisedResults.read(path) for path in args.results]
    for path, results in zip(args.results, all_results, strict=True):
        if results.family != args.family:
            raise InputError(f"{path}: results of family {results.family}, not {args.family}")
    write_scout(args, all_results)
    return 0
