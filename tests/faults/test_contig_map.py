"""annotation.contig_map as documented (``{"21": "chr21"}``) annotates a chr21 run end to end.

The workflow passes the config's pairs to ``hurtig annotate --contig-map`` as ``21=chr21``; the
engine reads each pair as two names of one contig, so the documented config form (source name to
reference name) and the command-line form (``chr21=21``, input to source) both work.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pysam
import pytest

from builders import VcfBuilder


def _annotate(tmp_path: Path, pairs: list[str]) -> list[float | None]:
    calls = VcfBuilder(samples=["kid"], contigs={"chr21": 50_000})
    calls.add("chr21", 1_000, "C", "T")
    calls.add("chr21", 2_000, "G", "A")
    vcf = calls.to_path(tmp_path / "calls.vcf.gz")
    gnomad = VcfBuilder(contigs={"21": 50_000})
    gnomad.add("21", 1_000, "C", "T", info={"AF": 0.25})
    source = gnomad.to_path(tmp_path / "gnomad.vcf.gz")
    out = tmp_path / "out.vcf.gz"
    argv = [sys.executable, "-m", "hurtig", "annotate", "--vcf", str(vcf), "--out", str(out)]
    argv += ["--gnomad", str(source), "--contig-map", *pairs]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    with pysam.VariantFile(str(out)) as annotated:
        return [rec.info.get("GNOMAD_AF") for rec in annotated]


@pytest.mark.parametrize(
    "pairs",
    [["21=chr21"], ["chr21=21"]],
    ids=["config-form-source-to-reference", "cli-form-input-to-source"],
)
def test_contig_map_either_direction_annotates(tmp_path: Path, pairs: list[str]) -> None:
    assert _annotate(tmp_path, pairs) == [pytest.approx(0.25), None]
