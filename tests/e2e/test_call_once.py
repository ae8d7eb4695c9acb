"""Call once, filter many: a new panel, panel version or HPO terms reruns only the panel stages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from builders import dry_run, run_workflow

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"

# Jobs that may run when only the panels of a sample change (all cheap, per sample x panel; the
# family checks and the panel VCF read only the shards the family's panels overlap).
PANEL_RULES = {
    "resolve_panel",
    "gather_panel_calls",
    "check_family",
    "prioritise_variants",
    "score_phenotype",  # new or changed HPO terms of a sample
    "compute_panel_coverage",
    "write_read_views",
    "render_report",
    "write_report_xlsx",
    "print_report_pdf",
    "publish_panel_results",
    "write_ella_analysis",  # the hand-off folders follow the panels
    "publish_ella_analysis",
    "write_scout_case",
    "publish_scout_case",
    "write_provenance",
    "write_run_config",  # this test writes another config file, which provenance records
    "all",
}

pytestmark = pytest.mark.e2e


def demo_config(tmp_path: Path, panels: dict[str, str], hpo: dict[str, str] | None = None) -> Path:
    """The demo config with absolute paths and the given panels (and hpo) column per sample."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    base = REPO / "config"
    for key in ("fasta", "gff3"):
        config["reference"][key] = str((base / config["reference"][key]).resolve())
    for key in ("gnomad", "clinvar"):
        config["annotation"][key] = str((base / config["annotation"][key]).resolve())
    config["panels"] = str((base / config["panels"]).resolve())
    config["samples"] = str(tmp_path / "samples.tsv")
    config["units"] = str((base / "units.tsv").resolve())
    lines = (base / "samples.tsv").read_text().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        fields = line.split("\t")
        fields += [""] * (8 - len(fields))
        fields[6] = panels.get(fields[0], fields[6])
        fields[7] = (hpo or {}).get(fields[0], fields[7])
        out.append("\t".join(fields))
    (tmp_path / "samples.tsv").write_text("\n".join(out) + "\n")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_adding_a_panel_reruns_only_panel_jobs(demo_run: Path, tmp_path: Path) -> None:
    config = demo_config(tmp_path, {"father": "epilepsy_demo"})
    started = time.monotonic()
    # The log goes to tmp_path: demo_run/snakemake.out stays the demo run's own.
    result = run_workflow(demo_run, f"--configfile={config}", log=tmp_path / "snakemake.out")
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-4000:]
    ran = result.job_counts()
    assert set(ran) <= PANEL_RULES, ran
    assert ran.get("prioritise_variants") == 1  # father x epilepsy_demo only
    assert (demo_run / "results" / "report" / "father" / "epilepsy_demo.html").is_file()
    # Timed in the output, not asserted: speed is measured in perf/, not in tests.
    print(f"new panel for one sample: {elapsed:.1f} s, jobs {ran}")


def test_pinning_another_panel_version_reruns_only_panel_jobs(
    demo_run: Path, tmp_path: Path
) -> None:
    config = demo_config(tmp_path, {"proband": "neuro_demo@1.0,epilepsy_demo"})
    result = dry_run(demo_run, f"--configfile={config}")
    assert result.returncode == 0, result.stderr[-4000:]
    ran = result.job_counts()
    assert set(ran) <= PANEL_RULES, ran
    assert ran.get("resolve_panel") == 1 and ran.get("prioritise_variants") == 1


def test_changing_hpo_terms_reruns_only_panel_jobs(demo_run: Path, tmp_path: Path) -> None:
    """New HPO terms rescore the phenotype and rerank the panels; calling is not touched."""
    config = demo_config(tmp_path, {}, {"proband": "HP:0001336,HP:0001251,HP:0001250"})
    result = dry_run(demo_run, f"--configfile={config}")
    assert result.returncode == 0, result.stderr[-4000:]
    ran = result.job_counts()
    assert set(ran) <= PANEL_RULES, ran
    assert ran.get("score_phenotype") == 1  # the proband only
    assert ran.get("prioritise_variants") == 2  # the proband's two panels
