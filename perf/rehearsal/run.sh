#!/usr/bin/env bash
# Genome-scale rehearsal of issue 17 (item 3): the whole pipeline on GRCh38-shaped genomes.
#
# One command reproduces everything (about 1.5 h on 2 shared cores with the defaults; on a
# quieter or larger machine take --scales 1000,300,100):
#     bash perf/rehearsal/run.sh [--scales 1000,500,300] [--trio 1000] [--dag-scale 100]
#                                [--workdir /tmp/hurtig-rehearsal] [--out perf/RESULTS.md]
#
# 1. rehearsal_bench.py: for each scale (1/1000 of GRCh38 = 3.1 Mbp ...) `hurtig
#    make-rehearsal-genome` writes the genome (GRCh38 contig names and relative sizes, real chr21
#    sequence tiled and mutated), gene model, gnomAD/ClinVar-like sources, a panel, config and 30x
#    reads; the pipeline then runs on the proband with every job shell timed by
#    perf/e2e/bash_env.sh (the issue-7 machinery), followed by bare `bwa mem` on the same reads
#    and the MAPQ >= 20 fraction of the CRAM; --trio adds one trio run at that scale.
# 2. rehearsal_dag.py: DAG size and `snakemake -n` time for a trio at --dag-scale with
#    calling.shards 200, before and after the checkpoints.
# 3. rehearsal_report.py: fits per read Gbp, G5/G10/G11 per size, the 30x projection, written
#    into the "Genome-scale rehearsal (issue 17, item 3)" section of --out.
# Raw numbers: perf/rehearsal/raw/*.json.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
scales=1000,500,300
trio=1000
dag_scale=100
workdir=/tmp/hurtig-rehearsal
out="$repo/perf/RESULTS.md"
while [ $# -gt 0 ]; do
    case "$1" in
        --scales) scales=$2; shift 2 ;;
        --trio) trio=$2; shift 2 ;;
        --dag-scale) dag_scale=$2; shift 2 ;;
        --workdir) workdir=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
py="$repo/.venv/bin/python"
export PATH="$repo/.venv/bin:$PATH"
export PYTHONPATH="$here:$repo/perf/e2e:$repo/scripts${PYTHONPATH:+:$PYTHONPATH}"
"$py" "$here/rehearsal_bench.py" --scales "$scales" --trio "$trio" --workdir "$workdir"
"$py" "$here/rehearsal_dag.py" --scale "$dag_scale" --workdir "$workdir"
"$py" "$here/rehearsal_report.py" --out "$out" \
    --command "bash perf/rehearsal/run.sh --scales $scales --trio $trio --dag-scale $dag_scale"
