#!/usr/bin/env bash
# CPU and wall time of the SV stage per demo sample, each tool run alone on the CRAMs of a
# finished demo run (perf/RESULTS.md, "SV/CNV stage"). Usage: bash perf/sv/demo_cost.sh RUNDIR
set -euo pipefail
R="$(cd "$1" && pwd)"
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
T() { local name=$1; shift; /usr/bin/time -f "$name\t%e\t%U\t%S" -a -o "$W/times.tsv" "$@" > /dev/null 2>&1; }
G="$R/results/sv/reference/genome.fa"
A="$R/results/sv/reference/access.bed"
C="$R/results/alignment"
T delly_family delly call -q 20 -g "$G" -o "$W/d.bcf" "$C/proband.cram" "$C/father.cram" "$C/mother.cram"
for s in proband father mother; do
  rm -rf "$W/t_tiddit"
  T "tiddit_$s" tiddit --sv --skip_assembly --bam "$C/$s.cram" --ref "$G" -o "$W/t" || true
  T "cnvkit_$s" cnvkit batch "$C/$s.cram" -m wgs -n -f "$G" --access "$A" --target-avg-size 1000 -p 1 -d "$W/c_$s"
  T "cnvkit_call_$s" cnvkit call "$W/c_$s/$s.cns" -o "$W/c_$s/$s.call2.cns"
done
T sv_merge hurtig sv-merge --fasta "$G" --samples proband,father,mother --delly "$R/results/sv/delly/demo.bcf" \
  --tiddit "proband=$R/results/sv/tiddit/proband.vcf" --cnvkit "proband=$R/results/sv/cnvkit/proband.call.cns" \
  --tiddit "father=$R/results/sv/tiddit/father.vcf" --cnvkit "father=$R/results/sv/cnvkit/father.call.cns" \
  --tiddit "mother=$R/results/sv/tiddit/mother.vcf" --cnvkit "mother=$R/results/sv/cnvkit/mother.call.cns" \
  --out "$W/m.vcf.gz"
T sv_annotate hurtig sv-annotate --vcf "$W/m.vcf.gz" --run "$W/m.vcf.gz" --gff3 "$(dirname "$0")/../../resources/demo/annotation/genes.gff3.gz" --out "$W/a.vcf.gz"
printf 'step\twall_s\tuser_s\tsys_s\n'
cat "$W/times.tsv"
