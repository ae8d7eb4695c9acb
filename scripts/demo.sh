#!/usr/bin/env bash
# Run the embedded demo trio end to end: installs what is missing, then runs the pipeline in
# demo-run/ (or the folder given as the first argument) and prints where the reports are.
# Usage: bash scripts/demo.sh [WORKDIR] [extra snakemake arguments...]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# --with-browser: the report PDF is printed by headless Chromium (rule print_report_pdf).
bash "$REPO/scripts/install.sh" --with-browser
WORKDIR="${1:-$REPO/demo-run}"
shift || true
umask 077  # patient data: results, logs and Snakemake's own records private to this user
mkdir -p "$WORKDIR"
cd "$WORKDIR"
export PATH="$REPO/.venv/bin:$PATH"
start=$(date +%s)
snakemake -s "$REPO/Snakefile" --cores "$(nproc)" --printshellcmds --show-failed-logs "$@"
echo
echo "hurtig demo finished in $(( $(date +%s) - start )) s. Reports:"
find "$WORKDIR/results/report" -name '*.html' | sort | sed 's/^/  /'
echo "Prioritised variants: $WORKDIR/results/panels/<sample>/<panel>.tsv"
