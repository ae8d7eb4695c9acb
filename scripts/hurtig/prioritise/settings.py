"""The prioritisation settings file (``results/provenance/settings.json``).

A JSON object with the optional keys ``filters`` (:mod:`hurtig.prioritise.filters`),
``ranking`` (:mod:`hurtig.prioritise.points`) and ``genome_build`` (``GRCh38`` or ``GRCh37``,
:mod:`hurtig.run.genome_build`). Any other key is refused, so a typo is an error, not a silently
ignored setting.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hurtig.errors import InputError
from hurtig.prioritise.filters import FilterSettings
from hurtig.prioritise.points import ranking_settings
from hurtig.run.genome_build import GenomeBuild, genome_build

SETTINGS_KEYS = ("filters", "ranking", "genome_build")


@dataclass(frozen=True)
class PrioritisationSettings:
    """Complete, checked settings of one prioritisation.

    Attributes:
        filters: the filter settings.
        ranking: the ranking weights.
        genome_build: the build the settings name, or ``None`` (the command line decides).
    """

    filters: FilterSettings
    ranking: dict[str, float]
    genome_build: str | None = None

    @classmethod
    def from_json(
        cls, doc: Mapping[str, object], where: str = "settings"
    ) -> PrioritisationSettings:
        """Check and complete a settings document.

        Raises:
            InputError: unknown key, bad filter/ranking value, unknown genome build.
        """
        unknown = set(doc) - set(SETTINGS_KEYS)
        if unknown:
            raise InputError(f"{where}: unknown top-level key {sorted(unknown)[0]!r}")
        filters = doc.get("filters") or {}
        ranking = doc.get("ranking") or {}
        if not isinstance(filters, Mapping) or not isinstance(ranking, Mapping):
            raise InputError(f"{where}: 'filters' and 'ranking' must be JSON objects")
        build = doc.get("genome_build")
        if build is not None:
            genome_build(str(build))  # refuse an unknown build here, naming it
        return cls(
            filters=FilterSettings.from_user(filters),
            ranking=ranking_settings(ranking),
            genome_build=None if build is None else str(build),
        )

    @classmethod
    def read(cls, path: Path) -> PrioritisationSettings:
        """Read the settings file.

        Raises:
            InputError: unreadable, not a JSON object, or bad settings.
        """
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(f"{path}: cannot read settings JSON ({err})") from err
        if not isinstance(doc, dict):
            raise InputError(f"{path}: expected a JSON object")
        return cls.from_json(doc, str(path))

    def build(self, requested: str | None) -> GenomeBuild:
        """The genome build: the command line's, else the settings', else GRCh38.

        Raises:
            InputError: the command line and the settings name different builds.
        """
        if requested and self.genome_build and requested != self.genome_build:
            raise InputError(f"--genome-build {requested} but the settings say {self.genome_build}")
        return genome_build(requested or self.genome_build)


def settings_file_text(filters: Mapping[str, object], ranking: Mapping[str, object]) -> str:
    """The settings file as the workflow writes it: the config's own keys, sorted, one line.

    Only the user's keys are written (:meth:`PrioritisationSettings.read` fills in the defaults),
    so the file, and the panel jobs that read it, change only when the config's settings change.
    """
    return json.dumps({"filters": dict(filters), "ranking": dict(ranking)}, sort_keys=True) + "\n"
