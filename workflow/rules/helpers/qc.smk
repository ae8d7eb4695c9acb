"""Helpers of the qc rules (qc.smk): input functions, parameters, settings."""


def override_args():
    """hurtig check-family options for the checks the config overrides (report.override_checks)."""
    settings = config.get("report", {})
    names = settings.get("override_checks") or []
    if not names:
        return ""
    reason = settings.get("override_reason", "")
    return f"--override {' '.join(names)} --override-reason {shlex.quote(reason)}"
