#!/usr/bin/env bash
# G1 before/after (issue 17): our annotation step at an earlier commit, at this checkout, and
# bcftools csq alone, interleaved in one loop (same load), on a data set made by synth.py and a
# prepared cache made by `hurtig prepare-source` (see run.sh for both).
#   bash perf/annotation/before_after.sh --data DIR --cache DIR --scores JSON --before REV \
#        [--repeats 3] [--threads 2] [--out DIR]
# Prints one line per run: label, tool, repeat, wall s, CPU s (user + system), peak RSS kB,
# load average; and the commands.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-$REPO/.venv/bin/python}
REPEATS=3 THREADS=2 OUT=${TMPDIR:-/tmp}/hurtig-g1 DATA="" CACHE="" SCORES="" BEFORE=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --data) DATA=$2; shift 2 ;;
    --cache) CACHE=$2; shift 2 ;;
    --scores) SCORES=$2; shift 2 ;;
    --before) BEFORE=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -n $DATA && -n $CACHE && -n $SCORES && -n $BEFORE ]] || { echo "need --data --cache --scores --before" >&2; exit 2; }
mkdir -p "$OUT/before" "$OUT/raw"
git -C "$REPO" archive "$BEFORE" scripts | tar -x -C "$OUT/before"
D=$DATA
SRC="--fasta $D/genome.fa --gff3 $D/genes.gff3.gz --gnomad $D/gnomad.vcf.gz --clinvar $D/clinvar.vcf.gz --scores $SCORES --cache-dir $CACHE --threads $THREADS"
declare -A CMD
CMD[before]="PYTHONPATH=$OUT/before/scripts $PY -m hurtig annotate --vcf $D/calls.vcf.gz --out $OUT/before.vcf.gz $SRC"
CMD[after]="PYTHONPATH=$REPO/scripts $PY -m hurtig annotate --vcf $D/calls.vcf.gz --out $OUT/after.vcf.gz $SRC"
CMD[csq]="bcftools csq -l --threads $((THREADS - 1)) -f $D/genome.fa -g $D/genes.gff3.gz -Oz -o $OUT/csq.vcf.gz $D/calls.vcf.gz"
for rep in $(seq 1 "$REPEATS"); do
  for tool in before after csq; do
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/raw/$tool.$rep" bash -c "${CMD[$tool]}" \
      > "$OUT/raw/$tool.$rep.log" 2>&1
    read -r wall user sys rss < "$OUT/raw/$tool.$rep"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$rep" "$wall" \
      "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" "$rss" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
# Same records, same INFO: the bodies must be identical (headers differ in csq's Date only).
cmp <(zcat "$OUT/before.vcf.gz" | grep -v '^##') <(zcat "$OUT/after.vcf.gz" | grep -v '^##')
for tool in before after csq; do echo "$tool: ${CMD[$tool]}"; done
