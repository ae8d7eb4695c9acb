#!/usr/bin/env bash
# End-to-end benchmark of issue 7 (G5, G7, G10, G11, 30x projection) on this machine.
# Usage: bash perf/e2e/run.sh [--depths 10,20,30] [--repeats 3] [--shards 8]
#            [--chunk-reads 50000] [--workdir /tmp/hurtig-e2e-bench] [--raw perf/e2e/raw]
#            [--out perf/RESULTS.md]
# Raw numbers go to --raw (*.json); writes only the "End-to-end (issue 7)" section of --out.
# About 20 minutes with the defaults on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$repo/perf/RESULTS.md"
raw="$here/raw"
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --raw) raw=$2; args+=("$1" "$2"); shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
py="$repo/.venv/bin/python"
export PATH="$repo/.venv/bin:$PATH"
export PYTHONPATH="$here:$repo/scripts${PYTHONPATH:+:$PYTHONPATH}"
"$py" "$here/bench.py" "${args[@]}"
"$py" "$here/e2e_report.py" --raw "$raw" --out "$out"
