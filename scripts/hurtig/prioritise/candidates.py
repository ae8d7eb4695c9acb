"""Prioritise one sample's variants within one gene panel.

CLI::

    hurtig prioritise --vcf results/annotated/{family}.vcf.gz --samples samples.tsv \
        --sample S --panel-json {panel}.json --panel-bed {panel}.bed \
        --settings results/provenance/settings.json --out-tsv OUT.tsv --out-json OUT.json \
        [--fasta REF.fa] [--managed MANAGED.tsv]

The annotated family VCF is streamed with cyvcf2 one panel region at a time; records are
filtered (``settings["filters"]``, defaults in :data:`DEFAULT_FILTERS`), inheritance is
assessed over the family, and the survivors are scored (``settings["ranking"]``) and written
best first.

Managed variants (``--managed``): a lab's own list, TSV with the header
``chrom, pos, ref, alt, classification, comment`` (normalised, left-aligned alleles as in the
VCF; ``chr`` prefixes are ignored when matching; classification one of
:data:`MANAGED_CLASSES`). Listed variants, like ClinVar pathogenic/likely pathogenic ones with
at least ``clinvar_min_stars`` stars, pass the frequency filters; the explanation says so.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cyvcf2 import VCF

from hurtig.errors import InputError
from hurtig.genes.consequences import (
    Consequence,
    Severity,
    most_severe_per_gene,
    on_transcript,
    parse_bcsq,
)
from hurtig.genes.gene_model import Transcript
from hurtig.genes.hgvs import FastaReference, Reference, hgvs_c, hgvs_p
from hurtig.io.files import sha256_file, write_text_atomic
from hurtig.panels.resolve import transcript_from_json
from hurtig.prioritise.columns import CONTRACT_COLUMNS, EXTRA_COLUMNS
from hurtig.prioritise.inheritance import (
    Call,
    FamilyVariant,
    InheritanceCall,
    InheritanceSettings,
    Zygosity,
    assess_family,
    panel_fit,
    zygosity_of,
)
from hurtig.prioritise.points import (
    ClinvarClass,
    Evidence,
    VariantFacts,
    classify_clinvar,
    evidence_for,
    explanation,
    ranking_settings,
    score,
    sort_key,
)
from hurtig.run.pedigree import Pedigree, Person, load_pedigree

DEFAULT_FILTERS: dict[str, object] = {
    "max_af_dominant": 0.005,
    "max_af_recessive": 0.01,
    "use_popmax": True,
    "min_depth": 8,
    "min_gq": 20,
    "min_allele_balance": 0.2,
    "pass_only": False,
    "keep_consequences": [
        "transcript_ablation",
        "splice_acceptor_variant",
        "splice_donor_variant",
        "stop_gained",
        "frameshift_variant",
        "stop_lost",
        "start_lost",
        "transcript_amplification",
        "inframe_insertion",
        "inframe_deletion",
        "missense_variant",
        "protein_altering_variant",
        "splice_region_variant",
    ],
    "keep_clinvar_pathogenic": True,
    "clinvar_min_stars": 1,
    "min_an": 5000,
    "max_inhouse_af": 0.05,
    "parent_min_gq": 20,
    "parent_min_depth": 10,
    "de_novo_min_allele_balance": 0.2,
}
"""Clinical default filters (documented in docs/RANKING.md)."""

TSV_COLUMNS: tuple[str, ...] = CONTRACT_COLUMNS + EXTRA_COLUMNS

_NUMBER_KEYS = {
    "max_af_dominant",
    "max_af_recessive",
    "min_depth",
    "min_gq",
    "min_allele_balance",
    "parent_min_gq",
    "parent_min_depth",
    "de_novo_min_allele_balance",
    "clinvar_min_stars",
    "min_an",
    "max_inhouse_af",
}
_BOOL_KEYS = {"use_popmax", "pass_only", "keep_clinvar_pathogenic"}


def filter_settings(user: Mapping[str, object] | None) -> dict[str, object]:
    """Defaults overlaid with the user's filter settings.

    Args:
        user: ``settings["filters"]``.

    Returns:
        Complete filter settings.

    Raises:
        InputError: unknown key, wrong type, unknown consequence term.
    """
    out = dict(DEFAULT_FILTERS)
    for key, value in (user or {}).items():
        if key not in DEFAULT_FILTERS:
            raise InputError(f"settings: unknown filters key {key!r}")
        if key in _NUMBER_KEYS and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InputError(f"settings: filters.{key} must be a number")
        if key in _BOOL_KEYS and not isinstance(value, bool):
            raise InputError(f"settings: filters.{key} must be true or false")
        if key == "keep_consequences":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError("settings: filters.keep_consequences must be a list of SO terms")
            known = {s.so_term for s in Severity}
            bad = [v for v in value if v not in known]
            if bad:
                raise InputError(f"settings: filters.keep_consequences: unknown term {bad[0]!r}")
        out[key] = value
    return out


MANAGED_COLUMNS = ("chrom", "pos", "ref", "alt", "classification", "comment")
MANAGED_CLASSES = (
    "pathogenic",
    "likely_pathogenic",
    "uncertain_significance",
    "likely_benign",
    "benign",
)
"""Allowed ``classification`` values of the managed-variant list (``vus`` = uncertain)."""


@dataclass(frozen=True)
class ManagedVariant:
    """A lab-managed variant.

    Attributes:
        classification: one of :data:`MANAGED_CLASSES`.
        comment: the lab's comment (may be empty).
    """

    classification: str
    comment: str


def managed_key(chrom: str, pos: int, ref: str, alt: str) -> tuple[str, int, str, str]:
    """Match key: chromosome without ``chr``, position, upper-case alleles."""
    return (chrom.removeprefix("chr"), pos, ref.upper(), alt.upper())


def load_managed(path: Path) -> dict[tuple[str, int, str, str], ManagedVariant]:
    """Read the managed-variant TSV (see the module docstring).

    Raises:
        InputError: unreadable, wrong header, bad position/allele/classification, duplicate.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read managed variants ({err})") from err
    out: dict[tuple[str, int, str, str], ManagedVariant] = {}
    header: list[str] | None = None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip() or (
            line.startswith("#") and not line.lstrip("#").lower().startswith("chrom")
        ):
            continue  # comment lines; the header may be written "#chrom"
        cells = [c.strip() for c in line.split("\t")]
        if header is None:
            header = [c.lstrip("#").lower() for c in cells]
            if tuple(header[:6]) != MANAGED_COLUMNS:
                raise InputError(
                    f"{path}: line {lineno}: header must be {', '.join(MANAGED_COLUMNS)}"
                )
            continue
        cells += [""] * (6 - len(cells))
        chrom, pos, ref, alt, cls, comment = cells[:6]
        where = f"{path}: line {lineno}"
        if not pos.isdigit() or int(pos) < 1:
            raise InputError(f"{where}: pos {pos!r} is not a positive integer")
        for name, allele in (("ref", ref), ("alt", alt)):
            if not allele or set(allele.upper()) - set("ACGTN"):
                raise InputError(f"{where}: {name} {allele!r} is not a DNA allele")
        cls = cls.lower().replace(" ", "_")
        cls = "uncertain_significance" if cls == "vus" else cls
        if cls not in MANAGED_CLASSES:
            raise InputError(
                f"{where}: classification {cells[4]!r} not in {', '.join(MANAGED_CLASSES)}"
            )
        if not chrom:
            raise InputError(f"{where}: empty chrom")
        key = managed_key(chrom, int(pos), ref, alt)
        if key in out:
            raise InputError(f"{where}: {chrom}:{pos} {ref}>{alt} listed twice")
        out[key] = ManagedVariant(cls, comment)
    if header is None:
        raise InputError(f"{path}: empty managed-variant list (header required)")
    return out


@dataclass(frozen=True)
class PanelGeneInfo:
    """What prioritisation needs to know about a panel gene."""

    symbol: str
    hgnc_id: str
    transcript: Transcript
    inheritance: tuple[str, ...]


@dataclass(frozen=True)
class PanelInfo:
    """The resolved panel (from ``hurtig.panels.resolve`` JSON)."""

    id: str
    version: str
    display_name: str
    sha256: str
    genes: dict[str, PanelGeneInfo]
    missing_genes: tuple[dict[str, str], ...]


def load_panel_json(path: Path) -> PanelInfo:
    """Read the panel JSON written by ``hurtig.panels.resolve``.

    Raises:
        InputError: unreadable or malformed.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        genes = {}
        for g in doc["genes"]:
            genes[g["symbol"]] = PanelGeneInfo(
                symbol=g["symbol"],
                hgnc_id=g.get("hgnc_id", ""),
                transcript=transcript_from_json(g["transcript_model"]),
                inheritance=tuple(g.get("inheritance", [])),
            )
        return PanelInfo(
            id=str(doc["id"]),
            version=str(doc.get("version", "")),
            display_name=str(doc.get("display_name", "")),
            sha256=str(doc.get("sha256", "")),
            genes=genes,
            missing_genes=tuple(doc.get("missing_genes", [])),
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(f"{path}: cannot read panel JSON ({err})") from err


def read_bed(path: Path) -> list[tuple[str, int, int, str]]:
    """BED regions as (chrom, start0, end, gene symbol from the name ``SYMBOL|TX|exonN``).

    Raises:
        InputError: unreadable or malformed.
    """
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(f"{path}: cannot read BED ({err})") from err
    for i, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        cols = line.split("\t")
        try:
            out.append((cols[0], int(cols[1]), int(cols[2]), cols[3].split("|")[0]))
        except (IndexError, ValueError) as err:
            raise InputError(f"{path}: line {i}: expected chrom, start, end, name") from err
    return out


def _int(value: object) -> int | None:
    try:
        v = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if v >= 0 else None


def _info_float(variant: object, key: str) -> float | None:
    try:
        value = variant.INFO.get(key)  # type: ignore[attr-defined]
    except KeyError:
        return None
    if value is None:
        return None
    if isinstance(value, tuple):
        value = value[0]
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _info_str(variant: object, key: str) -> str:
    try:
        value = variant.INFO.get(key)  # type: ignore[attr-defined]
    except KeyError:
        return ""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Candidate:
    """A record that passed the filters, before inheritance and ranking."""

    variant: FamilyVariant
    filt: str
    transcript: str
    consequence: Consequence | None
    hgvs_c: str
    hgvs_p: str
    gnomad_af: float | None
    gnomad_popmax_af: float | None
    clinvar_sig: str
    clinvar_stars: int | None
    clinvar_revstat: str
    gnomad_an: int | None = None
    inhouse_af: float | None = None
    managed: ManagedVariant | None = None
    frequency_notes: tuple[str, ...] = ()


def _format_field(
    variant: object, name: str, n_samples: int, available: set[str]
) -> np.ndarray | None:
    if name not in available:
        return None
    arr = variant.format(name)  # type: ignore[attr-defined]
    return None if arr is None else np.array(arr)


def calls_of(variant: object, samples: Sequence[str], available: set[str]) -> list[Call]:
    """Each sample's :class:`Call` (GT, GQ, DP, AD) at a cyvcf2 record, in VCF sample order."""
    gts = variant.genotypes  # type: ignore[attr-defined]
    gq = _format_field(variant, "GQ", len(samples), available)
    dp = _format_field(variant, "DP", len(samples), available)
    ad = _format_field(variant, "AD", len(samples), available)
    out = []
    for i in range(len(samples)):
        alleles = [int(a) for a in gts[i][:-1]]
        sep = "|" if gts[i][-1] else "/"
        gt = sep.join("." if a < 0 else str(a) for a in alleles)
        ad_ref = ad_alt = None
        if ad is not None and ad.shape[1] >= 2:
            ad_ref, ad_alt = _int(ad[i][0]), _int(ad[i][1])
        out.append(
            Call(
                gt=gt,
                zygosity=zygosity_of(alleles),
                gq=_int(gq[i][0]) if gq is not None else None,
                dp=_int(dp[i][0]) if dp is not None else None,
                ad_ref=ad_ref,
                ad_alt=ad_alt,
            )
        )
    return out


def _records(
    vcf: VCF, regions: Sequence[tuple[str, int, int, str]]
) -> Iterator[tuple[str, object]]:
    """(gene, record) for records overlapping the regions, each (record, gene) once."""
    seen: set[tuple[str, int, str, str, str]] = set()
    for chrom, start0, end, gene in sorted(regions, key=lambda r: (r[0], r[1], r[2])):
        if chrom not in vcf.seqnames:
            continue
        for variant in vcf(f"{chrom}:{start0 + 1}-{end}"):
            if variant.end <= start0 or end < variant.POS:
                continue
            key = (variant.CHROM, variant.POS, variant.REF, ",".join(variant.ALT), gene)
            if key in seen:
                continue
            seen.add(key)
            yield gene, variant


def _af_threshold(inheritance: Sequence[str], f: Mapping[str, object]) -> float:
    dominant_only = bool(inheritance) and all(m in ("AD", "XD") for m in inheritance)
    return float(f["max_af_dominant"] if dominant_only else f["max_af_recessive"])  # type: ignore[arg-type]


def frequency_verdict(
    inheritance: Sequence[str],
    gnomad_af: float | None,
    popmax_af: float | None,
    gnomad_an: int | None,
    inhouse_af: float | None,
    filters: Mapping[str, object],
) -> tuple[bool, tuple[str, ...]]:
    """Is the variant too common for the gene's inheritance?

    gnomAD counts only when its AN is at least ``min_an`` (absent AN: the AF is trusted);
    popmax is used when ``use_popmax``; the in-house AF (INFO ``INHOUSE_AF``) is compared with
    ``max_inhouse_af``.

    Returns:
        (too common, reasons such as ``gnomAD 0.02 > 0.01 (AR/unknown limit)``).
    """
    reasons = []
    trusted = gnomad_an is None or gnomad_an >= float(filters["min_an"])  # type: ignore[arg-type]
    afs = [a for a in (gnomad_af, popmax_af if filters["use_popmax"] else None) if a is not None]
    limit = _af_threshold(inheritance, filters)
    if afs and trusted and max(afs) > limit:
        dominant = limit == float(filters["max_af_dominant"])  # type: ignore[arg-type]
        label = "AD/XD" if dominant and inheritance else "AR/unknown"
        reasons.append(f"gnomAD {max(afs):.3g} > {limit:g} ({label} limit)")
    max_inhouse = float(filters["max_inhouse_af"])  # type: ignore[arg-type]
    if inhouse_af is not None and inhouse_af > max_inhouse:
        reasons.append(f"in-house {inhouse_af:.3g} > {max_inhouse:g}")
    return bool(reasons), tuple(reasons)


def collect_candidates(
    vcf_path: Path,
    proband: Person,
    family: Sequence[Person],
    panel: PanelInfo,
    regions: Sequence[tuple[str, int, int, str]],
    filters: Mapping[str, object],
    reference: Reference | None = None,
    managed: Mapping[tuple[str, int, str, str], ManagedVariant] | None = None,
) -> list[Candidate]:
    """Stream the VCF over the panel regions and keep the records passing the filters.

    Args:
        vcf_path: annotated family VCF (bgzipped and indexed).
        proband: the analysed sample.
        family: the family's members.
        panel: resolved panel.
        regions: panel BED regions.
        filters: complete filter settings.
        reference: genome for HGVS 3' shifting (optional).
        managed: the lab's managed variants (:func:`load_managed`).

    Returns:
        Candidates in VCF order.

    Raises:
        InputError: unreadable/unindexed VCF, proband not in the VCF, multi-allelic record.
    """
    try:
        vcf = VCF(str(vcf_path), gts012=False, lazy=True)
    except (OSError, ValueError) as err:
        raise InputError(f"{vcf_path}: cannot open VCF ({err})") from err
    samples = list(vcf.samples)
    if proband.sample not in samples:
        raise InputError(f"{vcf_path}: sample {proband.sample} not in the VCF")
    fam_in_vcf = [p.sample for p in family if p.sample in samples]
    idx = {s: samples.index(s) for s in fam_in_vcf}
    fmt_ids = {h.info()["ID"] for h in vcf.header_iter() if h.info().get("HeaderType") == "FORMAT"}
    if not (
        vcf_path.with_name(vcf_path.name + ".tbi").exists()
        or vcf_path.with_name(vcf_path.name + ".csi").exists()
    ):
        raise InputError(f"{vcf_path}: no .tbi/.csi index")
    out: list[Candidate] = []
    min_dp, min_gq = filters["min_depth"], filters["min_gq"]
    min_ab = float(filters["min_allele_balance"])  # type: ignore[arg-type]
    keep = set(filters["keep_consequences"])  # type: ignore[arg-type]
    for gene, variant in _records(vcf, regions):
        if len(variant.ALT) != 1:  # type: ignore[attr-defined]
            raise InputError(
                f"{vcf_path}: {variant.CHROM}:{variant.POS} has several ALT alleles; "  # type: ignore[attr-defined]
                "expected bcftools norm -m -any"
            )
        if filters["pass_only"] and variant.FILTER not in (None, "PASS"):  # type: ignore[attr-defined]
            continue
        calls = calls_of(variant, samples, fmt_ids)
        pcall = calls[samples.index(proband.sample)]
        if not pcall.carries:
            continue
        if pcall.dp is not None and pcall.dp < min_dp:  # type: ignore[operator]
            continue
        if pcall.gq is not None and pcall.gq < min_gq:  # type: ignore[operator]
            continue
        if pcall.zygosity == Zygosity.HET and pcall.ab is not None and pcall.ab < min_ab:
            continue
        info = panel.genes.get(gene)
        if info is None:
            continue
        clin = _info_str(variant, "CLINVAR_SIG")
        cls = classify_clinvar(clin)
        stars = _info_float(variant, "CLINVAR_STARS")
        plp = cls in (ClinvarClass.PATHOGENIC, ClinvarClass.LIKELY_PATHOGENIC)
        rescue = plp and bool(filters["keep_clinvar_pathogenic"])
        ref, alt = variant.REF, variant.ALT[0]  # type: ignore[attr-defined]
        lab = (managed or {}).get(managed_key(variant.CHROM, variant.POS, ref, alt))  # type: ignore[attr-defined]
        af = _info_float(variant, "GNOMAD_AF")
        popmax = _info_float(variant, "GNOMAD_POPMAX_AF")
        an_f = _info_float(variant, "GNOMAD_AN")
        an = None if an_f is None else int(an_f)
        inhouse = _info_float(variant, "INHOUSE_AF")
        common, reasons = frequency_verdict(info.inheritance, af, popmax, an, inhouse, filters)
        notes: list[str] = []
        if common:
            starred = stars is not None and stars >= float(filters["clinvar_min_stars"])  # type: ignore[arg-type]
            if lab is not None:
                why = f"lab-managed variant ({lab.classification.replace('_', ' ')})"
            elif rescue and starred:
                n = int(stars)  # type: ignore[arg-type]
                why = f"ClinVar {cls.value} with {n} star{'s' if n != 1 else ''}"  # type: ignore[union-attr]
            else:
                continue
            notes.append(f"{'; '.join(reasons)}, kept: {why} passes the frequency filter")
        rescue = rescue or lab is not None
        try:
            csqs = parse_bcsq(_info_str(variant, "BCSQ") or None)
        except ValueError as err:
            raise InputError(
                f"{vcf_path}: {variant.CHROM}:{variant.POS}: bad BCSQ ({err})"  # type: ignore[attr-defined]
            ) from err
        tx = info.transcript
        csq = on_transcript(csqs, tx.id) or most_severe_per_gene(csqs).get(gene)
        term = csq.worst if csq is not None else None
        if (term is None or term.so_term not in keep) and not rescue:
            continue
        c_desc = hgvs_c(tx, variant.CHROM, variant.POS, ref, alt, reference)  # type: ignore[attr-defined]
        p_desc = ""
        if csq is not None and csq.transcript == tx.id:
            p_desc = hgvs_p(csq.aa_change, term)
        fam_calls = tuple((s, calls[idx[s]]) for s in fam_in_vcf)
        out.append(
            Candidate(
                variant=FamilyVariant(
                    variant.CHROM,
                    variant.POS,
                    ref,
                    alt,
                    gene,
                    fam_calls,  # type: ignore[attr-defined]
                ),
                filt=variant.FILTER or "PASS",  # type: ignore[attr-defined]
                transcript=tx.id,
                consequence=csq,
                hgvs_c=c_desc,
                hgvs_p=p_desc,
                gnomad_af=af,
                gnomad_popmax_af=popmax,
                clinvar_sig=clin,
                clinvar_stars=None if stars is None else int(stars),
                clinvar_revstat=_info_str(variant, "CLINVAR_REVSTAT"),
                gnomad_an=an,
                inhouse_af=inhouse,
                managed=lab,
                frequency_notes=tuple(notes),
            )
        )
    vcf.close()
    return out


def _num(x: float | int | None, digits: int = 4) -> str:
    if x is None:
        return ""
    if isinstance(x, int):
        return str(x)
    return f"{x:.{digits}g}"


def prioritise(
    vcf_path: Path,
    pedigree: Pedigree,
    sample: str,
    panel: PanelInfo,
    regions: Sequence[tuple[str, int, int, str]],
    settings: Mapping[str, object],
    reference: Reference | None = None,
    managed: Mapping[tuple[str, int, str, str], ManagedVariant] | None = None,
) -> list[dict[str, object]]:
    """Filter, assess inheritance, score and sort.

    Args:
        vcf_path: annotated family VCF.
        pedigree: sample sheet.
        sample: proband.
        panel: resolved panel.
        regions: panel BED regions.
        settings: ``{"filters": ..., "ranking": ...}``.
        reference: genome for HGVS (optional).
        managed: the lab's managed variants.

    Returns:
        Rows (TSV keys plus ``evidence``), best first.
    """
    filters = filter_settings(settings.get("filters"))  # type: ignore[arg-type]
    weights = ranking_settings(settings.get("ranking"))  # type: ignore[arg-type]
    proband = pedigree.person(sample)
    family = pedigree.family(proband.family)
    cands = collect_candidates(
        vcf_path, proband, family, panel, regions, filters, reference, managed
    )
    inh_settings = InheritanceSettings(
        parent_min_gq=int(filters["parent_min_gq"]),  # type: ignore[arg-type]
        parent_min_dp=int(filters["parent_min_depth"]),  # type: ignore[arg-type]
        min_ab=float(filters["de_novo_min_allele_balance"]),  # type: ignore[arg-type]
    )
    calls = assess_family([c.variant for c in cands], proband, pedigree, inh_settings)
    rows: list[tuple[tuple, dict[str, object]]] = []
    for c in cands:
        v = c.variant
        info = panel.genes[v.gene]
        inh: InheritanceCall = calls[v.key]
        fit, fit_text = panel_fit(inh, info.inheritance)
        pcall = v.call(sample)
        assert pcall is not None
        facts = VariantFacts(
            gene=v.gene,
            consequence=c.consequence.worst if c.consequence else None,
            hgvs_c=c.hgvs_c,
            hgvs_p=c.hgvs_p,
            clinvar_sig=c.clinvar_sig,
            clinvar_stars=c.clinvar_stars,
            clinvar_revstat=c.clinvar_revstat,
            gnomad_af=c.gnomad_af,
            gnomad_popmax_af=c.gnomad_popmax_af,
            gnomad_an=c.gnomad_an,
            min_an=int(filters["min_an"]),  # type: ignore[arg-type]
            inhouse_af=c.inhouse_af,
            managed_class=c.managed.classification if c.managed else "",
            managed_comment=c.managed.comment if c.managed else "",
            frequency_notes=c.frequency_notes,
            inheritance=inh,
            fit=fit,
            fit_text=fit_text,
            depth=pcall.dp,
            gq=pcall.gq,
            ab=pcall.ab,
            is_het=pcall.zygosity == Zygosity.HET,
        )
        items: tuple[Evidence, ...] = evidence_for(facts, weights)
        total = score(items)
        row: dict[str, object] = {
            "chrom": v.chrom,
            "pos": v.pos,
            "ref": v.ref,
            "alt": v.alt,
            "gene": v.gene,
            "transcript": c.transcript,
            "hgvs_c": c.hgvs_c,
            "hgvs_p": c.hgvs_p,
            "consequence": c.consequence.so_terms if c.consequence else "",
            "genotype": pcall.gt,
            "depth": pcall.dp,
            "allele_balance": None if pcall.ab is None else round(pcall.ab, 3),
            "gnomad_af": c.gnomad_af,
            "clinvar": c.clinvar_sig,
            "inheritance": inh.label,
            "score": total,
            "explanation": explanation(items),
            "gq": pcall.gq,
            "gnomad_popmax_af": c.gnomad_popmax_af,
            "clinvar_stars": c.clinvar_stars,
            "family_genotypes": ";".join(f"{s}={call.gt}" for s, call in v.calls),
            "panel_inheritance": "/".join(info.inheritance),
            "panel_id": panel.id,
            "panel_version": panel.version,
            "gnomad_an": c.gnomad_an,
            "inhouse_af": c.inhouse_af,
            "managed": c.managed.classification if c.managed else "",
            "evidence": [
                {"category": e.category, "points": e.points, "text": e.text} for e in items
            ],
        }
        rows.append((sort_key(total, v.chrom, v.pos, v.ref, v.alt), row))
    rows.sort(key=lambda item: item[0])
    out = []
    for rank, (_, row) in enumerate(rows, start=1):
        out.append({"rank": rank, **row})
    return out


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if not value.is_integer() else str(int(value))
    return str(value).replace("\t", " ").replace("\n", " ")


def tsv_text(rows: Sequence[Mapping[str, object]]) -> str:
    """TSV with the header row and :data:`TSV_COLUMNS`."""
    lines = ["\t".join(TSV_COLUMNS)]
    for row in rows:
        lines.append("\t".join(_cell(row.get(col)) for col in TSV_COLUMNS))
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="hurtig prioritise", description=__doc__)
    parser.add_argument("--vcf", required=True, type=Path)
    parser.add_argument("--samples", required=True, type=Path)
    parser.add_argument("--sample", required=True)
    parser.add_argument("--panel-json", required=True, type=Path)
    parser.add_argument("--panel-bed", required=True, type=Path)
    parser.add_argument("--settings", required=True, type=Path)
    parser.add_argument("--out-tsv", required=True, type=Path)
    parser.add_argument("--out-json", required=True, type=Path)
    parser.add_argument("--fasta", type=Path, help="reference FASTA for HGVS 3' shifting")
    parser.add_argument(
        "--managed",
        type=Path,
        help="lab-managed variants TSV (chrom,pos,ref,alt,classification,comment)",
    )
    args = parser.parse_args(argv)
    try:
        settings = json.loads(args.settings.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"{args.settings}: cannot read settings JSON ({err})") from err
    if not isinstance(settings, dict):
        raise InputError(f"{args.settings}: expected a JSON object")
    unknown = set(settings) - {"filters", "ranking"}
    if unknown:
        raise InputError(f"{args.settings}: unknown top-level key {sorted(unknown)[0]!r}")
    settings = {"filters": settings.get("filters") or {}, "ranking": settings.get("ranking") or {}}
    pedigree = load_pedigree(args.samples)
    panel = load_panel_json(args.panel_json)
    regions = read_bed(args.panel_bed)
    reference = FastaReference(str(args.fasta)) if args.fasta else None
    managed = load_managed(args.managed) if args.managed else None
    rows = prioritise(args.vcf, pedigree, args.sample, panel, regions, settings, reference, managed)
    person = pedigree.person(args.sample)
    doc = {
        "sample": args.sample,
        "family": person.family,
        "panel": {
            "id": panel.id,
            "version": panel.version,
            "display_name": panel.display_name,
            "sha256": panel.sha256,
            "genes": [
                {
                    "symbol": g.symbol,
                    "hgnc_id": g.hgnc_id,
                    "transcript": g.transcript.id,
                    "inheritance": "/".join(g.inheritance),
                }
                for g in panel.genes.values()
            ],
            "missing_genes": list(panel.missing_genes),
        },
        "managed_variants": {
            "file": str(args.managed) if args.managed else None,
            "sha256": sha256_file(args.managed) if args.managed else None,
            "count": len(managed or {}),
        },
        "settings": {
            "filters": filter_settings(settings["filters"]),
            "ranking": ranking_settings(settings["ranking"]),
        },
        "variants": rows,
    }
    write_text_atomic(args.out_tsv, tsv_text(rows))
    write_text_atomic(args.out_json, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return 0
