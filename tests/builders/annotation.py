"""A synthetic annotation benchmark in miniature: genome, gene model, calls and sources.

Made by ``perf/annotation/synth.py`` (the G1 benchmark's generator, issue 17) from the demo's
real chr21 window and its Ensembl gene model, tiled into ``contigs`` contigs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def synthetic_annotation_set(out: Path, records: int, contigs: int) -> Path:
    """Write ``genome.fa``, ``genes.gff3.gz``, ``calls.vcf.gz`` and the sources into ``out``."""
    subprocess.run(
        [sys.executable, str(REPO / "perf/annotation/synth.py"), "--records", str(records),
         "--contigs", str(contigs), "--out", str(out),
         "--window-fasta", str(REPO / "resources/demo/reference/chr21.fa.gz"),
         "--window-gff3", str(REPO / "resources/demo/annotation/genes.gff3.gz")],
        check=True, capture_output=True,
    )  # fmt: skip
    return out
