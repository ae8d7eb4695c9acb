"""The recipe "add an annotation source" (hurtig.annotation docstring), done once in a test.

A made-up source kind is defined here (a TSV of conservation scores), registered with
:func:`hurtig.annotation.registry.register_source_kind`, and a tiny VCF is annotated with it
through the engine, read from the file and from a prepared cache.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pysam
import pytest

from hurtig.annotation.engine import annotate
from hurtig.annotation.prepared_cache import prepare
from hurtig.annotation.registry import SOURCE_KINDS, register_source_kind
from hurtig.annotation.source import Source, SourceRecord, SourceSpec


class ConservationSource(Source):
    """A made-up TSV (``chrom pos ref alt phylop``, bgzip + tabix) → ``CONS_PHYLOP``."""

    file_format = "tsv"
    columns = (1, 2, 3)  # POS, REF, ALT

    def record(self, line: str) -> SourceRecord:
        """One TSV row: the score is the rest of the record."""
        _, pos, ref, alt, phylop = line.split("\t")[:5]
        return SourceRecord(int(pos), ".", ref.upper(), alt.upper().split(","), phylop)

    def info_lines(self) -> tuple[dict[str, str], ...]:
        """The one INFO key this source writes."""
        return (
            {"ID": "CONS_PHYLOP", "Number": "1", "Type": "Float", "Description": "phyloP score"},
        )

    def values(self, rec: SourceRecord, idx: int) -> list[str]:
        """The score of a matched row ('.' is no score)."""
        return [] if rec.rest in ("", ".") else [f"CONS_PHYLOP={rec.rest}"]


@pytest.fixture
def conservation_kind() -> Iterator[str]:
    register_source_kind("conservation", ConservationSource)
    yield "conservation"
    del SOURCE_KINDS["conservation"]


def indexed(path: Path, text: str, **tabix: Any) -> Path:
    path.write_text(text)
    return Path(pysam.tabix_index(str(path), force=True, **tabix))


def calls(tmp_path: Path) -> Path:
    head = "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=10000>\n"
    head += "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    rows = [
        "chr1\t100\t.\tA\tG\t.\tPASS\tDP=5",  # SNV in the source
        "chr1\t200\t.\tCAAG\tCA\t.\tPASS\t.",  # deletion; the source has it trimmed (201 AAG>A)
        "chr1\t300\t.\tT\tC\t.\tPASS\t.",  # the source row has no score
        "chr1\t400\t.\tG\tA\t.\tPASS\t.",  # not in the source
    ]
    return indexed(tmp_path / "calls.vcf", head + "\n".join(rows) + "\n", preset="vcf")


def conservation_file(tmp_path: Path) -> Path:
    rows = [
        "##version=phylop-demo-1",
        "#chrom\tpos\tref\talt\tphylop",
        "chr1\t100\tA\tG\t4.25",
        "chr1\t100\tA\tT\t-1.5",
        "chr1\t201\tAAG\tA\t2.0",
        "chr1\t300\tT\tC\t.",
    ]
    return indexed(
        tmp_path / "phylop.tsv",
        "\n".join(rows) + "\n",
        seq_col=0,
        start_col=1,
        end_col=1,
        meta_char="#",
    )


def read_vcf(path: Path) -> tuple[list[str], dict[int, str]]:
    with gzip.open(path, "rt") as handle:
        lines = handle.read().splitlines()
    header = [line for line in lines if line.startswith("#")]
    body = [line.split("\t") for line in lines if not line.startswith("#")]
    return header, {int(f[1]): f[7] for f in body}


def test_a_new_source_kind_annotates_through_the_engine(
    tmp_path: Path, conservation_kind: str
) -> None:
    spec = SourceSpec(conservation_kind, str(conservation_file(tmp_path)))
    out = tmp_path / "out.vcf.gz"
    counts = annotate(calls(tmp_path), out, extra=[spec])
    assert counts == {"records": 4, "conservation_hits": 2}
    header, info = read_vcf(out)
    assert info == {100: "DP=5;CONS_PHYLOP=4.25", 200: "CONS_PHYLOP=2.0", 300: ".", 400: "."}
    assert '##INFO=<ID=CONS_PHYLOP,Number=1,Type=Float,Description="phyloP score">' in header
    provenance = [line for line in header if line.startswith("##hurtig_source=<ID=conservation,")]
    assert len(provenance) == 1
    assert 'File="phylop.tsv.gz",Version="phylop-demo-1"' in provenance[0]
    assert 'Keys="CONS_PHYLOP"' in provenance[0]

    # The new kind is cacheable like the built-in static sources: same output from its cache.
    prepare(spec, tmp_path / "cache" / conservation_kind)
    cached = tmp_path / "cached.vcf.gz"
    annotate(calls(tmp_path), cached, extra=[spec], cache_dir=tmp_path / "cache")
    assert read_vcf(cached) == read_vcf(out)


def test_register_refuses_a_taken_kind_and_a_non_source(
    tmp_path: Path, conservation_kind: str
) -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_source_kind("gnomad", ConservationSource)
    with pytest.raises(ValueError, match="not a Source"):
        register_source_kind("other", cast("type[Source]", dict))
    register_source_kind(conservation_kind, ConservationSource)  # the same class again: fine
    with pytest.raises(ValueError, match="unknown source kind 'nosuch'"):
        annotate(calls(tmp_path), tmp_path / "o.vcf.gz", extra=[SourceSpec("nosuch", "z")])
