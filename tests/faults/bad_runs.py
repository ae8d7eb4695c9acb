"""A bad run made cheaply: the demo config with absolute paths, a trio's sheets, tiny FASTQs.

The fixtures ``fault_run`` and ``shared_fault_run`` (tests/faults/conftest.py) give a good run.

Each fault test changes one thing in a :class:`FaultRun` (a sheet cell, a config key, a file)
and asserts the single ``hurtig error:`` line of a dry run (``snakemake -n``) and of
``hurtig check``; both go through :func:`hurtig.run.model.load_run`::

    def test_x(fault_run: FaultRun) -> None:
        fault_run.units[0]["fq2"] = fault_run.units[0]["fq1"]
        assert fault_run.errors() == [f"{fault_run.units_file}: row 2: ..."]
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from builders import SampleSheet, WorkflowRun, dry_run

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
FASTQ_GZ = gzip.compress(b"@r1\nACGT\n+\nIIII\n")
"""A small, valid gzipped FASTQ (the run is only planned, never executed)."""
ERROR = re.compile(r"^hurtig error: (.*)$", re.M)
UNIT_COLUMNS = ("sample", "unit", "fq1", "fq2", "bam", "platform", "library")


class FaultRun:
    """A trio run in a folder: ``config`` (dict), ``samples`` (sheet), ``units`` (row dicts).

    Change any of them, then call :meth:`errors` (writes the files, plans the run) or
    :meth:`check_errors`.
    """

    def __init__(self, root: Path) -> None:
        """Start from the demo config (absolute paths) and a trio with one lane each."""
        self.root = root
        config: dict[str, Any] = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
        config["samples"], config["units"] = "samples.tsv", "units.tsv"
        config["reference"]["fasta"] = str(DEMO / "reference" / "chr21.fa.gz")
        config["reference"]["gff3"] = str(DEMO / "annotation" / "genes.gff3.gz")
        config["annotation"]["gnomad"] = str(DEMO / "annotation" / "gnomad.vcf.gz")
        config["annotation"]["clinvar"] = str(DEMO / "annotation" / "clinvar.vcf.gz")
        config["panels"] = str(DEMO / "panels")
        config["calling"]["shards"] = 2
        self.config = config
        self.samples = SampleSheet.trio(panels=("neuro_demo",))
        self.units: list[dict[str, str]] = []
        for name in self.samples.samples():
            self.units.append(
                {
                    "sample": name,
                    "unit": "L1",
                    "fq1": self.fastq(f"{name}_1.fq.gz").name,
                    "fq2": self.fastq(f"{name}_2.fq.gz").name,
                    "platform": "ILLUMINA",
                    "library": f"{name}-lib",
                }
            )

    @property
    def config_file(self) -> Path:
        """The run's config.yaml."""
        return self.root / "config.yaml"

    @property
    def samples_file(self) -> Path:
        """The run's samples.tsv."""
        return self.root / "samples.tsv"

    @property
    def units_file(self) -> Path:
        """The run's units.tsv."""
        return self.root / "units.tsv"

    def fastq(self, name: str, data: bytes = FASTQ_GZ) -> Path:
        """Write a read file in the run folder; returns its path."""
        path = self.root / name
        path.write_bytes(data)
        return path

    def write(self) -> Path:
        """Write config.yaml, samples.tsv and units.tsv (columns as used); the config file."""
        self.config_file.write_text(yaml.safe_dump(self.config, allow_unicode=True))
        self.samples.to_path(self.samples_file)
        columns = [c for c in UNIT_COLUMNS if any(c in row for row in self.units)]
        lines = ["\t".join(columns)]
        lines += ["\t".join(row.get(c, "") for c in columns) for row in self.units]
        self.units_file.write_text("\n".join(lines) + "\n")
        return self.config_file

    def plan(self) -> WorkflowRun:
        """Dry-run the workflow on this run (``snakemake -n``)."""
        return dry_run(self.root, "--configfile", str(self.write()))

    def errors(self) -> list[str]:
        """The ``hurtig error:`` lines of a failing dry run (asserts it failed, no traceback)."""
        result = self.plan()
        assert result.returncode == 1, result.output[-3000:]
        assert "Traceback" not in result.output, result.output[-3000:]
        assert not (self.root / "results").exists()
        return ERROR.findall(result.stderr)

    def check_errors(self, *, user: int | None = None) -> list[str]:
        """The ``hurtig error:`` lines of ``hurtig check`` (asserts exit code 2).

        Args:
            user: run as this uid/gid (root only; e.g. 65534 to test permissions as root).
        """
        argv = [sys.executable, "-m", "hurtig", "check", str(self.write())]
        if user is not None:
            argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        return ERROR.findall(result.stderr)
