"""The releases of the annotation sources and the gene model behind a family VCF.

The annotation writes one ``##hurtig_source=<ID=..,File=..,Version="..",..>`` header line per
source (the version as the source's own header states it) and bcftools csq records its gene model
(``-g FILE``) in ``##bcftools/csqCommand``. :func:`source_releases` reads them back and names each
release the way the report shows it and links to it: gnomAD ``r2.0``, ClinVar ``2017-04`` (the
file date), the gene model's Ensembl release when its file name carries one
(``Homo_sapiens.GRCh38.112.gff3.gz``). The prioritised JSON records them (``sources``).
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cyvcf2 import VCF

from hurtig.errors import InputError

_SOURCE = re.compile(r'^##hurtig_source=<ID=([^,>]+),File="([^"]*)",Version="([^"]*)"')
_GNOMAD = re.compile(r"(?:gnomAD[^,;)]*?\b|^)(?:r|v)(\d+(?:\.\d+)*)", re.IGNORECASE)
_GNOMAD_FILE = re.compile(r"(?:^|[._-])[rv](\d+(?:\.\d+)*)(?=[._-])", re.IGNORECASE)
_CLINVAR_MONTH = re.compile(r"source_ClinVar=(\d{4})(\d{2})\b")
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_ENSEMBL = re.compile(r"\.(\d{2,3})(?:\.chr)?\.gff3(?:\.gz)?$")


@dataclass(frozen=True)
class SourceRelease:
    """One annotation source (or the gene model) and its release.

    Attributes:
        id: ``gnomad``, ``clinvar``, a score source's name, or ``gene_model``.
        file: the file name.
        version: the version text the file states (empty when none).
        release: the release as shown (``r2.0``, ``2017-04``, ``Ensembl 112``); empty when the
            file does not declare one.
    """

    id: str
    file: str
    version: str
    release: str

    def to_json(self) -> dict[str, str]:
        """The JSON object."""
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> SourceRelease:
        """Rebuild from :meth:`to_json` output."""
        return cls(str(doc["id"]), str(doc["file"]), str(doc["version"]), str(doc["release"]))


def gnomad_release(version: str, file: str = "") -> str:
    """``r2.0``, ``r4.1`` ... from a gnomAD version text, else its file name; else empty."""
    match = _GNOMAD.search(version) or _GNOMAD_FILE.search(file)
    return f"r{match.group(1)}" if match else ""


def clinvar_release(version: str) -> str:
    """``YYYY-MM-DD`` (a ``fileDate``) or ``YYYY-MM`` (``source_ClinVar=YYYYMM``); else empty."""
    date = _DATE.match(version.strip())
    if date:
        return "-".join(date.groups())
    month = _CLINVAR_MONTH.search(version)
    return f"{month.group(1)}-{month.group(2)}" if month else ""


def gene_model_release(name: str) -> str:
    """``Ensembl N`` when an Ensembl-style file name carries the release; else empty."""
    match = _ENSEMBL.search(name)
    return f"Ensembl {match.group(1)}" if match else ""


def _gene_model(line: str) -> str:
    """The ``-g`` file of a bcftools csq command line (its base name), else empty."""
    try:
        words = shlex.split(line.split("=", 1)[1].split("; Date=")[0])
    except ValueError:
        return ""
    for flag, value in itertools.pairwise(words):
        if flag in ("-g", "--gff-annot"):
            return value.rsplit("/", 1)[-1]
    return ""


def source_releases(header_lines: Iterable[str]) -> tuple[SourceRelease, ...]:
    """The annotation sources and the gene model named in a VCF header, with their releases."""
    found: list[SourceRelease] = []
    gene_model = ""
    for line in header_lines:
        source = _SOURCE.match(line)
        if source:
            name, file, version = source.groups()
            release = (
                gnomad_release(version, file)
                if name == "gnomad"
                else clinvar_release(version)
                if name == "clinvar"
                else ""
            )
            found.append(SourceRelease(name, file, version, release))
        elif line.startswith("##bcftools/csqCommand=") and not gene_model:
            gene_model = _gene_model(line)
    if gene_model:
        found.append(SourceRelease("gene_model", gene_model, "", gene_model_release(gene_model)))
    return tuple(found)


def vcf_source_releases(path: Path) -> tuple[SourceRelease, ...]:
    """:func:`source_releases` of a VCF file's header.

    Raises:
        InputError: the VCF cannot be opened.
    """
    try:
        vcf = VCF(str(path), lazy=True)
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot open VCF ({err})") from err
    try:
        return source_releases(vcf.raw_header.splitlines())
    finally:
        vcf.close()
