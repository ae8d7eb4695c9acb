"""The family checks file ``results/qc/checks/{family}.json``: its records, reader and writer.

Written by ``hurtig check-family`` (:mod:`hurtig.qc.family_checks`), read by the report
(:mod:`hurtig.report.clinical_use`). The JSON (one-space indent, keys in this order)::

    {"family", "build",
     "checks": {"sex": {"status", "samples": [SexCheck, ...]},
                "relatedness": {"status", "sites", "pairs": [PairCheck, ...],
                                "trios": [TrioCheck, ...]}},
     "verdicts": [{"check", "verdict", "reason"}, ...],
     "failures": [{"check", "reason"}, ...],
     "not_assessable_blocks": true | false,
     "override_checks": [...], "override_reason", "overridden": [...],
     "clinical_use": true | false}

The status of each sample, pair or trio is three-valued plus information: ``pass``, ``fail``,
``not assessable``, ``info`` (shown, decides nothing). Each check (``sex``, ``relatedness``) has
exactly one verdict: ``passed``, ``failed`` or ``not assessable`` (:func:`check_verdicts`, written
as ``verdicts``). ``not_assessable_blocks`` is the run's policy (``report.not_assessable_blocks``):
when true, a not-assessable check makes the reports NOT FOR CLINICAL USE like a failure. Files
written before the verdicts and the policy existed are read with the verdicts derived from their
checks and the policy false (what those versions did).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic

CHECK_NAMES = ("sex", "relatedness")
"""The checks of a family, by the names ``report.override_checks`` uses."""


class CheckStatus(StrEnum):
    """Outcome of one sample, pair or trio (written as its value)."""

    PASS = "pass"
    FAIL = "fail"
    NOT_ASSESSABLE = "not assessable"
    INFO = "info"


class Verdict(StrEnum):
    """The verdict of one whole check: exactly one of three (written as its value)."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_ASSESSABLE = "not assessable"


@dataclass(frozen=True)
class CheckVerdict:
    """One check's verdict and the sentence behind it (names the samples where it matters)."""

    check: str
    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class SexCheck:
    """Outcome of the sex check for one sample (ratios are to the autosomal mean depth)."""

    sample: str
    declared: str
    inferred: str
    status: CheckStatus
    reason: str
    x_ratio: float | None = None
    y_ratio: float | None = None
    x_het_fraction: float | None = None
    x_het_sites: int = 0


@dataclass(frozen=True)
class PairCheck:
    """Observed against expected kinship for one pair of family members."""

    sample_a: str
    sample_b: str
    expected_kinship: float
    expected_relation: str
    kinship: float | None
    sites: int
    ibs0: float | None
    status: CheckStatus
    reason: str


@dataclass(frozen=True)
class TrioCheck:
    """Mendelian consistency of one child with both parents."""

    child: str
    father: str
    mother: str
    sites: int
    inconsistent: int
    rate: float | None
    status: CheckStatus
    reason: str


@dataclass(frozen=True)
class SexChecks:
    """The sex check of every family member, with the family's overall status."""

    status: CheckStatus
    samples: tuple[SexCheck, ...]


@dataclass(frozen=True)
class RelatednessChecks:
    """Kinship of every pair and Mendelian consistency of every trio, with the overall status.

    Attributes:
        sites: autosomal SNV sites read from the family VCF.
    """

    status: CheckStatus
    sites: int
    pairs: tuple[PairCheck, ...]
    trios: tuple[TrioCheck, ...]


@dataclass(frozen=True)
class Failure:
    """One failed check: which check, and why (a sentence naming the samples)."""

    check: str
    reason: str


@dataclass(frozen=True)
class FamilyChecks:
    """The content of one checks file.

    Attributes:
        family: family id.
        build: genome build the checks used (pseudo-autosomal regions).
        sex: the sex checks.
        relatedness: the relatedness checks.
        failures: every failed check, overridden or not.
        override_checks: check names the run configuration overrides.
        override_reason: why (empty without overrides).
        overridden: the blocking checks (failed, or not assessable under the policy) that are
            overridden (sorted names).
        clinical_use: False when a check blocks the report and is not overridden.
        not_assessable_blocks: the policy: a not-assessable check blocks the report.
    """

    family: str
    build: str
    sex: SexChecks
    relatedness: RelatednessChecks
    failures: tuple[Failure, ...]
    override_checks: tuple[str, ...]
    override_reason: str
    overridden: tuple[str, ...]
    clinical_use: bool
    not_assessable_blocks: bool = False

    @property
    def verdicts(self) -> tuple[CheckVerdict, ...]:
        """The verdict of each check, in :data:`CHECK_NAMES` order."""
        return check_verdicts(self.sex, self.relatedness)

    def to_json(self) -> dict[str, Any]:
        """The JSON object, keys in the file's order."""
        return {
            "family": self.family,
            "build": self.build,
            "checks": {
                "sex": {
                    "status": self.sex.status,
                    "samples": [asdict(s) for s in self.sex.samples],
                },
                "relatedness": {
                    "status": self.relatedness.status,
                    "sites": self.relatedness.sites,
                    "pairs": [asdict(p) for p in self.relatedness.pairs],
                    "trios": [asdict(t) for t in self.relatedness.trios],
                },
            },
            "verdicts": [asdict(v) for v in self.verdicts],
            "failures": [asdict(f) for f in self.failures],
            "not_assessable_blocks": self.not_assessable_blocks,
            "override_checks": list(self.override_checks),
            "override_reason": self.override_reason,
            "overridden": list(self.overridden),
            "clinical_use": self.clinical_use,
        }


_R = TypeVar("_R", SexCheck, PairCheck, TrioCheck)


def checks_from_json(data: Any) -> FamilyChecks:
    """Rebuild :class:`FamilyChecks` from its JSON object.

    Raises:
        KeyError, TypeError, ValueError: a field is missing or has the wrong type
            (:func:`read_checks` turns them into an input error naming the file).
    """
    sex, relatedness = data["checks"]["sex"], data["checks"]["relatedness"]
    return FamilyChecks(
        family=str(data["family"]),
        build=str(data["build"]),
        sex=SexChecks(
            status=CheckStatus(sex["status"]),
            samples=tuple(_record(SexCheck, s) for s in sex["samples"]),
        ),
        relatedness=RelatednessChecks(
            status=CheckStatus(relatedness["status"]),
            sites=int(relatedness["sites"]),
            pairs=tuple(_record(PairCheck, p) for p in relatedness["pairs"]),
            trios=tuple(_record(TrioCheck, t) for t in relatedness["trios"]),
        ),
        failures=tuple(Failure(str(f["check"]), str(f["reason"])) for f in data["failures"]),
        override_checks=tuple(str(name) for name in data["override_checks"]),
        override_reason=str(data["override_reason"]),
        overridden=tuple(str(name) for name in data["overridden"]),
        clinical_use=_boolean(data["clinical_use"], "clinical_use"),
        not_assessable_blocks=_boolean(
            data.get("not_assessable_blocks", False), "not_assessable_blocks"
        ),
    )


def _record(kind: type[_R], entry: Any) -> _R:
    if not isinstance(entry, dict):
        raise TypeError(f"{kind.__name__} entry is not an object")
    return kind(**{**entry, "status": CheckStatus(entry["status"])})


def _boolean(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{key} must be true or false")
    return value


def _why_not_assessable(check: SexCheck) -> str:
    """Why one sample's sex does not verify its identity, without the sample's name."""
    if check.status == CheckStatus.INFO:
        return f"declared sex {check.declared}"
    reason = check.reason
    if reason.startswith("not assessable (") and reason.endswith(")"):
        return reason[len("not assessable (") : -1]
    return reason


def _sex_verdict(sex: SexChecks) -> CheckVerdict:
    """Failed if any sample failed; not assessable if any sample's sex cannot be compared."""
    failed = [s for s in sex.samples if s.status == CheckStatus.FAIL]
    if failed:
        return CheckVerdict(
            "sex", Verdict.FAILED, "; ".join(f"{s.sample}: {s.reason}" for s in failed)
        )
    if not sex.samples:
        return CheckVerdict("sex", Verdict.NOT_ASSESSABLE, "no samples checked")
    groups: dict[str, list[str]] = {}
    for entry in sex.samples:
        if entry.status != CheckStatus.PASS:
            groups.setdefault(_why_not_assessable(entry), []).append(entry.sample)
    if not groups:
        names = ", ".join(s.sample for s in sex.samples)
        return CheckVerdict("sex", Verdict.PASSED, f"declared sex confirmed for {names}")
    if len(groups) == 1 and sum(map(len, groups.values())) == len(sex.samples):
        return CheckVerdict("sex", Verdict.NOT_ASSESSABLE, next(iter(groups)))
    reason = "; ".join(f"{', '.join(names)}: {why}" for why, names in groups.items())
    return CheckVerdict("sex", Verdict.NOT_ASSESSABLE, reason)


def _relatedness_verdict(relatedness: RelatednessChecks) -> CheckVerdict:
    """Over the trios and the pairs they do not decide (``info`` pairs are shown only)."""
    deciding: list[tuple[CheckStatus, str]] = [
        (p.status, p.reason) for p in relatedness.pairs if p.status != CheckStatus.INFO
    ]
    deciding += [(t.status, t.reason) for t in relatedness.trios]
    for status, verdict in (
        (CheckStatus.FAIL, Verdict.FAILED),
        (CheckStatus.NOT_ASSESSABLE, Verdict.NOT_ASSESSABLE),
    ):
        reasons = [reason for s, reason in deciding if s == status]
        if reasons:
            return CheckVerdict("relatedness", verdict, "; ".join(reasons))
    if not deciding:
        return CheckVerdict(
            "relatedness", Verdict.NOT_ASSESSABLE, "no relatives sequenced to compare with"
        )
    return CheckVerdict("relatedness", Verdict.PASSED, "; ".join(reason for _, reason in deciding))


def check_verdicts(sex: SexChecks, relatedness: RelatednessChecks) -> tuple[CheckVerdict, ...]:
    """The verdict of each check: passed, failed or not assessable, never blurred.

    A check passes only when every sample, pair or trio that decides it passed: one that is not
    assessable (or a sample whose declared sex is unknown) leaves the check not assessable,
    whatever the others say.
    """
    return _sex_verdict(sex), _relatedness_verdict(relatedness)


def read_checks(path: Path) -> FamilyChecks:
    """Read a checks file (plain or gzipped JSON).

    Raises:
        InputError: the file is missing, not JSON, or not a hurtig checks file.
    """
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(data, dict) or not {"checks", "failures", "clinical_use"} <= set(data):
        raise InputError(f"{path}: not a hurtig checks file (needs checks, failures, clinical_use)")
    try:
        return checks_from_json(data)
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"{path}: not a hurtig checks file (missing or bad {err})") from err


def write_checks(checks: FamilyChecks, path: Path) -> None:
    """Write a checks file atomically (one-space indented JSON and a final newline)."""
    write_text_atomic(path, json.dumps(checks.to_json(), indent=1) + "\n")
