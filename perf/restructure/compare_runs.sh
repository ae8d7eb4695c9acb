#!/bin/bash
# Compare the outputs of two runs of the demo and GIAB (folders A and B, each with demo/ and giab/
# run folders): bytes; VCFs also without the bcftools command-line header lines (they carry dates
# and paths); HTML/JSON also with checkout paths, timestamps and commits masked.
# Usage: bash perf/restructure/compare_runs.sh A B
A=$1; B=$2
norm() { sed -E 's#/tmp/(base|after[0-9]*|[a-z0-9._-]+/clone)#REPO#g; s#[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:]{5,8}Z?( UTC)?#TIME#g; s#[0-9a-f]{40}#COMMIT#g; s#[0-9a-f]{12}#HASH12#g' "$1"; }
for run in demo giab; do
  for f in $(cd $A/$run && find results -type f \( -name '*.tsv' -o -name '*.json' -o -name '*.vcf.gz' -o -name '*.html' -o -name '*.bed' \) | grep -v -E 'benchmarks|annotation_sources|annotation_cache|qc/fastp|multiqc' | sort); do
    if [ ! -e "$B/$run/$f" ]; then echo "MISSING $run/$f"; continue; fi
    case $f in
      *.vcf.gz)
        if cmp -s <(zcat $A/$run/$f) <(zcat $B/$run/$f); then echo "same  $run/$f";
        elif cmp -s <(zcat $A/$run/$f | grep -v '^##bcftools\|^##reference=') <(zcat $B/$run/$f | grep -v '^##bcftools\|^##reference='); then echo "same-records-and-header(except-bcftools-command-lines)  $run/$f";
        else echo "DIFF  $run/$f"; fi ;;
      *) if cmp -s $A/$run/$f $B/$run/$f; then echo "same  $run/$f";
         elif cmp -s <(norm $A/$run/$f) <(norm $B/$run/$f); then echo "same-normalised(path,time,commit)  $run/$f";
         else echo "DIFF  $run/$f"; fi ;;
    esac
  done
done
