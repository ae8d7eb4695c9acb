"""Configuration, sheet validation and the small helpers every stage shares.

Everything here runs when the workflow is parsed, so bad input stops the run before any job.
"""

import json
import re
import shlex
import sys

try:
    from hurtig.calling import regions
    from hurtig.errors import InputError
    from hurtig.panels import resolve as panels
    from hurtig.run import sheets
except ImportError as err:  # Snakemake started from a Python without the hurtig package
    sys.exit(
        f"hurtig error: the hurtig package is not installed for {sys.executable} ({err}); "
        f"run: bash {REPO / 'scripts' / 'install.sh'} and use {REPO / '.venv' / 'bin'}/snakemake"
    )

from snakemake.settings.types import DeploymentMethod

# Strict bash and private outputs. Without conda envs, jobs use the Python environment that runs
# Snakemake (the venv with pysam, cyvcf2 and the `hurtig` command the rules call).
_PATH = (
    ""
    if DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method
    else f"export PATH={Path(sys.executable).parent}:$PATH; "
)
shell.prefix(f"set -euo pipefail; umask 077; {_PATH}")
DEMO_READS = sheets.DEMO_READS


def _load_run():
    """Validate config and sheets; return (config file, samples, units)."""
    config_file = (
        Path(workflow.configfiles[-1]).resolve()
        if workflow.configfiles
        else REPO / "config" / "config.yaml"
    )
    sheets.validate_config(config, config_file)
    base = config_file.parent
    samples = sheets.load_samples(sheets.resolve(base, config["samples"]))
    units = sheets.load_units(
        sheets.resolve(base, config["units"]), samples, produced_dir=DEMO_READS
    )
    sheets.check_panels(
        samples, sheets.resolve(base, config.get("panels")), config_file
    )
    fasta = sheets.resolve(base, config["reference"]["fasta"])
    if not fasta.is_file():
        raise InputError(f"{config_file}: reference.fasta not found: {fasta}")
    for key in ("gff3",):
        value = sheets.resolve(base, config["reference"].get(key))
        if value is not None and not value.is_file():
            raise InputError(f"{config_file}: reference.{key} not found: {value}")
    for entry in config.get("annotation", {}).get("scores") or []:
        value = sheets.resolve(base, entry.get("file"))
        if value is not None and not value.is_file():
            raise InputError(
                f"{config_file}: annotation.scores file not found: {value}"
            )
    for key in ("gnomad", "clinvar"):
        value = sheets.resolve(base, config.get("annotation", {}).get(key))
        if value is not None and not value.is_file():
            raise InputError(f"{config_file}: annotation.{key} not found: {value}")
    if any(s.panels for s in samples.values()) and not config["reference"].get("gff3"):
        raise InputError(
            f"{config_file}: samples request panels but reference.gff3 is not set"
        )
    return config_file, samples, units


try:
    CONFIG_FILE, SAMPLES, UNITS = _load_run()
except InputError as err:
    sys.exit(f"hurtig error: {err}")

BASE = CONFIG_FILE.parent


def cfg_path(*keys):
    """A path from the config (nested keys), resolved against the config file, or None."""
    node = config
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return sheets.resolve(BASE, node) if node else None


REFERENCE = cfg_path("reference", "fasta")
GFF3 = cfg_path("reference", "gff3")
GNOMAD = cfg_path("annotation", "gnomad")
CLINVAR = cfg_path("annotation", "clinvar")
INHOUSE = cfg_path("annotation", "inhouse")
SCORES = [
    dict(s, file=str(sheets.resolve(BASE, s["file"])))
    for s in config.get("annotation", {}).get("scores") or []
]
# Prepared (binary) copies of gnomAD, ClinVar and the score files, built once per source file by
# prepare_annotation_source (hurtig.annotation.cache); point several runs at one shared folder.
CACHE_DIR = str(cfg_path("annotation", "cache_dir") or "results/annotation_cache")
PANEL_DIR = cfg_path("panels")
CONTIG_MAP = config.get("annotation", {}).get("contig_map", {})
N_SHARDS = config.get("calling", {}).get("shards", 8)
SHARDS = [f"{i:04d}" for i in range(N_SHARDS)]
CALLING = config.get("calling", {})
PLOIDY = {"GRCh38": "GRCh38", "GRCh37": "GRCh37"}[
    config["reference"].get("build", "GRCh38")
]
PADDING = config.get("padding", {})
COVERAGE_THRESHOLD = config.get("report", {}).get("coverage_threshold", 20)
ALIGNMENT = config.get("alignment", {})
ALIGNER = ALIGNMENT.get("aligner", "bwa")
CHUNK_READS = ALIGNMENT.get("chunk_reads", 0)
FAMILIES = sorted({s.family for s in SAMPLES.values()})


def family_samples(family):
    """Sample ids of one family, in sheet order (the VCF sample order)."""
    return [s.sample for s in SAMPLES.values() if s.family == family]


def panel_inputs(panel_id):
    """Definition file(s) of the panel version this run uses (newest unless pinned)."""
    requested = [p for s in SAMPLES.values() for p in s.panels]
    return panels.workflow_inputs(PANEL_DIR, panel_id, requested)


def family_sheet(family):
    """The family's rows of samples.tsv as TSV text, without the panels column.

    Passed to jobs as a parameter instead of the sheet file, so that editing a sample's panels
    reruns only the panel stages of that sample (call once, filter many), while a pedigree change
    (parents, sex, affected status) reruns the family's checks and prioritisation.
    """
    rows = ["sample\tfamily\tfather\tmother\tsex\taffected\tpanels"]
    for s in SAMPLES.values():
        if s.family == family:
            rows.append(
                f"{s.sample}\t{s.family}\t{s.father or ''}\t{s.mother or ''}\t{s.sex}"
                f"\t{str(s.affected).lower()}\t"
            )
    return "\n".join(rows) + "\n"


def sample_panels(sample):
    """Panel ids requested for a sample (version pins are handled by the panel stage)."""
    return [p.split("@")[0] for p in SAMPLES[sample].panels]


def units_of(sample):
    return [u for u in UNITS if u.sample == sample]


def unit_of(wildcards):
    for u in UNITS:
        if u.sample == wildcards.sample and u.unit == wildcards.unit:
            return u
    raise ValueError(f"unknown unit {wildcards.sample}/{wildcards.unit}")


def _alternatives(values):
    return "|".join(re.escape(v) for v in sorted(values)) or "^$"


wildcard_constraints:
    sample=_alternatives(SAMPLES),
    family=_alternatives(FAMILIES),
    unit=_alternatives({u.unit for u in UNITS}),
    shard=r"\d{4}",
    panel=r"[A-Za-z0-9._-]+",


def sample_panel_pairs():
    return [(s, p) for s in SAMPLES for p in sample_panels(s)]


def all_targets():
    """Everything a complete run produces."""
    targets = []
    for sample in SAMPLES:
        targets += [
            f"results/alignment/{sample}.cram",
            f"results/qc/samtools_stats/{sample}.txt",
            f"results/qc/mosdepth/{sample}.mosdepth.summary.txt",
            f"results/provenance/{sample}.json",
        ]
    for family in FAMILIES:
        targets += [
            f"results/calls/{family}.vcf.gz",
            f"results/annotated/{family}.vcf.gz",
        ]
        if INHOUSE:
            targets.append(f"results/inhouse/{family}.tsv")
    for sample, panel in sample_panel_pairs():
        targets += [
            f"results/panels/{sample}/{panel}.tsv",
            f"results/panels/{sample}/{panel}.json",
            f"results/report/{sample}/{panel}.html",
            f"results/report/{sample}/{panel}.pdf",
            f"results/report/{sample}/{panel}.xlsx",
        ]
    targets += [f"results/qc/checks/{family}.json" for family in FAMILIES]
    targets.append("results/qc/multiqc.html")
    return targets


# Input functions and parameters of the stages.


def trim_input(wildcards):
    unit = unit_of(wildcards)
    if unit.bam is not None:
        return {
            "r1": f"results/fastq/{wildcards.sample}/{wildcards.unit}_R1.fastq.gz",
            "r2": f"results/fastq/{wildcards.sample}/{wildcards.unit}_R2.fastq.gz",
        }
    return {"r1": str(unit.fq1), "r2": str(unit.fq2)}


def unit_chunk_bams(wildcards):
    """Aligned read chunks of all units of a sample (known once fastp has split the reads)."""
    bams = []
    for unit in units_of(wildcards.sample):
        chunks = checkpoints.trim_reads.get(sample=wildcards.sample, unit=unit.unit)
        ids = sorted(
            glob_wildcards(f"{chunks.output.chunks}/{{chunk}}.R1.fastq.gz").chunk
        )
        bams += [
            f"results/alignment/units/{wildcards.sample}/{unit.unit}/{chunk}.bam"
            for chunk in ids
        ]
    return bams


def bam_input(wildcards):
    return str(unit_of(wildcards).bam)


def read_group(wildcards):
    unit = unit_of(wildcards)
    return (
        f"@RG\\tID:{unit.sample}.{unit.unit}\\tSM:{unit.sample}\\tLB:{unit.library}"
        f"\\tPL:{unit.platform}\\tPU:{unit.unit}"
    )


def family_crams(wildcards):
    return expand(
        "results/alignment/{sample}.cram", sample=family_samples(wildcards.family)
    )


def sexes(wildcards):
    """bcftools call --samples-file lines: sample and sex (M/F); unknown sex is called diploid."""
    return "".join(
        f"{s}\\t{'M' if SAMPLES[s].sex == 'male' else 'F'}\\n"
        for s in family_samples(wildcards.family)
    )


def annotation_source_files():
    return [str(p) for p in (GNOMAD, CLINVAR) if p] + [s["file"] for s in SCORES]


def cached_sources():
    """Source name -> file of the sources read through a prepared cache."""
    out = {"gnomad": str(GNOMAD)} if GNOMAD else {}
    if CLINVAR:
        out["clinvar"] = str(CLINVAR)
    out.update({s["name"]: s["file"] for s in SCORES})
    return out


def annotation_caches():
    """Notes of the prepared sources (hurtig.annotation.cache --done) the annotation waits for."""
    return [f"results/annotation_sources/{name}.json" for name in cached_sources()]


def static_source_args():
    """hurtig.annotation.engine / hurtig.annotation.cache options naming gnomAD, ClinVar and the scores."""
    args = []
    if SCORES:
        args.append(f"--scores {shlex.quote(json.dumps(SCORES))}")
    if GNOMAD:
        args.append(f"--gnomad {GNOMAD}")
    if CLINVAR:
        args.append(f"--clinvar {CLINVAR}")
    return args


def source_args(family):
    """hurtig.annotation.engine options for the configured sources (the family is not counted in-house)."""
    args = []
    if INHOUSE:
        args.append(
            f"--inhouse {INHOUSE} --inhouse-exclude {' '.join(family_samples(family))}"
        )
    args += static_source_args()
    if cached_sources():
        args.append(f"--cache-dir {CACHE_DIR}")
    if CONTIG_MAP:
        args.append(
            "--contig-map {}".format(
                " ".join(f"{k}={v}" for k, v in CONTIG_MAP.items())
            )
        )
    return " ".join(args)


def provenance_inputs(wildcards):
    files = {"reference": REFERENCE, "gff3": GFF3, "gnomad": GNOMAD, "clinvar": CLINVAR}
    files.update({f"score_{s['name']}": s["file"] for s in SCORES})
    for panel in sample_panels(wildcards.sample):
        for i, path in enumerate(panel_inputs(panel)):
            files[f"panel_{panel}_{i}" if i else f"panel_{panel}"] = path
    for unit in units_of(wildcards.sample):
        for name in ("fq1", "fq2", "bam"):
            path = getattr(unit, name)
            if path is not None:
                files[f"{unit.unit}_{name}"] = path
    return {k: str(v) for k, v in files.items() if v is not None}


def override_args():
    """hurtig.qc.sample_checks options for the checks the config overrides (report.override_checks)."""
    settings = config.get("report", {})
    names = settings.get("override_checks") or []
    if not names:
        return ""
    reason = settings.get("override_reason", "")
    return f"--override {' '.join(names)} --override-reason {shlex.quote(reason)}"


# Panel first: which shards each panel needs, and their scheduling priority.

PANEL_PRIORITY = (
    50  # panel stages and the shards they need run before the rest of the genome
)
FAMILY_PANELS = "_family"  # pseudo panel: all panels requested by a family's samples


def family_panels(family):
    """Panel ids requested by any sample of a family."""
    return sorted({p for s in family_samples(family) for p in sample_panels(s)})


def shard_beds():
    return {shard: Path(f"results/shards/shard_{shard}.bed") for shard in SHARDS}


def shards_for(family, panel):
    """Shards whose regions overlap the panel (or, for FAMILY_PANELS, any of the family's panels).

    Waits for the make_shards and resolve_panel checkpoints, so the panel's jobs depend on exactly
    the shards they need and not on the genome-wide VCF. A family without panels needs all shards.
    """
    checkpoints.make_shards.get()
    ids = family_panels(family) if panel == FAMILY_PANELS else [panel]
    if not ids:
        return list(SHARDS)
    beds = [Path(checkpoints.resolve_panel.get(panel=p).output.bed) for p in ids]
    return regions.overlapping_shards(shard_beds(), beds)


def shard_priority(wildcards):
    """PANEL_PRIORITY for a shard that overlaps a panel of the family, else 0.

    Read from the files directly (not through the checkpoints): the priority is recomputed when
    the checkpoints finish, which happens before any calling job can start.
    """
    beds = [
        Path(f"results/panels/_regions/{p}.bed")
        for p in family_panels(wildcards.family)
    ]
    shard = Path(f"results/shards/shard_{wildcards.shard}.bed")
    if not beds or not shard.exists() or not all(b.exists() for b in beds):
        return 0
    selected = regions.overlapping_shards({wildcards.shard: shard}, beds)
    return PANEL_PRIORITY if selected else 0


def panel_shard_vcfs(wildcards):
    return expand(
        "results/annotated/shards/{family}/{shard}.vcf.gz",
        family=wildcards.family,
        shard=shards_for(wildcards.family, wildcards.panel),
    )
