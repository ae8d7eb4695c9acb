"""The clinical-use verdict of a report, from its family's checks file (:mod:`hurtig.qc`)."""

from __future__ import annotations

from dataclasses import dataclass

from hurtig.qc.checks_file import FamilyChecks

DISCLAIMER = "Research-grade pipeline output: findings must be confirmed before clinical use."
"""What every report says about clinical use, whatever its verdicts (HTML, PDF and XLSX)."""


@dataclass(frozen=True)
class ClinicalUse:
    """The sample checks' verdict for one sample's report.

    Attributes:
        usable: False when a check failed and the run configuration does not override it.
        failures: (check, reason) of the failed checks that are not overridden.
        overridden: (check, reason) of the failed checks that are overridden.
        override_reason: the reason the run configuration gives for its overrides.
        inferred_sex: the sample's inferred sex ("not assessed" without a sex check).
        sex_reason: the sentence behind it.
        rows: (check, status, detail) of every check, for the checks table.
    """

    usable: bool
    failures: tuple[tuple[str, str], ...]
    overridden: tuple[tuple[str, str], ...]
    override_reason: str
    inferred_sex: str
    sex_reason: str
    rows: tuple[tuple[str, str, str], ...]

    @property
    def headline(self) -> str:
        """The sample checks' verdict in the words every format uses."""
        if not self.usable:
            return "NOT FOR CLINICAL USE"
        if self.overridden:
            return "Sample checks: failures overridden by the run configuration"
        return "Sample checks: passed"


def clinical_use(checks: FamilyChecks | None, sample: str) -> ClinicalUse:
    """Summarise a family's checks for one sample's report.

    Any failing check of the family (a wrong pedigree or a swapped sample anywhere in the
    family undermines the inheritance analysis) makes the report NOT FOR CLINICAL USE, unless the
    run configuration overrides that check. Without a checks file the report is not usable.
    """
    if checks is None:
        reason = ("checks", "sample checks (sex, relatedness) were not run")
        return ClinicalUse(False, (reason,), (), "", "not assessed", "not assessed", ())
    overrides = set(checks.override_checks)
    failures = [(f.check, f.reason) for f in checks.failures]
    rows: list[tuple[str, str, str]] = []
    inferred, sex_reason = "not assessed", "not assessed"
    for entry in checks.sex.samples:
        rows.append(("Sex · " + entry.sample, str(entry.status), entry.reason))
        if entry.sample == sample:
            inferred, sex_reason = entry.inferred, entry.reason
    rows += [("Mendelian consistency", str(t.status), t.reason) for t in checks.relatedness.trios]
    rows += [("Kinship", str(p.status), p.reason) for p in checks.relatedness.pairs]
    return ClinicalUse(
        usable=checks.clinical_use,
        failures=tuple(f for f in failures if f[0] not in overrides),
        overridden=tuple(f for f in failures if f[0] in overrides),
        override_reason=checks.override_reason,
        inferred_sex=inferred,
        sex_reason=sex_reason,
        rows=tuple(rows),
    )
