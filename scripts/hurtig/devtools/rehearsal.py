r"""``hurtig make-rehearsal-genome``: a GRCh38-shaped synthetic genome and a run on it.

Writes, into ``--outdir``, everything a genome-scale rehearsal of the pipeline needs at a chosen
fraction of GRCh38 (``--scale 0.01`` ≈ 31 Mbp):

* ``reference/genome.fa.gz`` (BGZF, ``.fai``, ``.gzi``): GRCh38 contig names and relative sizes,
  real chr21 sequence tiled and mutated (:mod:`hurtig.devtools.rehearsal_genome`);
* ``annotation/genes.gff3.gz``: the demo's Ensembl genes copied onto the tiles;
  ``annotation/gnomad.vcf.gz``, ``annotation/clinvar.vcf.gz`` (+ ``.tbi``): sources at the same
  scale (:mod:`hurtig.devtools.rehearsal_truth`);
* ``panels/rehearsal/1.0/rehearsal.tsv``: a panel of protein-coding genes on many chromosomes;
* ``truth/trio_truth.vcf.gz``: the trio's phased truth (proband female, father male);
* ``reads/<sample>_R{1,2}.fastq.gz`` (with ``--depth`` > 0): ``wgsim`` reads of each haplotype
  with the demo simulator's settings (:func:`hurtig.devtools.simulate_reads.wgsim_options`);
* ``config.yaml``, ``samples.tsv``, ``units.tsv`` (``--samples proband`` or ``trio``) and
  ``summary.json``.

CLI::

    hurtig make-rehearsal-genome --demo-dir resources/demo --outdir DIR --scale 0.01 \
        [--depth 30] [--samples proband|trio] [--shards 200] [--seed 20261201] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from hurtig.devtools import rehearsal_genome as rg
from hurtig.devtools import rehearsal_truth as rt
from hurtig.devtools.simulate_reads import pairs_for_depth, wgsim_options
from hurtig.devtools.trio_truth import SAMPLES, TrioSite, apply_variants, truth_vcf_lines
from hurtig.errors import InputError

PANEL = "rehearsal"
PANEL_GENES = 12
READ_LENGTH = 150


def _run(cmd: Sequence[str]) -> None:
    try:
        subprocess.run(cmd, check=True, capture_output=True)
    except FileNotFoundError as err:
        raise InputError(f"{cmd[0]}: not installed") from err
    except subprocess.CalledProcessError as err:
        tail = err.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise InputError(f"{cmd[0]} failed: {tail}") from err


def _bgzip_index(path: Path, preset: str | None) -> Path:
    _run(["bgzip", "-f", str(path)])
    out = Path(f"{path}.gz")
    if preset:
        _run(["tabix", "-f", "-p", preset, str(out)])
    return out


def write_reference(outdir: Path, demo_dir: Path, args: argparse.Namespace) -> dict:
    """Genome FASTA and gene model; returns sequences, contigs, tiles and the GFF rows."""
    ring = rg.load_ring(demo_dir / "reference" / "chr21.fa.gz")
    contigs = rg.scaled_contigs(args.scale, unplaced=not args.no_unplaced)
    tiles = rg.plan_tiles(contigs, len(ring), args.scale)
    (outdir / "reference").mkdir(parents=True, exist_ok=True)
    fasta = outdir / "reference" / "genome.fa"
    seqs = rg.write_fasta(fasta, rg.contig_sequences(ring, contigs, tiles, args.seed))
    _run(["bgzip", "-f", "-@", str(args.threads), str(fasta)])
    _run(["samtools", "faidx", f"{fasta}.gz"])
    genes = rg.load_source_genes(demo_dir / "annotation" / "genes.gff3.gz")
    rows = rg.gene_model(genes, tiles)
    (outdir / "annotation").mkdir(exist_ok=True)
    gff = outdir / "annotation" / "genes.gff3"
    rg.write_gene_model(gff, rows, contigs)
    _bgzip_index(gff, None)
    return {"seqs": seqs, "contigs": contigs, "tiles": tiles, "rows": rows}


def write_variants(outdir: Path, ref: dict, seed: int) -> list[TrioSite]:
    """Truth VCF, gnomAD-like and ClinVar-like sources; returns the trio's truth sites."""
    rng = np.random.default_rng(seed + 1)
    contigs: dict[str, int] = ref["contigs"]
    drawn = [s for name in contigs for s in rt.draw_sites(name, ref["seqs"][name], rng)]
    truth = rt.trio_sites(drawn, seed + 2)
    extra = [s for name in contigs for s in rt.draw_sites(name, ref["seqs"][name], rng)]
    cds = [(r[0], int(r[3]), int(r[4])) for r in ref["rows"] if r[2] == "CDS"]
    coding = rt.cds_snvs(cds, ref["seqs"], rng)
    in_truth = {(s.chrom, s.pos) for s in truth}
    truth_sites = [s for s in drawn if (s.chrom, s.pos) in in_truth]
    g_lines, c_lines = rt.source_records(truth_sites, extra, coding, list(contigs))
    ann = outdir / "annotation"
    for name, meta, lines in (
        ("gnomad.vcf", rt.GNOMAD_HEADER, g_lines),
        ("clinvar.vcf", rt.CLINVAR_HEADER, c_lines),
    ):
        (ann / name).write_text(rt.vcf_header(contigs, meta) + "".join(f"{x}\n" for x in lines))
        _bgzip_index(ann / name, "vcf")
    (outdir / "truth").mkdir(exist_ok=True)
    vcf = outdir / "truth" / "trio_truth.vcf"
    vcf.write_text("\n".join(truth_vcf_lines(truth, contigs, seed)) + "\n")
    _bgzip_index(vcf, "vcf")
    return truth


def panel_genes(rows: Sequence[Sequence[str]], contigs: Sequence[str], n: int) -> list[str]:
    """Up to ``n`` protein-coding gene names, taken round-robin over the contigs."""
    by_contig: dict[str, list[str]] = {}
    for r in rows:
        if r[2] == "gene" and "biotype=protein_coding" in r[8]:
            name = rg._attrs(r[8]).get("Name", "")
            by_contig.setdefault(r[0], []).append(name)
    picked: list[str] = []
    queues = [by_contig[c] for c in contigs if by_contig.get(c)]
    depth = 0
    while len(picked) < n and any(len(q) > depth for q in queues):
        picked += [q[depth] for q in queues if len(q) > depth][: n - len(picked)]
        depth += 1
    return picked


def write_panel(outdir: Path, genes: Sequence[str]) -> None:
    """A Scout-format panel ``rehearsal`` 1.0 with ``genes`` (symbol only, AR)."""
    folder = outdir / "panels" / PANEL / "1.0"
    folder.mkdir(parents=True, exist_ok=True)
    head = [f"##panel_id={PANEL}", "##institute=hurtig", "##version=1.0", "##date=2026-12-01"]
    head += [
        "##display_name=Genome-scale rehearsal panel (synthetic)",
        "#hgnc_id\thgnc_symbol\tdisease_associated_transcripts\tgenetic_disease_models"
        "\tmosaicism\treduced_penetrance",
    ]
    body = [f"\t{g}\t\tAR\t\t" for g in genes]
    (folder / f"{PANEL}.tsv").write_text("\n".join([*head, *body]) + "\n")


def write_run_files(outdir: Path, repo_config: Path, samples: Sequence[str], shards: int) -> None:
    """``config.yaml`` (the demo config on this genome), ``samples.tsv``, ``units.tsv``."""
    swap = {
        "fasta": "reference/genome.fa.gz",
        "gff3": "annotation/genes.gff3.gz",
        "gnomad": "annotation/gnomad.vcf.gz",
        "clinvar": "annotation/clinvar.vcf.gz",
        "panels": "panels",
        "shards": str(shards),
    }
    lines = []
    for line in repo_config.read_text().splitlines():
        key = line.strip().split(":")[0]
        if key in swap and not line.lstrip().startswith("#"):
            line = f"{line[: len(line) - len(line.lstrip())]}{key}: {swap[key]}"
        lines.append(line)
    (outdir / "config.yaml").write_text("\n".join(lines) + "\n")
    rows = ["sample\tfamily\tfather\tmother\tsex\taffected\tpanels"]
    units = ["sample\tunit\tfq1\tfq2\tplatform\tlibrary"]
    for s in samples:
        parents = "father\tmother" if s == "proband" and len(samples) == 3 else "\t"
        affected = "true" if s == "proband" else "false"
        panels = PANEL if s == "proband" else ""
        rows.append(f"{s}\trehearsal\t{parents}\t{rt.SEXES[s]}\t{affected}\t{panels}")
        units.append(f"{s}\tL001\treads/{s}_R1.fastq.gz\treads/{s}_R2.fastq.gz\tILLUMINA\t{s}-lib1")
    (outdir / "samples.tsv").write_text("\n".join(rows) + "\n")
    (outdir / "units.tsv").write_text("\n".join(units) + "\n")


def write_haplotype(
    path: Path, seqs: dict[str, bytes], contigs: Sequence[str], sites: Sequence[TrioSite], gt: tuple
) -> int:
    """One haplotype's FASTA (variants applied); returns its length."""
    sample, hap = gt
    total = 0
    with path.open("w") as handle:
        for name in contigs:
            edits = [
                (s.pos, s.ref, s.alts[0])
                for s in sites
                if s.chrom == name and s.genotypes[sample][hap] > 0
            ]
            seq = apply_variants(seqs[name].decode(), 0, edits)
            total += len(seq)
            handle.write(f">{sample}_h{hap + 1}_{name}\n")
            for i in range(0, len(seq), 60):
                handle.write(seq[i : i + 60] + "\n")
    return total


def simulate_sample(job: tuple) -> None:
    """Reads of one sample: wgsim per haplotype at half the depth, pooled and gzipped."""
    sample, index, reads, seqs, sites, depth, seed = job
    tmp = reads / f".{sample}"
    tmp.mkdir(exist_ok=True)
    parts: dict[int, list[Path]] = {1: [], 2: []}
    for hap in (0, 1):
        contigs = rt.haplotype_contigs(rt.SEXES[sample], hap, list(seqs))
        fasta = tmp / f"h{hap}.fa"
        length = write_haplotype(fasta, seqs, contigs, sites, (sample, hap))
        pairs = pairs_for_depth(length, depth, READ_LENGTH)
        r1, r2 = tmp / f"h{hap}_R1.fq", tmp / f"h{hap}_R2.fq"
        opts = wgsim_options(pairs, READ_LENGTH, seed + 100 + 10 * index + hap)
        _run(["wgsim", *opts, str(fasta), str(r1), str(r2)])
        fasta.unlink()
        parts[1].append(r1)
        parts[2].append(r2)
    for mate in (1, 2):
        out = tmp / f"{sample}_R{mate}.fastq.gz"
        with out.open("wb") as handle:
            cat = subprocess.Popen(["cat", *map(str, parts[mate])], stdout=subprocess.PIPE)
            subprocess.run(["gzip", "-n", "-1"], stdin=cat.stdout, stdout=handle, check=True)
            if cat.wait() != 0:
                raise InputError(f"{sample}: could not pool R{mate}")
        os.replace(out, reads / out.name)
    shutil.rmtree(tmp)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``hurtig make-rehearsal-genome``."""
    parser = argparse.ArgumentParser(
        prog="hurtig make-rehearsal-genome",
        description="A GRCh38-shaped synthetic genome, sources, panel, reads and run files.",
    )
    parser.add_argument("--demo-dir", type=Path, required=True, help="resources/demo folder")
    parser.add_argument("--outdir", type=Path, required=True, help="output folder")
    parser.add_argument("--scale", type=float, default=0.01, help="fraction of GRCh38 sizes")
    parser.add_argument("--depth", type=float, default=0.0, help="read depth (0: no reads)")
    parser.add_argument("--samples", choices=("proband", "trio"), default="proband")
    parser.add_argument("--shards", type=int, default=200, help="calling.shards of config.yaml")
    parser.add_argument("--seed", type=int, default=20261201, help="base random seed")
    parser.add_argument("--threads", type=int, default=1, help="samples simulated in parallel")
    parser.add_argument("--no-unplaced", action="store_true", help="primary contigs only")
    parser.add_argument(
        "--config", type=Path, default=None, help="config to adapt (default: demo-dir/../../config)"
    )
    return parser


def make(args: argparse.Namespace) -> dict:
    """Write everything; returns the summary (also written to summary.json)."""
    out: Path = args.outdir
    out.mkdir(parents=True, exist_ok=True)
    ref = write_reference(out, args.demo_dir, args)
    truth = write_variants(out, ref, args.seed)
    genes = panel_genes(ref["rows"], list(ref["contigs"]), PANEL_GENES)
    write_panel(out, genes)
    samples = list(SAMPLES) if args.samples == "trio" else ["proband"]
    config = args.config or args.demo_dir.parent.parent / "config" / "config.yaml"
    write_run_files(out, config, samples, args.shards)
    if args.depth > 0:
        reads = out / "reads"
        reads.mkdir(exist_ok=True)
        jobs = [
            (s, i, reads, ref["seqs"], truth, args.depth, args.seed) for i, s in enumerate(samples)
        ]
        with ThreadPoolExecutor(max_workers=max(1, args.threads)) as pool:
            list(pool.map(simulate_sample, jobs))
    summary = {
        "scale": args.scale,
        "genome_bp": sum(ref["contigs"].values()),
        "contigs": ref["contigs"],
        "tiles": len(ref["tiles"]),
        "genes": sum(r[2] == "gene" for r in ref["rows"]),
        "truth_sites": len(truth),
        "panel_genes": genes,
        "samples": samples,
        "depth": args.depth,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    if not 0 < args.scale <= 1 or args.depth < 0 or args.shards < 1:
        raise InputError("--scale must be in (0, 1], --depth >= 0, --shards >= 1")
    summary = make(args)
    print(
        f"rehearsal genome 1/{1 / args.scale:g}: {summary['genome_bp']:,} bp, "
        f"{len(summary['contigs'])} contigs, {summary['genes']} genes, "
        f"{summary['truth_sites']} truth sites -> {args.outdir}",
        file=sys.stderr,
    )
    return 0
