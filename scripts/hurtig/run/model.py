"""One run model, validated once, before any job: :func:`load_run`.

The workflow (``workflow/rules/common.smk``) and ``hurtig check config.yaml`` both call
:func:`load_run`, so a run that passes the check is a run the workflow accepts. It validates the
config against its schema (every key, ``filters`` and ``ranking`` included), the sample sheet
(the pedigree, :mod:`hurtig.run.pedigree`), the units sheet, that every path is safe to pass on
(:func:`hurtig.run.sheets.check_path_text`), that every configured file exists and can be read,
the managed-variant list, the samples' HPO terms (:mod:`hurtig.phenotype.ontology`), that the
reference, the annotation sources and the gene model name
their contigs alike (:mod:`hurtig.run.contig_names`), and that every requested panel is in the
panel registry.

Reading files (FASTQ heads, indexes, headers) is skipped with ``check_contents=False``: the
workflow passes it in the processes Snakemake starts for single jobs (cluster jobs re-parse the
workflow), which the main process has already checked.

This is the one module of ``run/`` above ``panels/`` and ``prioritise/``: checking a run includes
looking its panels up in the registry (:func:`hurtig.panels.registry.locate_panel`) and reading
the managed-variant list (:func:`hurtig.prioritise.managed.load_managed`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hurtig.calling.regions import read_bed
from hurtig.errors import InputError
from hurtig.panels.registry import locate_panel, parse_spec
from hurtig.phenotype.ontology import check_terms, load_ontology
from hurtig.prioritise.managed import load_managed
from hurtig.run.contig_names import ContigCache, check_gene_model, check_source, reference_contigs
from hurtig.run.genome_build import GenomeBuild, genome_build
from hurtig.run.layout import DEMO_READS
from hurtig.run.pedigree import Person, load_samples
from hurtig.run.sheets import (
    Unit,
    check_path_text,
    check_readable,
    load_units,
    resolve,
    validate_config,
)
from hurtig.sv.population import check_population

FILE_KEYS: tuple[tuple[str, ...], ...] = (
    ("reference", "fasta"),
    ("reference", "gff3"),
    ("annotation", "gnomad"),
    ("annotation", "clinvar"),
    ("managed_variants",),
    ("sv", "population"),
    ("fast_path", "regions"),
)
"""Config keys naming input files that must exist and be readable when set."""

PATH_KEYS: tuple[tuple[str, ...], ...] = (
    ("samples",),
    ("pedigree",),
    ("units",),
    *FILE_KEYS,
    ("annotation", "cache_dir"),
    ("annotation", "inhouse"),
    ("sv", "inhouse"),
    ("panels",),
    ("phenotype", "ontology_dir"),
)
"""Config keys naming paths (checked for unsafe characters); ``annotation.scores`` files too."""


@dataclass(frozen=True)
class Run:
    """A validated run: the config, its sheets and the build.

    Attributes:
        config_file: the config file (relative paths in it resolve against its folder).
        config: the config as loaded (validated against the schema).
        samples: the samples sheet, by sample id in sheet order.
        units: the units sheet, in sheet order.
        build: the genome build of the reference.
    """

    config_file: Path
    config: Mapping[str, Any]
    samples: dict[str, Person]
    units: tuple[Unit, ...]
    build: GenomeBuild

    @property
    def base(self) -> Path:
        """The folder relative config paths resolve against."""
        return self.config_file.parent

    def path(self, *keys: str) -> Path | None:
        """A path from the config (nested keys), resolved against the config file, or ``None``."""
        node: Any = self.config
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        return resolve(self.base, node) if node else None

    def research(self, sample: str) -> bool:
        """Whether the sample gets a research list (its sheet cell, else the config switch)."""
        chosen = self.samples[sample].research
        if chosen is None:
            chosen = bool((self.config.get("phenotype") or {}).get("research_list", False))
        return chosen

    @property
    def families(self) -> list[str]:
        """Family ids, sorted."""
        return sorted({s.family for s in self.samples.values()})

    def family_samples(self, family: str) -> list[str]:
        """Sample ids of one family, in sheet order (the VCF sample order)."""
        return [s.sample for s in self.samples.values() if s.family == family]

    def score_sources(self) -> list[dict[str, Any]]:
        """The ``annotation.scores`` entries with their files resolved to absolute paths."""
        entries = self.config.get("annotation", {}).get("scores") or []
        return [dict(s, file=str(resolve(self.base, s["file"]))) for s in entries]


def load_run(
    config: Mapping[str, Any],
    config_file: Path,
    *,
    check_contents: bool = True,
    cache_dir: Path | None = None,
) -> Run:
    """Validate a config (already loaded) and everything it names; the run model.

    Args:
        config: the loaded config.
        config_file: the config file (relative paths resolve against its folder).
        check_contents: also read the files (FASTQ/BAM heads, indexes, contig names, the
            managed list); existence and paths are always checked.
        cache_dir: where contig names found by a scan are remembered (None: nowhere).

    Raises:
        InputError: one line naming the file (and row/column or key) and the problem.
    """
    config_file = config_file.resolve()
    validate_config(dict(config), config_file)
    base = config_file.parent
    _check_paths(config, config_file)
    samples = load_samples(
        _required(base, config["samples"]), resolve(base, config.get("pedigree"))
    )
    units = load_units(
        _required(base, config["units"]),
        samples,
        produced_dir=DEMO_READS,
        check_contents=check_contents,
    )
    run = Run(
        config_file=config_file,
        config=config,
        samples=samples,
        units=tuple(units),
        build=genome_build(config["reference"].get("build")),
    )
    _check_files(run, check_contents)
    if check_contents:
        _check_contigs(run, ContigCache(cache_dir))
    _check_panels(run)
    _check_phenotypes(run, check_contents)
    return run


def load_run_file(config_file: Path, cache_dir: Path | None = None) -> Run:
    """Read a config file (YAML) and validate the run it describes (:func:`load_run`)."""
    if not config_file.is_file():
        raise InputError(f"{config_file}: file not found")
    try:
        with config_file.open(encoding="utf-8") as handle:
            config = yaml.safe_load(handle) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputError(f"{config_file}: not valid YAML ({' '.join(str(err).split())})") from err
    if not isinstance(config, dict):
        raise InputError(f"{config_file}: expected a mapping of config keys")
    return load_run(config, config_file, cache_dir=cache_dir)


def _required(base: Path, value: str) -> Path:
    """A required path from the config (the schema makes sure it is a non-empty string)."""
    path = resolve(base, value)
    if path is None:
        raise InputError(f"{base}: empty path in the config")
    return path


def _check_paths(config: Mapping[str, Any], config_file: Path) -> None:
    """Every path of the config is free of characters that cannot be passed on safely."""
    base = config_file.parent
    for keys in PATH_KEYS:
        node: Any = config
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        path = resolve(base, node) if isinstance(node, str) else None
        if path is not None:
            check_path_text(f"{config_file}: {'.'.join(keys)}", path)
    scores = (config.get("annotation") or {}).get("scores") or []
    for number, entry in enumerate(scores):
        path = resolve(base, entry["file"])
        if path is not None:
            check_path_text(f"{config_file}: annotation.scores.{number}.file", path)


def _check_files(run: Run, contents: bool) -> None:
    """Every file the config names exists (and, with ``contents``, can be read and is valid)."""
    files = [(".".join(keys), run.path(*keys)) for keys in FILE_KEYS]
    files += [
        (f"annotation.scores.{number}.file", Path(entry["file"]))
        for number, entry in enumerate(run.score_sources())
    ]
    for key, path in files:
        if path is None:
            continue
        where = f"{run.config_file}: {key}"
        if not path.is_file():
            problem = "not a regular file" if path.exists() else "not found"
            raise InputError(f"{where} {problem}: {path}")
        if contents:
            check_readable(where, path, None)
    managed = run.path("managed_variants")
    if contents and managed is not None:
        load_managed(managed)
    population = run.path("sv", "population")
    if contents and population is not None:
        check_population(population)


def _check_contigs(run: Run, cache: ContigCache) -> None:
    """Reference, annotation sources and gene model name their contigs alike (or mapped)."""
    fasta = run.path("reference", "fasta")
    assert fasta is not None  # required by the schema, checked by _check_files
    reference = set(reference_contigs(fasta, cache))
    if not reference:
        raise InputError(f"{run.config_file}: reference.fasta has no sequences: {fasta}")
    contig_map = run.config.get("annotation", {}).get("contig_map") or {}
    sources = [(f"annotation.{key}", run.path("annotation", key)) for key in ("gnomad", "clinvar")]
    sources += [
        (f"annotation.scores.{number}.file ({entry['name']})", Path(entry["file"]))
        for number, entry in enumerate(run.score_sources())
    ]
    for key, path in sources:
        if path is not None:
            check_source(f"{run.config_file}: {key}", path, reference, contig_map)
    gff3 = run.path("reference", "gff3")
    if gff3 is not None:
        check_gene_model(f"{run.config_file}: reference.gff3", gff3, reference, cache)
    regions = run.path("fast_path", "regions")
    if regions is not None:
        unknown = sorted(set(read_bed(regions)) - reference)
        if unknown:
            raise InputError(
                f"{run.config_file}: fast_path.regions: {regions} names contigs the reference"
                f" does not have: {', '.join(unknown[:5])}"
            )


def _check_panels(run: Run) -> None:
    """Every requested panel is in the registry, one version per panel id per run."""
    requested = sorted({p for s in run.samples.values() for p in s.panels})
    if not requested:
        return
    if not run.config["reference"].get("gff3"):
        raise InputError(f"{run.config_file}: samples request panels but reference.gff3 is not set")
    panel_dir = run.path("panels")
    if panel_dir is None:
        raise InputError(f"{run.config_file}: samples request panels but 'panels' is not set")
    if not panel_dir.is_dir():
        raise InputError(f"{run.config_file}: panels folder not found: {panel_dir}")
    specs: dict[str, str] = {}
    for panel in requested:
        panel_id = parse_spec(panel)[0]
        if specs.setdefault(panel_id, panel) != panel:
            raise InputError(
                f"{run.config_file}: samples request panel {panel_id} as both "
                f"{specs[panel_id]!r} and {panel!r}; use one version per run"
            )
        try:
            locate_panel(panel_dir, panel)
        except InputError as err:
            raise InputError(
                f"{panel_dir}: panel '{panel}' requested in samples sheet not found ({err})"
            ) from err


def _check_phenotypes(run: Run, contents: bool) -> None:
    """Every sample's HPO terms are current terms of the ontology the run uses.

    The ontology is loaded (about a second) only when a sample has terms and ``contents`` is
    set; errors name the sheet and the row.
    """
    sheet = run.path("samples")
    for number, person in enumerate(run.samples.values(), start=2):
        if person.research and not person.hpo:
            raise InputError(
                f"{sheet}: row {number}: column 'research' is true but column 'hpo' is empty "
                "(the research list is ranked by phenotype: give the sample's HPO terms)"
            )
    if not contents or not any(s.hpo for s in run.samples.values()):
        return
    folder = run.path("phenotype", "ontology_dir")
    if folder is not None and not folder.is_dir():
        raise InputError(f"{run.config_file}: phenotype.ontology_dir not found: {folder}")
    load_ontology(folder)
    for number, person in enumerate(run.samples.values(), start=2):
        check_terms(f"{sheet}: row {number}", person.hpo)
