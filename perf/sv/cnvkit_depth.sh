#!/usr/bin/env bash
# CNVkit before and after `hurtig cnv-coverage` (perf/RESULTS.md, "CNVkit read depth"), on the
# same CRAMs, interleaved: "batch" = the former rule (`cnvkit batch -m wgs -n ... -p 1` then
# `cnvkit call`), "steps" = the rules now (`hurtig cnv-coverage`, then `cnvkit fix`, `segment`,
# `segmetrics`, `call`; the bins and flat reference built once, timed apart as "reference").
# Then checks that both give the same bins (.cnr values) and the same segments (.call.cns:
# position, log2, copy number, bins).
# Usage: bash perf/sv/cnvkit_depth.sh --fasta genome.fa --access access.bed [--threads N]
#        [--repeats R] [--out DIR] CRAM...
set -euo pipefail
threads=2 repeats=3 out=""
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --fasta) fasta=$(realpath "$2"); shift 2 ;;
    --access) access=$(realpath "$2"); shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -gt 0 ]] || { echo "usage: $0 --fasta F --access A [--threads N] [--repeats R] CRAM..." >&2; exit 2; }
W=${out:-$(mktemp -d)}
mkdir -p "$W"
times="$W/times.tsv"
: > "$times"
T() { local name=$1; shift; /usr/bin/time -f "$name\t%e\t%U\t%S" -a -o "$times" "$@" > /dev/null 2>&1; }
ref="$W/reference"
mkdir -p "$ref"
T reference bash -c "cnvkit target '$access' --split --avg-size 1000 -o '$ref/bins.bed' \
  && : > '$ref/anti.bed' && cnvkit reference -f '$fasta' -t '$ref/bins.bed' -a '$ref/anti.bed' -o '$ref/flat.cnn' \
  && printf 'chromosome\tstart\tend\tgene\tlog2\n' > '$ref/anti.cnn'"
for r in $(seq 1 "$repeats"); do
  for cram in "$@"; do
    s=$(basename "$cram" .cram)
    b="$W/batch_$r/$s" n="$W/steps_$r/$s"
    rm -rf "$b" "$n" && mkdir -p "$n" "$(dirname "$b")"
    T "batch_$s.$r" bash -c "cnvkit batch '$cram' -m wgs -n -f '$fasta' --access '$access' \
      --target-avg-size 1000 -p 1 -d '$b' && cnvkit call '$b/$s.cns' -o '$b/$s.nofilter.call.cns'"
    T "steps_$s.$r" bash -c "hurtig cnv-coverage --bins '$ref/bins.bed' --alignments '$cram' \
      --fasta '$fasta' --threads $threads --out '$n/$s.targetcoverage.cnn' \
      && cnvkit fix '$n/$s.targetcoverage.cnn' '$ref/anti.cnn' '$ref/flat.cnn' --no-edge -o '$n/$s.cnr' \
      && cnvkit segment '$n/$s.cnr' -m cbs -t 1e-6 -p $threads -o '$n/$s.segments.cns' \
      && cnvkit segmetrics '$n/$s.cnr' -s '$n/$s.segments.cns' --ci --alpha 0.5 --smooth-bootstrap -o '$n/$s.cns' \
      && cnvkit call '$n/$s.cns' -o '$n/$s.nofilter.call.cns'"
  done
done
status=0
for cram in "$@"; do
  s=$(basename "$cram" .cram)
  b="$W/batch_1/$s" n="$W/steps_1/$s"
  # .cnr: same values (the column order differs: fix puts the columns it reads in its own order)
  if ! python3 - "$b/$s.cnr" "$n/$s.cnr" <<'EOF'
import csv, sys
a, b = ([dict(r) for r in csv.DictReader(open(p), delimiter="\t")] for p in sys.argv[1:])
sys.exit(0 if a == b else 1)
EOF
  then echo "DIFFERENT .cnr: $s" >&2; status=1; fi
  # segments: position, log2, copy number and bins (confidence intervals and weights may differ
  # in the last digits: the steps re-read CNVkit's 6-digit .cnr, batch kept it in memory)
  if ! cmp -s <(cut -f1-5,8,10 "$b/$s.nofilter.call.cns") <(cut -f1-5,8,10 "$n/$s.nofilter.call.cns"); then
    echo "DIFFERENT segments: $s" >&2; status=1
  fi
done
printf 'step\twall_s\tuser_s\tsys_s\n'
cat "$times"
echo "raw: $W" >&2
exit $status
