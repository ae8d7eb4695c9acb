"""Sample sheets (``samples.tsv``, the run's pedigree) and unit sheets (``units.tsv``) for tests.

Values are written as given, so a test can put a wrong value in a column on purpose::

    sheet = SampleSheet.trio(panels=("neuro_demo",))           # kid (affected), dad, mum in "fam"
    sheet.add("solo", "single", sex="female", affected="yes")   # "yes" is refused by the loader
    path = sheet.to_path(tmp_path / "samples.tsv")
    UnitSheet().add("kid", "L1", "kid_1.fq.gz", "kid_2.fq.gz").to_path(tmp_path / "units.tsv")
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

SAMPLE_COLUMNS = ("sample", "family", "father", "mother", "sex", "affected", "panels")
UNIT_COLUMNS = ("sample", "unit", "fq1", "fq2", "platform", "library")


def _tsv(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A header row and the rows, tab-separated, each line ending in a newline."""
    return "".join("\t".join(row) + "\n" for row in [columns, *rows])


class SampleSheet:
    """The rows of a ``samples.tsv``: one person each, with family, parents, sex and panels."""

    def __init__(self, extra_columns: Sequence[str] = ()) -> None:
        """Start an empty sheet.

        Args:
            extra_columns: columns after the standard ones (e.g. one the loader must refuse).
        """
        self.columns = (*SAMPLE_COLUMNS, *extra_columns)
        self.rows: list[tuple[str, ...]] = []

    def add(
        self,
        sample: str,
        family: str = "fam",
        *,
        father: str = "",
        mother: str = "",
        sex: str = "unknown",
        affected: bool | str = False,
        panels: Sequence[str] | str = (),
        extra: Sequence[str] = (),
    ) -> SampleSheet:
        """Add one person; returns the sheet, so calls chain.

        Args:
            sample: the sample id.
            family: the family id.
            father: the father's sample id ("" or "0" for none).
            mother: the mother's sample id ("" or "0" for none).
            sex: ``male``, ``female`` or ``unknown`` (any text is written as given).
            affected: True/False are written ``true``/``false``; text is written as given.
            panels: panel ids (``id`` or ``id@version``), joined with commas.
            extra: values of the extra columns, in order.

        Returns:
            This sheet.
        """
        status = affected if isinstance(affected, str) else str(affected).lower()
        panel_list = panels if isinstance(panels, str) else ",".join(panels)
        self.rows.append((sample, family, father, mother, sex, status, panel_list, *extra))
        return self

    @classmethod
    def trio(
        cls,
        child: str = "kid",
        father: str = "dad",
        mother: str = "mum",
        *,
        family: str = "fam",
        child_sex: str = "female",
        panels: Sequence[str] = ("p1",),
    ) -> SampleSheet:
        """An affected child with two unaffected parents; only the child requests panels."""
        sheet = cls()
        sheet.add(
            child, family, father=father, mother=mother, sex=child_sex, affected=True, panels=panels
        )
        sheet.add(father, family, sex="male")
        sheet.add(mother, family, sex="female")
        return sheet

    def samples(self) -> list[str]:
        """The sample ids, in sheet order."""
        return [row[0] for row in self.rows]

    def to_text(self) -> str:
        """The sheet as TSV text with its header row."""
        return _tsv(self.columns, self.rows)

    def to_path(self, path: Path) -> Path:
        """Write the sheet to ``path`` and return it."""
        path.write_text(self.to_text())
        return path


class UnitSheet:
    """The rows of a ``units.tsv``: one sequencing unit (a lane's read pair) each."""

    def __init__(self) -> None:
        """Start an empty sheet."""
        self.rows: list[tuple[str, ...]] = []

    def add(
        self,
        sample: str,
        unit: str,
        fq1: str,
        fq2: str,
        *,
        platform: str = "ILLUMINA",
        library: str = "lib",
    ) -> UnitSheet:
        """Add one unit (paths as written in the sheet); returns the sheet, so calls chain."""
        self.rows.append((sample, unit, fq1, fq2, platform, library))
        return self

    def to_text(self) -> str:
        """The sheet as TSV text with its header row."""
        return _tsv(UNIT_COLUMNS, self.rows)

    def to_path(self, path: Path) -> Path:
        """Write the sheet to ``path`` and return it."""
        path.write_text(self.to_text())
        return path
