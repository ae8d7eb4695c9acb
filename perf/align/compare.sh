#!/usr/bin/env bash
# Aligners and duplicate markers side by side (issue 17, item 4) on the GIAB reads in the repo
# (resources/giab/: 25,839 read pairs of NA12878, chr20:10.0-10.1 Mb, hg19), 2 threads,
# interleaved repeats. Needs bwa, minimap2, samtools, and for the comparison only sambamba and
# samblaster (not installed by scripts/install.sh: the pipeline does not use them).
#   bash perf/align/compare.sh [--work DIR] [--repeats 3]
# Prints: step, wall s, CPU s (user + system) per run, then the duplicates each marker flagged.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${TMPDIR:-/tmp}/hurtig-align-compare REP=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --work) WORK=$2; shift 2 ;;
    --repeats) REP=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$WORK/idx"
cd "$WORK"
if [[ ! -s idx/chr20.mmi ]]; then
  zcat "$REPO/resources/giab/reference/chr20.fa.gz" > idx/chr20.fa
  samtools faidx idx/chr20.fa
  samtools collate -u -O "$REPO/resources/giab/NA12878_S1.chr20.10_10p1mb.bam" \
    | samtools fastq -1 r1.fq -2 r2.fq -0 /dev/null -s /dev/null -n - 2>/dev/null
  bwa index idx/chr20.fa 2>/dev/null
  minimap2 -x sr -d idx/chr20.mmi idx/chr20.fa 2>/dev/null
fi
t() {
  local name=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "t.$name" bash -c "set -o pipefail; $*" 2>/dev/null
  read -r e u s < "t.$name"
  printf '%s\t%s\t%s\n' "$name" "$e" "$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')"
}
RG='@RG\tID:S1\tSM:NA12878\tPL:ILLUMINA\tLB:lib1'
for _ in $(seq 1 "$REP"); do
  t bwa "bwa mem -t 2 -K 100000000 -Y -R '$RG' idx/chr20.fa r1.fq r2.fq > bwa.sam"
  t minimap2 "minimap2 -ax sr -t 2 -Y -R '$RG' idx/chr20.mmi r1.fq r2.fq > mm2.sam"
  # Duplicate marking of the same bwa output (name-grouped, as bwa writes it).
  t sort_only "samtools sort -u -@ 2 -o sorted.bam bwa.sam"
  t samtools_fixmate_sort "samtools fixmate -m -u bwa.sam - | samtools sort -u -@ 2 -o fx.bam -"
  t samtools_markdup "samtools markdup -@ 2 -u fx.bam sm.bam"
  t sambamba_markdup "sambamba markdup -t 2 -l 0 sorted.bam sb.bam"
  t samblaster_sort "samblaster -i bwa.sam | samtools sort -u -@ 2 -o bl.bam -"
done
for f in sm.bam sb.bam bl.bam; do
  printf '%s\tduplicate-flagged records\t%s\n' "$f" "$(samtools view -c -f 1024 "$f")"
done
