"""Helpers of the annotate rules (annotate.smk): input functions, parameters, settings."""

GNOMAD = cfg_path("annotation", "gnomad")
CLINVAR = cfg_path("annotation", "clinvar")
INHOUSE = cfg_path("annotation", "inhouse")
SCORES = RUN.score_sources()
SCORE_SOURCES = "results/run/score_sources.json"  # rule write_score_sources
# Prepared (binary) copies of gnomAD, ClinVar and the score files, built once per source file by
# prepare_annotation_source; point several runs at one shared folder.
CACHE_DIR = str(cfg_path("annotation", "cache_dir") or "results/annotation_cache")
CONTIG_MAP = config.get("annotation", {}).get("contig_map", {})
# csq's prepared answers for the gnomAD alleles near genes: the note of prepare_consequences
CONSEQUENCES_NOTE = "results/annotation_sources/consequences.json"
# One family's calls (a shard, or the panel fast path's regions) annotated; rules give input bcf,
# output vcf and params csq/sources. Without a gene model the calls get no BCSQ (e.g. the GIAB
# validation run).
ANNOTATE_CALLS = (
    "hurtig annotate --vcf {input.bcf:q} --out {output.vcf:q} {params.csq}"
    " {params.sources} --threads 1 2> {log:q}"
)
CSQ_ARGS = (
    f"--fasta {shlex.quote(str(REFERENCE))} --gff3 {shlex.quote(str(GFF3))}"
    if GFF3
    else ""
)


def annotation_source_files():
    return [str(p) for p in (GNOMAD, CLINVAR) if p] + [s["file"] for s in SCORES]


def cached_sources():
    """Source name -> file of the sources prepared once into the cache folder.

    The gene model is one of them: cut by sequence (``gene_model``), so each shard's csq reads
    only the genes of its contigs.
    """
    out = {"gnomad": str(GNOMAD)} if GNOMAD else {}
    if CLINVAR:
        out["clinvar"] = str(CLINVAR)
    out.update({s["name"]: s["file"] for s in SCORES})
    if GFF3:
        out["gene_model"] = str(GFF3)
    return out


def annotation_caches(consequences=True):
    """Notes of the prepared sources (hurtig prepare-source --done) the annotation waits for.

    With a gene model and gnomAD, also csq's prepared answers for the gnomAD alleles near
    genes (prepare_consequences), unless ``consequences`` is False: the panel fast path
    does not wait for them (same output either way; csq answers what is not prepared yet).
    """
    notes = [f"results/annotation_sources/{name}.json" for name in cached_sources()]
    if consequences and GFF3 and GNOMAD:
        notes.append(CONSEQUENCES_NOTE)
    return notes


def static_source_args():
    """hurtig annotate / prepare-source options naming gnomAD, ClinVar and the score list."""
    args = []
    if SCORES:
        args.append(f"--scores {shlex.quote(SCORE_SOURCES)}")
    if GNOMAD:
        args.append(f"--gnomad {shlex.quote(str(GNOMAD))}")
    if CLINVAR:
        args.append(f"--clinvar {shlex.quote(str(CLINVAR))}")
    return args


def source_args(family):
    """hurtig annotate options for the configured sources (the family is not counted in-house)."""
    args = []
    if INHOUSE:
        exclude = " ".join(shlex.quote(s) for s in family_samples(family))
        args.append(
            f"--inhouse {shlex.quote(str(INHOUSE))} --inhouse-exclude {exclude}"
        )
    args += static_source_args()
    if cached_sources():
        args.append(f"--cache-dir {shlex.quote(CACHE_DIR)}")
    if CONTIG_MAP:
        pairs = " ".join(shlex.quote(f"{k}={v}") for k, v in CONTIG_MAP.items())
        args.append(f"--contig-map {pairs}")
    return " ".join(args)
