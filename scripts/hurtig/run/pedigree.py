"""Load ``samples.tsv`` into a pedigree of frozen person records.

Columns: ``sample, family, father, mother, sex (male|female|unknown), affected (true|false),
panels`` (comma-separated panel ids). A missing parent is an empty cell or ``0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pandas as pd

from hurtig.errors import InputError

REQUIRED_COLUMNS: tuple[str, ...] = ("sample", "family", "father", "mother", "sex", "affected")


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
    """

    sample: str
    family: str
    father: str | None
    mother: str | None
    sex: Sex
    affected: bool
    panels: tuple[str, ...] = ()


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


def _parent(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "0", ".") else value


def load_pedigree(path: str | Path) -> Pedigree:
    """Read and check the sample sheet.

    Args:
        path: ``samples.tsv``.

    Returns:
        The pedigree.

    Raises:
        InputError: unreadable file, missing columns, duplicate samples, bad sex/affected
            values, parents outside the family, a parent of the wrong sex.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment=None)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputError(f"{path}: cannot read sample sheet ({err})") from err
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    people: list[Person] = []
    seen: set[str] = set()
    for i, row in enumerate(df.to_dict("records"), start=2):
        sample = row["sample"].strip()
        if not sample:
            raise InputError(f"{path}: line {i}: empty sample")
        if sample in seen:
            raise InputError(f"{path}: line {i}: sample {sample} listed twice")
        seen.add(sample)
        sex_s = row["sex"].strip().lower() or "unknown"
        try:
            sex = Sex(sex_s)
        except ValueError as err:
            raise InputError(f"{path}: line {i}: sex must be male, female or unknown") from err
        aff = row["affected"].strip().lower()
        if aff in ("true", "yes", "affected", "1"):
            affected = True
        elif aff in ("false", "no", "unaffected", "0", ""):
            affected = False
        else:
            raise InputError(f"{path}: line {i}: affected must be true or false")
        panels = tuple(p.strip() for p in row.get("panels", "").split(",") if p.strip())
        people.append(
            Person(
                sample=sample,
                family=row["family"].strip(),
                father=_parent(row["father"]),
                mother=_parent(row["mother"]),
                sex=sex,
                affected=affected,
                panels=panels,
            )
        )
    by_id = {p.sample: p for p in people}
    for p in people:
        if not p.family:
            raise InputError(f"{path}: sample {p.sample}: empty family")
        for role, pid, want in (("father", p.father, Sex.FEMALE), ("mother", p.mother, Sex.MALE)):
            if pid is None:
                continue
            if pid == p.sample:
                raise InputError(f"{path}: sample {p.sample} is its own {role}")
            parent = by_id.get(pid)
            if parent is None:
                raise InputError(f"{path}: sample {p.sample}: {role} {pid} not in the sheet")
            if parent.family != p.family:
                raise InputError(f"{path}: sample {p.sample}: {role} {pid} in another family")
            if parent.sex == want:
                raise InputError(f"{path}: sample {p.sample}: {role} {pid} has sex {want.value}")
    if not people:
        raise InputError(f"{path}: no samples")
    return Pedigree(people=tuple(people))


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
                father=f if _parent(f) and f in known else None,
                mother=m if _parent(m) and m in known else None,
                sex=sex,
                affected=aff,
            )
            for fam, s, f, m, sex, aff in rows
        )
    )
