#!/usr/bin/env bash
# Compare hurtig's inheritance logic with genmod on the GIAB Ashkenazi trio (docs/GENMOD.md).
# Usage: bash perf/genmod/run.sh SLIVAR_TESTS_DIR OUT_DIR [GENMOD_VENV]
#   SLIVAR_TESTS_DIR: folder with ashk-trio.vcf.gz and ashk-trio.ped (brentp/slivar tests/)
#   GENMOD_VENV: a venv with genmod installed (default /tmp/genmod-venv; kept out of
#   requirements: python3 -m venv /tmp/genmod-venv && /tmp/genmod-venv/bin/pip install genmod)
set -euo pipefail
umask 077
data=${1:?slivar tests folder}; out=${2:?output folder}; gm_venv=${3:-/tmp/genmod-venv}
repo=$(cd "$(dirname "$0")/../.." && pwd)
py="$repo/.venv/bin/python"
export PYTHONPATH="$repo/scripts"
mkdir -p "$out"
# slivar's PED gives the parents phenotype 0 (unknown); a trio analysis treats them as
# unaffected (1), for both tools.
awk 'BEGIN{OFS="\t"} {if ($6 == 0) $6 = 1; print}' "$data/ashk-trio.ped" > "$out/trio.ped"
# no multi-allelic records in this VCF (checked by the compare step); genes from BCSQ
"$py" -m hurtig.devtools.genmod_compare genes --vcf "$data/ashk-trio.vcf.gz" --out "$out/genes.vcf"
"$gm_venv/bin/genmod" --version > "$out/genmod.version"
"$gm_venv/bin/genmod" models -f "$out/trio.ped" "$out/genes.vcf" -o "$out/genmod.vcf" 2> "$out/genmod.log"
"$py" -m hurtig.devtools.genmod_compare compare --vcf "$out/genes.vcf" --genmod "$out/genmod.vcf" \
    --ped "$out/trio.ped" --out-tsv "$out/diff_all.tsv" --out-md "$out/table_all.md"
"$py" -m hurtig.devtools.genmod_compare compare --vcf "$out/genes.vcf" --genmod "$out/genmod.vcf" \
    --ped "$out/trio.ped" --pass-only --out-tsv "$out/diff_pass.tsv" --out-md "$out/table_pass.md"
