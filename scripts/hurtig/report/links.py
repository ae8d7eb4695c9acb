"""Outgoing links of a reported variant and its gene, matched to the build and the data's release.

gnomAD opens the browser dataset of the release the annotation used (``r2.0`` → ``gnomad_r2_1``,
``r3`` → ``gnomad_r3``, ``r4`` → ``gnomad_r4``). The gnomAD browser shows r2 on GRCh37 only, so a
GRCh38 run annotated with r2 data links to the gene page of r2.1 (a GRCh38 variant id would find
another or no variant there); without a known release the build's default dataset is used.
Franklin and VarSome open the variant on the build; OMIM (the gene's entry when the panel gives
its MIM number, else a search), PanelApp and DECIPHER open the gene. All links are plain https
``<a>`` links: the report loads nothing from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from hurtig.report.variants import variant_links
from hurtig.run.genome_build import genome_build

GNOMAD_DATASETS: dict[str, tuple[str, str]] = {
    "2": ("gnomad_r2_1", "GRCh37"),
    "3": ("gnomad_r3", "GRCh38"),
    "4": ("gnomad_r4", "GRCh38"),
}
"""gnomAD major release → (browser dataset, the build its variant ids are on)."""


def gnomad_link(row: Mapping[str, str], build: str, release: str) -> tuple[str, str]:
    """(link text, URL) of the variant (or its gene) in the gnomAD release of the data."""
    major = release.removeprefix("r").split(".")[0]
    dataset = GNOMAD_DATASETS.get(major)
    if dataset is None:
        return "gnomAD", variant_links(dict(row), build).get("gnomAD", "")
    name, dataset_build = dataset
    label = f"gnomAD {release}" if release else "gnomAD"
    if dataset_build != genome_build(build).name:
        gene = quote(row.get("gene", ""), safe="")
        return f"{label} (gene)", f"https://gnomad.broadinstitute.org/gene/{gene}?dataset={name}"
    chrom = row["chrom"][3:] if row["chrom"].lower().startswith("chr") else row["chrom"]
    variant_id = quote(f"{chrom}-{row['pos']}-{row['ref']}-{row['alt']}", safe="-")
    return label, f"https://gnomad.broadinstitute.org/variant/{variant_id}?dataset={name}"


def all_links(
    row: Mapping[str, str], build: str, gnomad_release: str = "", omim: str = ""
) -> dict[str, str]:
    """Link text → URL: gnomAD, ClinVar, Franklin, VarSome, UCSC, OMIM, PanelApp, DECIPHER."""
    base = variant_links(dict(row), build)
    if "gnomAD" not in base:
        return base
    genome = genome_build(build)
    chrom = row["chrom"] if row["chrom"].lower().startswith("chr") else f"chr{row['chrom']}"
    spdi = quote(f"{chrom}-{row['pos']}-{row['ref']}-{row['alt']}", safe="-")
    gene = quote(row.get("gene", ""), safe="")
    name, url = gnomad_link(row, build, gnomad_release)
    franklin_build = "-hg38" if genome.name == "GRCh38" else ""
    links = {
        name: url,
        "ClinVar": base["ClinVar"],
        "Franklin": f"https://franklin.genoox.com/clinical-db/variant/snp/{spdi}{franklin_build}",
        "VarSome": f"https://varsome.com/variant/{genome.ucsc_db}/{spdi}",
        "UCSC": base["UCSC"],
    }
    if gene:
        links["OMIM"] = (
            f"https://www.omim.org/entry/{omim}"
            if omim.isdigit()
            else f"https://www.omim.org/search?search={gene}"
        )
        links["PanelApp"] = f"https://panelapp.genomicsengland.co.uk/panels/entities/{gene}"
        links["DECIPHER"] = f"https://www.deciphergenomics.org/gene/{gene}"
    return links
