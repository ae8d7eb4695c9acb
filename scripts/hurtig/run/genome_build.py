"""Facts of the supported genome builds, in one place: PARs, contig names, ploidy, link names.

Every stage that needs to know the build (calling ploidy, sex checks, X-linked inheritance, the
report's outgoing links) asks here, so GRCh37 runs use GRCh37 coordinates everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from hurtig.errors import InputError


@dataclass(frozen=True)
class GenomeBuild:
    """One reference genome build.

    Attributes:
        name: the name used in config (``reference.build``) and by ``bcftools call --ploidy``.
        par_x: chrX pseudo-autosomal regions (1-based, inclusive): diploid in males.
        ucsc_db: the UCSC Genome Browser database of the build.
        gnomad_dataset: the gnomAD browser dataset linked from the report.
        clinvar_position_key: ClinVar's search field for a position on this build.
    """

    name: str
    par_x: tuple[tuple[int, int], ...]
    ucsc_db: str
    gnomad_dataset: str
    clinvar_position_key: str

    def in_par_x(self, pos: int) -> bool:
        """True when a chrX position lies in a pseudo-autosomal region."""
        return any(start <= pos <= end for start, end in self.par_x)

    def is_x_nonpar(self, chrom: str, pos: int) -> bool:
        """True on chrX (``X``/``chrX``) outside the pseudo-autosomal regions."""
        return is_x(chrom) and not self.in_par_x(pos)


BUILDS: dict[str, GenomeBuild] = {
    "GRCh38": GenomeBuild(
        name="GRCh38",
        par_x=((10_001, 2_781_479), (155_701_383, 156_030_895)),
        ucsc_db="hg38",
        gnomad_dataset="gnomad_r4",
        clinvar_position_key="chrpos38",
    ),
    "GRCh37": GenomeBuild(
        name="GRCh37",
        par_x=((60_001, 2_699_520), (154_931_044, 155_260_560)),
        ucsc_db="hg19",
        gnomad_dataset="gnomad_r2_1",
        clinvar_position_key="chrpos37",
    ),
}
"""The supported builds by name (the values ``reference.build`` accepts)."""

DEFAULT_BUILD = "GRCh38"


def genome_build(name: str | None) -> GenomeBuild:
    """The build of a name (``None`` means GRCh38); an unknown name is an input error."""
    key = name or DEFAULT_BUILD
    if key not in BUILDS:
        raise InputError(f"unknown genome build '{key}' (supported: {', '.join(sorted(BUILDS))})")
    return BUILDS[key]


def is_x(chrom: str) -> bool:
    """True for chromosome X in either naming style (``X`` or ``chrX``)."""
    return chrom in ("X", "chrX")


def is_y(chrom: str) -> bool:
    """True for chromosome Y in either naming style (``Y`` or ``chrY``)."""
    return chrom in ("Y", "chrY")
