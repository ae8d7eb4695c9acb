"""A family checks file (:class:`hurtig.qc.checks_file.FamilyChecks`) with every verdict kind."""

from __future__ import annotations

from hurtig.qc.checks_file import (
    CheckStatus,
    Failure,
    FamilyChecks,
    PairCheck,
    RelatednessChecks,
    SexCheck,
    SexChecks,
    TrioCheck,
)


def example_checks() -> FamilyChecks:
    """Sex failed (overridden), relatedness informative only, a trio not assessable."""
    return FamilyChecks(
        family="F1",
        build="GRCh37",
        sex=SexChecks(
            CheckStatus.FAIL,
            (
                SexCheck("kid", "female", "female", CheckStatus.PASS, "ok", 1.0, 0.0, 0.5, 40),
                SexCheck("dad", "female", "male", CheckStatus.FAIL, "declared female", 0.5, 0.5),
                SexCheck("x", "unknown", "not assessable", CheckStatus.NOT_ASSESSABLE, "no X"),
            ),
        ),
        relatedness=RelatednessChecks(
            CheckStatus.INFO,
            300,
            (PairCheck("kid", "dad", 0.25, "first-degree", None, 3, None, CheckStatus.INFO, "r"),),
            (TrioCheck("kid", "dad", "mum", 0, 0, None, CheckStatus.NOT_ASSESSABLE, "few"),),
        ),
        failures=(Failure("sex", "declared female but inferred male"),),
        override_checks=("sex",),
        override_reason="confirmed by the clinic",
        overridden=("sex",),
        clinical_use=True,
    )
