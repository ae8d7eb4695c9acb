#!/usr/bin/env bash
# SV recall/precision on a simulated genome with 24 deletions/duplications (500 bp-50 kb) across
# the demo's real sequence (docs/VALIDATION.md, "Structural and copy-number variants").
# Usage: bash perf/sv/run.sh [WORKDIR]   (needs the venv, bwa, samtools, delly, tiddit, cnvkit)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
W="${1:-$REPO/perf/sv/work}"
DEMO="$REPO/resources/demo"
REF="$DEMO/reference/chr21.fa.gz"
umask 077
mkdir -p "$W/demo" "$W/sv"
for f in reference truth population planted_truth.tsv; do ln -sfn "$DEMO/$f" "$W/demo/$f"; done
hurtig simulate-sv-set --segments "$DEMO/reference/real_sequence.bed" --n 24 --seed 7 \
  --out "$W/demo/planted_sv.tsv"
hurtig simulate-demo --demo-dir "$W/demo" --outdir "$W/reads" --threads 2
[[ -s "$REF.bwt" ]] || bwa index "$REF"
[[ -s "$REF.fai" ]] || samtools faidx "$REF"
bwa mem -t 2 -Y -R '@RG\tID:sim\tSM:proband' "$REF" "$W/reads/proband_R1.fastq.gz" \
  "$W/reads/proband_R2.fastq.gz" 2> "$W/bwa.log" \
  | samtools sort -@ 2 -o "$W/sim.bam" - && samtools index "$W/sim.bam"
gzip -dc "$REF" > "$W/sv/genome.fa" && samtools faidx "$W/sv/genome.fa"
cnvkit access "$W/sv/genome.fa" -o "$W/sv/access.bed" 2> "$W/sv/access.log"
/usr/bin/time -f '%e %U %S' -o "$W/sv/delly.time" \
  delly call -q 20 -g "$W/sv/genome.fa" -o "$W/sv/delly.bcf" "$W/sim.bam" > "$W/sv/delly.log" 2>&1
rm -rf "$W/sv/tiddit_tiddit"
/usr/bin/time -f '%e %U %S' -o "$W/sv/tiddit.time" \
  tiddit --sv --skip_assembly --bam "$W/sim.bam" --ref "$W/sv/genome.fa" -o "$W/sv/tiddit" \
  > "$W/sv/tiddit.log" 2>&1
rm -rf "$W/sv/cnvkit"
/usr/bin/time -f '%e %U %S' -o "$W/sv/cnvkit.time" \
  cnvkit batch "$W/sim.bam" -m wgs -n -f "$W/sv/genome.fa" --access "$W/sv/access.bed" \
  --target-avg-size 1000 -p 1 -d "$W/sv/cnvkit" > "$W/sv/cnvkit.log" 2>&1
cnvkit call "$W/sv/cnvkit/sim.cns" -o "$W/sv/cnvkit/sim.nofilter.call.cns" 2>> "$W/sv/cnvkit.log"
hurtig sv-merge --fasta "$W/sv/genome.fa" --samples proband --delly "$W/sv/delly.bcf" \
  --tiddit "proband=$W/sv/tiddit.vcf" --cnvkit "proband=$W/sv/cnvkit/sim.nofilter.call.cns" \
  --out "$W/sv/merged.vcf.gz"
hurtig evaluate-sv --truth "$W/demo/planted_sv.tsv" --query "$W/sv/merged.vcf.gz" \
  --out "$W/sv/metrics.json"
cat "$W/sv/metrics.json"
