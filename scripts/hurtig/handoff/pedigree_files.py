"""PED files of a family: the six PLINK columns (Scout) and ELLA's seventh, ``proband``.

Sex ``1`` male, ``2`` female, ``0`` unknown; phenotype ``2`` affected, ``1`` unaffected; a
missing parent is ``0``. Rows are tab-separated, in sample-sheet order.
"""

from __future__ import annotations

from collections.abc import Sequence

from hurtig.run.pedigree import Person, Sex

PED_HEADER = "#Family ID\tIndividual ID\tPaternal ID\tMaternal ID\tSex\tPhenotype"
"""The comment line Scout's demo PED starts with (readers skip ``#`` lines)."""

_SEX = {Sex.MALE: "1", Sex.FEMALE: "2", Sex.UNKNOWN: "0"}


def ped_row(person: Person) -> list[str]:
    """The six PLINK columns of one person."""
    return [
        person.family,
        person.sample,
        person.father or "0",
        person.mother or "0",
        _SEX[person.sex],
        "2" if person.affected else "1",
    ]


def scout_ped(people: Sequence[Person]) -> str:
    """A standard PED file (header comment, six columns)."""
    lines = [PED_HEADER, *("\t".join(ped_row(p)) for p in people)]
    return "\n".join(lines) + "\n"


def ella_ped(people: Sequence[Person], proband: str) -> str:
    """ELLA's PED: six columns and ``proband`` (``1`` for the analysis' sample, else ``0``).

    ELLA splits each line on tabs into exactly seven fields, so there is no header line.
    """
    rows = ("\t".join([*ped_row(p), "1" if p.sample == proband else "0"]) for p in people)
    return "\n".join(rows) + "\n"
