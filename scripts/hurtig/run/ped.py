"""A standard PED file as the run's pedigree (config key ``pedigree``).

A PED file has six whitespace-separated columns per person: family, sample, father, mother,
sex (``1`` male, ``2`` female, ``0`` unknown) and phenotype (``2`` affected, ``1`` unaffected,
``0`` or ``-9`` unknown, counted as unaffected). Lines starting with ``#`` (a header such as
``#family_id individual_id ...``) and blank lines are skipped; columns after the sixth are
ignored. A parent ``0``, ``.`` or one not sequenced (not in samples.tsv) means no parent.

:func:`read_ped` reads the file into :class:`PedRow` records; :func:`merge_ped` fills the
pedigree columns of samples.tsv rows from them (a cell given in both must agree). Every problem
is one :class:`~hurtig.errors.InputError` line naming the file, the line and the problem.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from hurtig.errors import InputError

PED_SEX = {"1": "male", "2": "female", "0": "unknown"}
"""PED sex codes → samples.tsv ``sex``."""

PED_PHENOTYPE = {"2": "true", "1": "false", "0": "false", "-9": "false"}
"""PED phenotype codes → samples.tsv ``affected`` (unknown counts as unaffected)."""

PED_NO_PARENT = frozenset({"0", "."})
"""PED parent ids meaning "no parent"."""

PEDIGREE_COLUMNS: tuple[str, ...] = ("family", "father", "mother", "sex", "affected")
"""samples.tsv columns a PED file supplies."""


@dataclass(frozen=True)
class PedRow:
    """One person of a PED file, in samples.tsv vocabulary.

    Attributes:
        line: line number in the file.
        values: ``family, father, mother, sex, affected`` as samples.tsv writes them
            (a missing parent is ``""``).
    """

    line: int
    values: dict[str, str]


def _text(path: Path) -> list[str]:
    """The file's lines.

    Raises:
        InputError: missing, unreadable or not UTF-8.
    """
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text; save the PED file as UTF-8") from err


def _row(path: Path, number: int, cols: Sequence[str]) -> tuple[str, PedRow]:
    """(sample, row) of one data line.

    Raises:
        InputError: too few columns, or a sex or phenotype code outside the PED vocabulary.
    """
    where = f"{path}: line {number}"
    if len(cols) < 6:
        raise InputError(
            f"{where}: {len(cols)} columns; a PED line has 6 (family, sample, father, mother, "
            "sex, phenotype)"
        )
    family, sample, father, mother, sex, phenotype = cols[:6]
    if sex not in PED_SEX:
        raise InputError(f"{where}: sex '{sex}' is not 1 (male), 2 (female) or 0 (unknown)")
    if phenotype not in PED_PHENOTYPE:
        raise InputError(
            f"{where}: phenotype '{phenotype}' is not 2 (affected), 1 (unaffected), "
            "0 or -9 (unknown)"
        )
    values = {
        "family": family,
        "father": "" if father in PED_NO_PARENT else father,
        "mother": "" if mother in PED_NO_PARENT else mother,
        "sex": PED_SEX[sex],
        "affected": PED_PHENOTYPE[phenotype],
    }
    return sample, PedRow(number, values)


def read_ped(path: Path) -> dict[str, PedRow]:
    """The persons of a PED file by sample id.

    Raises:
        InputError: unreadable, no person, a bad line, or a sample listed twice.
    """
    people: dict[str, PedRow] = {}
    for number, line in enumerate(_text(path), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        sample, row = _row(path, number, line.split())
        if sample in people:
            raise InputError(
                f"{path}: line {number}: sample '{sample}' appears twice "
                f"(also line {people[sample].line})"
            )
        people[sample] = row
    if not people:
        raise InputError(f"{path}: no persons (a PED line has 6 columns)")
    return people


def merge_ped(
    rows: Sequence[dict[str, str]], sheet: Path, ped: Path, people: dict[str, PedRow]
) -> list[dict[str, str]]:
    """samples.tsv rows with their pedigree columns taken from the PED file.

    A parent that is not a sample of the sheet (not sequenced) becomes "no parent". A pedigree
    cell the sheet fills in too must say the same as the PED file.

    Raises:
        InputError: a sheet sample missing from the PED file, or a cell that disagrees.
    """
    sequenced = {row.get("sample", "") for row in rows}
    merged = []
    for number, row in enumerate(rows, start=2):
        person = people.get(row.get("sample", ""))
        if person is None:
            raise InputError(
                f"{sheet}: row {number}: sample '{row.get('sample', '')}' is not in the "
                f"pedigree {ped}"
            )
        values = dict(person.values)
        for column in PEDIGREE_COLUMNS:
            given = row.get(column, "")
            if given and given != values[column] and not (given == "0" and not values[column]):
                raise InputError(
                    f"{sheet}: row {number}: column '{column}' is '{given}' but {ped} line "
                    f"{person.line} says '{values[column] or '0'}'"
                )
        for role in ("father", "mother"):
            if values[role] not in sequenced:
                values[role] = ""
        merged.append({**row, **values})
    return merged


def looks_like_ped(path: Path, known: Collection[str]) -> bool:
    """True when a sheet is a PED file rather than a samples sheet.

    That is: named ``*.ped``; or its first line (as the sheet reader takes it: ``##`` lines
    skipped, a leading ``#`` dropped) has 6+ fields and either none is a column name of the
    sheet (a PED data line) or it names ``phenotype`` but not ``affected`` (a PED header).
    """
    if path.suffix.lower() == ".ped":
        return True
    try:
        with path.open(encoding="utf-8") as handle:
            first = next((ln for ln in handle if ln.strip() and not ln.startswith("##")), "")
    except (OSError, UnicodeDecodeError):
        return False
    fields = [f.lower() for f in first.lstrip("#").split()]
    if len(fields) < 6:
        return False
    ped_header = "phenotype" in fields and "affected" not in fields
    return ped_header or not set(fields) & set(known)
