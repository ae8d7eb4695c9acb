"""SV/CNV frequency: the default frequency filter and the frequency evidence of an event.

Read from the annotated family SV VCF (:mod:`hurtig.sv.annotate`): the in-house SV database's
``INHOUSE_SV_*`` keys (declared only when ``sv.inhouse`` is configured) and ``SV_POP_AF`` (only
when ``sv.population`` is). Thresholds and points are ranking weights (docs/RANKING.md):

- filter: population AF > ``sv_max_population_af`` (0.01) → not ranked; in-house AF >
  ``sv_max_inhouse_af`` (0.05) → not ranked, once the database holds at least
  ``sv_inhouse_min_families`` (10) other families (a small database only informs);
- points: no match in the population file ``sv_population_absent`` (1); in no other family of a
  non-empty in-house database ``sv_inhouse_absent`` (1).

The explanation never claims more than was looked at: without a database it says none was
configured, with an empty one that it holds no other family yet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pysam

from hurtig.prioritise.points import Evidence


@dataclass(frozen=True)
class SvFrequencyFacts:
    """What the annotation says about an event's frequency.

    Attributes:
        inhouse_used: the VCF was annotated with an in-house SV database.
        inhouse_af: in-house AF (``None``: no database or an empty one).
        inhouse_families: other families of the database carrying the event.
        inhouse_db_families: other families in the database.
        population: the population file's name (empty: none configured).
        population_af: highest AF of the matches (0: none; ``None``: contig not in the file).
    """

    inhouse_used: bool = False
    inhouse_af: float | None = None
    inhouse_families: int = 0
    inhouse_db_families: int = 0
    population: str = ""
    population_af: float | None = None


def population_name(header: pysam.VariantHeader) -> str:
    """The population file named by ``##hurtig_sv_population`` ("" when none was used)."""
    match = re.search(r'^##hurtig_sv_population=<File="([^"]*)"', str(header), re.MULTILINE)
    if match:
        return match[1] or "unnamed"
    return "unnamed" if "SV_POP_AF" in header.info else ""


def _number(value: object) -> float | None:
    if value is None or isinstance(value, tuple | str):
        return None
    return float(str(value))


def frequency_facts(rec: pysam.VariantRecord, population: str) -> SvFrequencyFacts:
    """The frequency facts of one record; ``population`` from :func:`population_name`."""
    used = "INHOUSE_SV_AC" in rec.header.info
    return SvFrequencyFacts(
        inhouse_used=used,
        inhouse_af=_number(rec.info.get("INHOUSE_SV_AF")) if used else None,
        inhouse_families=int(rec.info.get("INHOUSE_SV_FAMILIES", 0) or 0) if used else 0,
        inhouse_db_families=int(rec.info.get("INHOUSE_SV_DBFAM", 0) or 0) if used else 0,
        population=population,
        population_af=_number(rec.info.get("SV_POP_AF")) if population else None,
    )


def too_common(f: SvFrequencyFacts, w: Mapping[str, float]) -> str | None:
    """Why the default frequency filter drops the event (``None``: it is kept)."""
    if f.population_af is not None and f.population_af > w["sv_max_population_af"]:
        return f"SV population AF {f.population_af:.3g} > {w['sv_max_population_af']:g}"
    enough = f.inhouse_db_families >= w["sv_inhouse_min_families"]
    if enough and f.inhouse_af is not None and f.inhouse_af > w["sv_max_inhouse_af"]:
        return f"in-house SV AF {f.inhouse_af:.3g} > {w['sv_max_inhouse_af']:g}"
    return None


def _inhouse(f: SvFrequencyFacts, w: Mapping[str, float]) -> Evidence:
    if not f.inhouse_used:
        return Evidence("frequency", 0, "no in-house SV database configured")
    if f.inhouse_db_families == 0:
        return Evidence("frequency", 0, "the in-house SV database holds no other family yet")
    if f.inhouse_families == 0:
        others = f"{f.inhouse_db_families} other {_families(f.inhouse_db_families)}"
        return Evidence(
            "frequency", w["sv_inhouse_absent"], f"absent from the in-house SV database ({others})"
        )
    af = "" if f.inhouse_af is None else f", AF {f.inhouse_af:.3g}"
    text = (
        f"seen in {f.inhouse_families} other {_families(f.inhouse_families)} of the in-house SV"
        f" database ({f.inhouse_db_families} other families{af})"
    )
    return Evidence("frequency", 0, text)


def _families(n: int) -> str:
    return "family" if n == 1 else "families"


def _population(f: SvFrequencyFacts, w: Mapping[str, float]) -> Evidence:
    if not f.population:
        return Evidence("frequency", 0, "no SV population frequency configured")
    if f.population_af is None:
        text = f"contig not in the SV population file ({f.population}): no population frequency"
        return Evidence("frequency", 0, text)
    if f.population_af == 0:
        text = f"absent from the SV population file ({f.population})"
        return Evidence("frequency", w["sv_population_absent"], text)
    return Evidence("frequency", 0, f"SV population AF {f.population_af:.3g} ({f.population})")


def frequency_evidence(f: SvFrequencyFacts, w: Mapping[str, float]) -> list[Evidence]:
    """The in-house and population evidence items of an event."""
    return [_inhouse(f, w), _population(f, w)]
