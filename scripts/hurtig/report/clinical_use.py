"""The clinical-use verdict of a report, from its family's checks file (:mod:`hurtig.qc`).

Each sample check (sex, relatedness) is passed, failed or not assessable, and the headline says
exactly that (:attr:`ClinicalUse.headline`): "Sample identity: passed" only when every check
passed; NOT FOR CLINICAL USE when a check blocks the report (it failed, or it is not assessable
and the policy ``report.not_assessable_blocks`` is on) and is not overridden; otherwise, with a
check not assessable, "Sample identity NOT VERIFIED: ..." naming it, never "passed".
"""

from __future__ import annotations

from dataclasses import dataclass

from hurtig.qc.checks_file import FamilyChecks, Verdict

DISCLAIMER = "Research-grade pipeline output: findings must be confirmed before clinical use."
"""What every report says about clinical use, whatever its verdicts (HTML, PDF and XLSX)."""

PASSED = "passed"
FAILED = "failed"
NOT_VERIFIED = "not verified"


@dataclass(frozen=True)
class ClinicalUse:
    """The sample checks' verdict for one sample's report.

    Attributes:
        usable: False when a check blocks the report and the run configuration does not
            override it.
        failures: (check, reason) of the failed checks that are not overridden.
        overridden: (check, reason) of the blocking checks that are overridden.
        override_reason: the reason the run configuration gives for its overrides.
        inferred_sex: the sample's inferred sex ("not assessed" without a sex check).
        sex_reason: the sentence behind it.
        rows: (check, status, detail) of every sample, pair and trio, for the checks table.
        verdicts: (check, verdict, reason) of each check: passed, failed or not assessable.
        not_assessable: (check, reason) of the not-assessable checks.
        not_assessable_blocks: the policy: a not-assessable check blocks the report.
    """

    usable: bool
    failures: tuple[tuple[str, str], ...]
    overridden: tuple[tuple[str, str], ...]
    override_reason: str
    inferred_sex: str
    sex_reason: str
    rows: tuple[tuple[str, str, str], ...]
    verdicts: tuple[tuple[str, str, str], ...] = ()
    not_assessable: tuple[tuple[str, str], ...] = ()
    not_assessable_blocks: bool = False

    @property
    def identity(self) -> str:
        """``failed`` (not usable), ``not verified`` (a check not assessable) or ``passed``."""
        if not self.usable:
            return FAILED
        return NOT_VERIFIED if self.not_assessable else PASSED

    @property
    def blocked_by_not_assessable(self) -> bool:
        """True when a not-assessable check (not overridden) is what blocks the report."""
        overridden = {check for check, _ in self.overridden}
        return self.not_assessable_blocks and any(
            check not in overridden for check, _ in self.not_assessable
        )

    @property
    def not_verified(self) -> str:
        """The not-assessable checks as one phrase: "sex not assessable (why)"; ...."""
        return "; ".join(f"{check} not assessable ({why})" for check, why in self.not_assessable)

    @property
    def headline(self) -> str:
        """The sample checks' verdict in the words every format uses."""
        if not self.usable:
            return "NOT FOR CLINICAL USE"
        if self.not_assessable:
            return f"Sample identity NOT VERIFIED: {self.not_verified}"
        if self.overridden:
            return "Sample identity: failures overridden by the run configuration"
        return "Sample identity: passed"


PRELIMINARY_CHECKS = (
    "sample checks (sex, relatedness, identity)",
    "not done yet: they need the whole-genome alignment; the final report has them",
)


def preliminary_use() -> ClinicalUse:
    """The sample checks of a preliminary (fast path) report: not done yet, so not usable."""
    return ClinicalUse(
        usable=False,
        failures=(),
        overridden=(),
        override_reason="",
        inferred_sex="not assessed yet",
        sex_reason=PRELIMINARY_CHECKS[1],
        rows=(),
        verdicts=((PRELIMINARY_CHECKS[0], "not assessable", PRELIMINARY_CHECKS[1]),),
        not_assessable=(PRELIMINARY_CHECKS,),
    )


def clinical_use(checks: FamilyChecks | None, sample: str) -> ClinicalUse:
    """Summarise a family's checks for one sample's report.

    Any blocking check of the family (a wrong pedigree or a swapped sample anywhere in the
    family undermines the inheritance analysis) makes the report NOT FOR CLINICAL USE, unless the
    run configuration overrides that check. Without a checks file the report is not usable.
    """
    if checks is None:
        reason = ("checks", "sample checks (sex, relatedness) were not run")
        return ClinicalUse(False, (reason,), (), "", "not assessed", "not assessed", ())
    overridden = set(checks.overridden)
    failures = [(f.check, f.reason) for f in checks.failures]
    verdicts = checks.verdicts
    unassessed = [(v.check, v.reason) for v in verdicts if v.verdict == Verdict.NOT_ASSESSABLE]
    blocked = failures + (unassessed if checks.not_assessable_blocks else [])
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
        failures=tuple(f for f in failures if f[0] not in overridden),
        overridden=tuple(f for f in blocked if f[0] in overridden),
        override_reason=checks.override_reason,
        inferred_sex=inferred,
        sex_reason=sex_reason,
        rows=tuple(rows),
        verdicts=tuple((v.check, str(v.verdict), v.reason) for v in verdicts),
        not_assessable=tuple(unassessed),
        not_assessable_blocks=checks.not_assessable_blocks,
    )
