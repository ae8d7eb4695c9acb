"""The run's one sample and pedigree model: ``samples.tsv`` as frozen person records.

Columns: ``sample, family, father, mother, sex (male|female|unknown), affected (true|false),
panels`` (comma-separated panel ids, optionally ``id@version``) and the optional ``hpo`` (comma-
separated HPO ids; checked against the ontology by :func:`hurtig.run.model.load_run`). A missing
parent is an empty cell
or ``0``. The workflow validates the whole sheet once at parse time (:func:`load_samples`); jobs
read their family's rows, written by the workflow, with :func:`load_pedigree` (same checks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from hurtig.errors import InputError
from hurtig.run.ped import looks_like_ped, merge_ped, read_ped
from hurtig.run.schemas import read_sheet


class Sex(StrEnum):
    """Sex as given in the sample sheet."""

    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Person:
    """One sample of the sheet.

    Attributes:
        sample: sample id (also the VCF sample name).
        family: family id.
        father: father's sample id or ``None``.
        mother: mother's sample id or ``None``.
        sex: sex.
        affected: affection status.
        panels: panel ids ordered for this sample.
        hpo: HPO term ids of the sample's phenotype (optional ``hpo`` column).
        research: the optional ``research`` column (``None``: empty, the config decides).
    """

    sample: str
    family: str
    father: str | None
    mother: str | None
    sex: Sex
    affected: bool
    panels: tuple[str, ...] = ()
    hpo: tuple[str, ...] = ()
    research: bool | None = None


@dataclass(frozen=True)
class Pedigree:
    """All samples of the sheet.

    Attributes:
        people: persons in sheet order.
    """

    people: tuple[Person, ...]

    def person(self, sample: str) -> Person:
        """Look a sample up.

        Raises:
            InputError: unknown sample.
        """
        for p in self.people:
            if p.sample == sample:
                return p
        raise InputError(f"samples sheet: sample {sample!r} not found")

    def family(self, family: str) -> tuple[Person, ...]:
        """Members of a family, in sheet order."""
        return tuple(p for p in self.people if p.family == family)

    def parents(self, sample: str) -> tuple[Person | None, Person | None]:
        """(father, mother) records of a sample; ``None`` when not in the sheet."""
        person = self.person(sample)
        by_id = {p.sample: p for p in self.people}
        father = by_id.get(person.father) if person.father else None
        mother = by_id.get(person.mother) if person.mother else None
        return father, mother

    def children(self, sample: str) -> tuple[Person, ...]:
        """Children of a sample."""
        return tuple(p for p in self.people if sample in (p.father, p.mother))


MISSING_PARENT = frozenset({"", "0"})
"""Cell values of the father/mother columns that mean "no parent in the sheet"."""


def _sheet_rows(path: Path, pedigree: Path | None) -> list[dict[str, str]]:
    """The rows of samples.tsv, pedigree columns from the PED file when one is given.

    Raises:
        InputError: a PED file given as the sample sheet, or as :func:`read_sheet`/:func:`read_ped`.
    """
    if path.is_file() and looks_like_ped(path, SHEET_COLUMNS):
        raise InputError(
            f"{path}: this is a PED file, not a samples sheet; name it under the config key "
            "'pedigree' and list the samples in samples.tsv (columns sample and panels suffice)"
        )
    if pedigree is None:
        return read_sheet(path, "samples")
    people = read_ped(pedigree)
    return read_sheet(path, "samples", lambda rows: merge_ped(rows, path, pedigree, people))


def load_samples(path: Path, pedigree: Path | None = None) -> dict[str, Person]:
    """Read and validate samples.tsv: the one sample and pedigree model of a run.

    Checks: known columns, the schema per row (``config/schemas/samples.schema.yaml``), unique
    sample ids (also ignoring case: file names would collide on a case-insensitive file system),
    no sample id that means "no parent" (``0``), parents present in the sheet and in the same
    family, father male / mother female when sex is declared, nobody their own ancestor.

    With ``pedigree`` (a PED file, :mod:`hurtig.run.ped`) the sheet's family, father, mother,
    sex and affected columns may be left out: the PED file supplies them.

    Returns:
        Persons by sample id, in sheet order.

    Raises:
        InputError: one line naming the file, the row and the problem.
    """
    rows = _sheet_rows(path, pedigree)
    if not rows:
        raise InputError(f"{path}: no samples")
    samples: dict[str, Person] = {}
    for number, row in enumerate(rows, start=2):
        _check_sample_id(f"{path}: row {number}", row["sample"], samples)
        samples[row["sample"]] = Person(
            sample=row["sample"],
            family=row["family"],
            father=None if row["father"] in MISSING_PARENT else row["father"],
            mother=None if row["mother"] in MISSING_PARENT else row["mother"],
            sex=Sex(row["sex"]),
            affected=row["affected"] == "true",
            panels=tuple(p for p in row["panels"].split(",") if p),
            hpo=tuple(t.strip() for t in row.get("hpo", "").split(",") if t.strip()),
            research={"true": True, "false": False}.get(row.get("research", "")),
        )
    families: dict[str, str] = {}
    for number, person in enumerate(samples.values(), start=2):
        family = families.setdefault(person.family.lower(), person.family)
        if family != person.family:
            raise InputError(
                f"{path}: row {number}: family '{person.family}' differs from family "
                f"'{family}' only in case (their files would collide on a case-insensitive "
                "file system)"
            )
        _check_parents(path, number, person, samples)
    for number, person in enumerate(samples.values(), start=2):
        _check_ancestry(f"{path}: row {number}", person, samples)
    return samples


def _check_sample_id(where: str, sample: str, samples: dict[str, Person]) -> None:
    """A new sample id is not a "no parent" marker and differs from the others (case too)."""
    if sample in MISSING_PARENT | PED_MISSING:
        raise InputError(
            f"{where}: column 'sample': '{sample}' cannot be a sample id "
            f"('{sample}' in the father/mother columns means no parent)"
        )
    if sample in samples:
        raise InputError(f"{where}: sample '{sample}' appears twice")
    twin = next((s for s in samples if s.lower() == sample.lower()), None)
    if twin is not None:
        raise InputError(
            f"{where}: sample '{sample}' differs from sample '{twin}' only in case "
            "(their files would collide on a case-insensitive file system)"
        )


def _check_ancestry(where: str, person: Person, samples: dict[str, Person]) -> None:
    """Nobody is their own ancestor (a cycle through the father/mother columns)."""
    paths: list[list[str]] = [[person.sample]]
    while paths:
        line = paths.pop()
        current = samples[line[-1]]
        for parent in (current.father, current.mother):
            if parent is None:
                continue
            if parent == person.sample:
                cycle = " -> ".join([*line, parent])
                raise InputError(
                    f"{where}: sample '{person.sample}' is its own ancestor ({cycle}; "
                    "each name is a parent of the one before)"
                )
            if parent not in line:
                paths.append([*line, parent])


def _check_parents(path: Path, number: int, person: Person, samples: dict[str, Person]) -> None:
    """Both parents of one row are in the sheet, in the family, of the right sex."""
    for role, parent, sex in (
        ("father", person.father, Sex.MALE),
        ("mother", person.mother, Sex.FEMALE),
    ):
        if parent is None:
            continue
        where = f"{path}: row {number}"
        if parent == person.sample:
            raise InputError(f"{where}: sample '{parent}' is its own {role}")
        if parent not in samples:
            raise InputError(
                f"{where}: {role} '{parent}' of sample '{person.sample}' is not in the sheet"
            )
        other = samples[parent]
        if other.family != person.family:
            raise InputError(
                f"{where}: {role} '{parent}' is in family '{other.family}', not '{person.family}'"
            )
        if other.sex not in (sex, Sex.UNKNOWN):
            raise InputError(f"{where}: {role} '{parent}' has sex {other.sex}, expected {sex}")


def load_pedigree(path: str | Path) -> Pedigree:
    """The pedigree of a samples.tsv (the whole sheet, or a family's rows written by the workflow).

    Raises:
        InputError: as :func:`load_samples`.
    """
    return Pedigree(people=tuple(load_samples(Path(path)).values()))


PED_MISSING = frozenset({"", "0", "."})
"""Parent ids of a PLINK PED file that mean "no parent"."""


def load_ped(path: str | Path) -> Pedigree:
    """Read a PLINK/PED pedigree (family, sample, father, mother, sex 1/2/0, phenotype 2/1/0).

    Phenotype 2 is affected; 1, 0 and -9 (unknown) count as unaffected. Parents not listed
    as samples are dropped (``None``).

    Raises:
        InputError: unreadable, fewer than 6 columns, duplicate sample, bad sex/phenotype.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read PED ({err})") from err
    rows = []
    for i, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split()
        if len(cols) < 6:
            raise InputError(f"{path}: line {i}: expected 6 columns")
        sex = {"1": Sex.MALE, "2": Sex.FEMALE}.get(cols[4], Sex.UNKNOWN)
        if cols[5] not in ("0", "1", "2", "-9"):
            raise InputError(f"{path}: line {i}: phenotype must be 0, 1, 2 or -9")
        rows.append((cols[0], cols[1], cols[2], cols[3], sex, cols[5] == "2"))
    names = [r[1] for r in rows]
    if len(set(names)) != len(names):
        raise InputError(f"{path}: a sample is listed twice")
    if not rows:
        raise InputError(f"{path}: no samples")
    known = set(names)
    return Pedigree(
        people=tuple(
            Person(
                sample=s,
                family=fam,
                father=f if f not in PED_MISSING and f in known else None,
                mother=m if m not in PED_MISSING and m in known else None,
                sex=sex,
                affected=aff,
            )
            for fam, s, f, m, sex, aff in rows
        )
    )


SHEET_COLUMNS: tuple[str, ...] = (
    "sample",
    "family",
    "father",
    "mother",
    "sex",
    "affected",
    "panels",
)
"""Columns of samples.tsv, in order."""


def pedigree_sheet(people: Iterable[Person]) -> str:
    """samples.tsv text of some persons without their panels (read back by :func:`load_pedigree`).

    The workflow writes each family's pedigree this way for the family's jobs: editing a sample's
    panels leaves the file unchanged (call once, filter many), a pedigree change rewrites it.
    """
    rows = ["\t".join(SHEET_COLUMNS)]
    rows += [
        f"{p.sample}\t{p.family}\t{p.father or ''}\t{p.mother or ''}\t{p.sex}"
        f"\t{str(p.affected).lower()}\t"
        for p in people
    ]
    return "\n".join(rows) + "\n"
