"""One run model, validated once, before any job: :func:`load_run`.

The workflow (``workflow/rules/common.smk``) and ``hurtig check config.yaml`` both call
:func:`load_run`, so a run that passes the check is a run the workflow accepts. It validates the
config against its schema (every key, ``filters`` and ``ranking`` included), the sample sheet
(the pedigree, :mod:`hurtig.run.pedigree`), the units sheet, that every configured file exists,
and that every requested panel is in the panel registry.

This is the one module of ``run/`` above ``panels/``: checking a run includes looking its panels
up in the registry (:func:`hurtig.panels.registry.locate_panel`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hurtig.errors import InputError
from hurtig.panels.registry import locate_panel, parse_spec
from hurtig.run.genome_build import GenomeBuild, genome_build
from hurtig.run.layout import DEMO_READS
from hurtig.run.pedigree import Person, load_samples
from hurtig.run.sheets import Unit, load_units, resolve, validate_config

FILE_KEYS: tuple[tuple[str, ...], ...] = (
    ("reference", "fasta"),
    ("reference", "gff3"),
    ("annotation", "gnomad"),
    ("annotation", "clinvar"),
    ("managed_variants",),
)
"""Config keys naming input files that must exist when set."""


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


def load_run(config: Mapping[str, Any], config_file: Path) -> Run:
    """Validate a config (already loaded) and everything it names; the run model.

    Raises:
        InputError: one line naming the file (and row/column or key) and the problem.
    """
    config_file = config_file.resolve()
    validate_config(dict(config), config_file)
    base = config_file.parent
    samples = load_samples(_required(base, config["samples"]))
    units = load_units(_required(base, config["units"]), samples, produced_dir=DEMO_READS)
    run = Run(
        config_file=config_file,
        config=config,
        samples=samples,
        units=tuple(units),
        build=genome_build(config["reference"].get("build")),
    )
    _check_files(run)
    _check_panels(run)
    return run


def load_run_file(config_file: Path) -> Run:
    """Read a config file (YAML) and validate the run it describes."""
    if not config_file.is_file():
        raise InputError(f"{config_file}: file not found")
    try:
        with config_file.open() as handle:
            config = yaml.safe_load(handle) or {}
    except yaml.YAMLError as err:
        raise InputError(f"{config_file}: not valid YAML ({err})") from err
    if not isinstance(config, dict):
        raise InputError(f"{config_file}: expected a mapping of config keys")
    return load_run(config, config_file)


def _required(base: Path, value: str) -> Path:
    """A required path from the config (the schema makes sure it is a non-empty string)."""
    path = resolve(base, value)
    if path is None:
        raise InputError(f"{base}: empty path in the config")
    return path


def _check_files(run: Run) -> None:
    """Every file the config names exists."""
    for keys in FILE_KEYS:
        path = run.path(*keys)
        if path is not None and not path.is_file():
            raise InputError(f"{run.config_file}: {'.'.join(keys)} not found: {path}")
    for entry in run.score_sources():
        if not Path(entry["file"]).is_file():
            raise InputError(
                f"{run.config_file}: annotation.scores file not found: {entry['file']}"
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
