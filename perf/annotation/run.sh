#!/usr/bin/env bash
# Annotation speed benchmark: our whole step (bcftools csq + hurtig annotate, sharded, sources
# read from their prepared caches) versus bcftools csq alone, bcftools annotate (frequency part),
# vcfanno and snpEff, side by side on one synthetic genome-scale input. The one-time preparation
# of the caches (hurtig prepare-source, once per source release) and our step without caches are
# measured too. Writes perf/RESULTS.md and raw numbers under perf/annotation/results/.
#   bash perf/annotation/run.sh [--records 5000000] [--repeats 3] [--threads 2] [--work DIR]
#                                     [--no-snpeff] [--no-vcfanno] [--results FILE]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-$REPO/.venv/bin/python}
RECORDS=5000000 REPEATS=3 THREADS=2 WORK=${TMPDIR:-/tmp}/hurtig-annotation-bench
SNPEFF=1 VCFANNO=1 RESULTS=$REPO/perf/RESULTS.md RAW=$HERE/results
while [[ $# -gt 0 ]]; do
  case $1 in
    --records) RECORDS=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --results) RESULTS=$2; RAW=$(dirname "$2")/raw; shift 2 ;;
    --no-snpeff) SNPEFF=0; shift ;;
    --no-vcfanno) VCFANNO=0; shift ;;
    --shared) shift 2 ;;  # accepted for symmetry; the window comes from the repo's demo data
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
# Peer tools are installed here, for the benchmark only (not for users of the pipeline).
need=()
[[ -x /usr/bin/time ]] || need+=(time)
[[ $VCFANNO == 1 ]] && ! command -v vcfanno >/dev/null && need+=(vcfanno)
[[ $SNPEFF == 1 ]] && ! command -v snpEff >/dev/null && need+=(snpeff)
if [[ ${#need[@]} -gt 0 ]]; then
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
mkdir -p "$WORK" "$RAW"
D=$WORK/data
if [[ ! -s $D/records.txt || $(cat "$D/records.txt") != "$RECORDS" ]]; then
  rm -rf "$D"
  "$PY" "$HERE/synth.py" --records "$RECORDS" --out "$D" \
    --window-fasta "$REPO/resources/demo/reference/chr21.fa.gz" \
    --window-gff3 "$REPO/resources/demo/annotation/genes.gff3.gz" 2>"$WORK/synth.log"
  echo "$RECORDS" > "$D/records.txt"
fi
N=$(bcftools index -n "$D/calls.vcf.gz")
cat > "$WORK/scores.json" <<JSON
[{"name": "cadd", "file": "$D/cadd.tsv.gz", "format": "tsv",
  "fields": [{"column": "PHRED", "info": "CADD_PHRED", "type": "Float"}]}]
JSON
cat > "$WORK/vcfanno.toml" <<TOML
[[annotation]]
file="$D/gnomad.vcf.gz"
fields=["AF","AC","AN","nhomalt","AF_grpmax","grpmax","faf95"]
names=["GNOMAD_AF","GNOMAD_AC","GNOMAD_AN","GNOMAD_NHOMALT","GNOMAD_POPMAX_AF","GNOMAD_POPMAX","GNOMAD_FAF95"]
ops=["self","self","self","self","self","self","self"]
[[annotation]]
file="$D/clinvar.vcf.gz"
fields=["CLNSIG","CLNREVSTAT","CLNDN","ID"]
names=["CLINVAR_SIG","CLINVAR_REVSTAT","CLINVAR_DN","CLINVAR_ID"]
ops=["self","self","self","self"]
TOML
# snpEff: database from the same gene model, re-serialised for snpEff's one-pass GFF3 reader
# (snpeff_gff.py says why); the jar is called directly (the Debian wrapper echoes its arguments
# to stdout when -c is given, which corrupts the VCF).
SNPEFF_JAR=/usr/share/java/snpeff.jar
if [[ $SNPEFF == 1 && ! -s $WORK/snpeff/data/bench/snpEffectPredictor.bin ]]; then
  rm -rf "$WORK/snpeff"
  mkdir -p "$WORK/snpeff/data/bench"
  "$PY" "$HERE/snpeff_gff.py" "$D/genes.gff3.gz" > "$WORK/snpeff/data/bench/genes.gff" 2>"$WORK/snpeff_gff.log"
  ln -sf "$D/genome.fa" "$WORK/snpeff/data/bench/sequences.fa"
  { cat /etc/snpeff/snpEff.config; echo "bench.genome : bench"; } > "$WORK/snpeff/snpEff.config"
  /usr/bin/time -v -o "$RAW/snpeff_build.time" java -Xmx16g -jar "$SNPEFF_JAR" build -gff3 \
    -noCheckCds -noCheckProtein -c "$WORK/snpeff/snpEff.config" -dataDir "$WORK/snpeff/data" bench \
    > "$WORK/snpeff_build.log" 2>&1 || echo "snpEff build failed: see $WORK/snpeff_build.log" >&2
fi
# Our prepared sources: built once per source release (timed, reported separately).
SOURCES="--gnomad $D/gnomad.vcf.gz --clinvar $D/clinvar.vcf.gz --scores $WORK/scores.json"
if [[ ! -s $WORK/cache/gnomad/manifest.json || ! -s $WORK/cache/cadd/manifest.json ]]; then
  rm -rf "$WORK/cache"
  /usr/bin/time -v -o "$RAW/cache_build.time" "$PY" -m hurtig prepare-source \
    --out "$WORK/cache" $SOURCES --threads "$THREADS" > "$WORK/cache_build.log" 2>&1
fi
O=$WORK/out
mkdir -p "$O"
declare -A CMD
CMD[ours]="$PY -m hurtig annotate --vcf $D/calls.vcf.gz --out $O/ours.vcf.gz --fasta $D/genome.fa --gff3 $D/genes.gff3.gz $SOURCES --cache-dir $WORK/cache --threads $THREADS"
CMD[ours_nocache]="$PY -m hurtig annotate --vcf $D/calls.vcf.gz --out $O/ours_nocache.vcf.gz --fasta $D/genome.fa --gff3 $D/genes.gff3.gz $SOURCES --threads $THREADS"
CMD[ours_freq]="$PY -m hurtig annotate --vcf $D/calls.vcf.gz --out $O/ours_freq.vcf.gz --gnomad $D/gnomad.vcf.gz --cache-dir $WORK/cache --threads $THREADS"
CMD[bcftools_csq]="bcftools csq -l --threads $((THREADS - 1)) -f $D/genome.fa -g $D/genes.gff3.gz -Oz -o $O/csq.vcf.gz $D/calls.vcf.gz"
CMD[bcftools_annotate_freq]="bcftools annotate --threads $THREADS -a $D/gnomad.vcf.gz -c INFO/GNOMAD_AF:=INFO/AF,INFO/GNOMAD_AC:=INFO/AC,INFO/GNOMAD_AN:=INFO/AN,INFO/GNOMAD_NHOMALT:=INFO/nhomalt,INFO/GNOMAD_POPMAX_AF:=INFO/AF_grpmax,INFO/GNOMAD_POPMAX:=INFO/grpmax,INFO/GNOMAD_FAF95:=INFO/faf95 -Oz -o $O/bcfann.vcf.gz $D/calls.vcf.gz"
TOOLS=(ours bcftools_csq ours_freq bcftools_annotate_freq ours_nocache)
if [[ $VCFANNO == 1 ]]; then
  CMD[vcfanno]="vcfanno -p $THREADS $WORK/vcfanno.toml $D/calls.vcf.gz | bgzip -@ $THREADS > $O/vcfanno.vcf.gz"
  TOOLS+=(vcfanno)
fi
if [[ $SNPEFF == 1 && -s $WORK/snpeff/data/bench/snpEffectPredictor.bin ]]; then
  CMD[snpeff]="java -Xmx8g -jar $SNPEFF_JAR ann -noLog -noStats -nodownload -c $WORK/snpeff/snpEff.config -dataDir $WORK/snpeff/data bench $D/calls.vcf.gz | bgzip -@ $THREADS > $O/snpeff.vcf.gz"
  TOOLS+=(snpeff)
fi
: > "$RAW/runs.tsv"
for rep in $(seq 1 "$REPEATS"); do
  for tool in "${TOOLS[@]}"; do
    [[ ($tool == snpeff || $tool == ours_nocache || $tool == vcfanno) && $rep -gt 1 && ${SLOW_ONCE:-1} == 1 ]] && continue
    /usr/bin/time -v -o "$RAW/$tool.$rep.time" bash -c "set -o pipefail; ${CMD[$tool]}" \
      > "$RAW/$tool.$rep.log" 2>&1
    wall=$(awk -F': ' '/Elapsed/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$RAW/$tool.$rep.time")
    rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$RAW/$tool.$rep.time")
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$RAW/$tool.$rep.time")
    printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$rep" "$wall" "$rss" "$cpu" >> "$RAW/runs.tsv"
  done
done
"$PY" "$HERE/report.py" --runs "$RAW/runs.tsv" --records "$N" --threads "$THREADS" \
  --work "$WORK" --out "$RESULTS" --cache-build "$RAW/cache_build.time" --cache-dir "$WORK/cache" \
  --note "${NOTE:-}" --commands "$(for t in "${TOOLS[@]}"; do echo "$t: ${CMD[$t]}"; done)"
echo "wrote $RESULTS"
