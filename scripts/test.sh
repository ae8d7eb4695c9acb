#!/usr/bin/env bash
# Run the whole hurtig test suite: installs what is missing, checks style, lint and types, then
# pytest (unit, workflow dry-run, GIAB validation, demo end to end).
# Usage: bash scripts/test.sh [extra pytest arguments...]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$REPO/scripts/install.sh" --with-browser
cd "$REPO"
export PATH="$REPO/.venv/bin:$PATH"
echo "== style and types: ruff, mypy, snakefmt, snakemake --lint"
ruff check scripts tests perf
ruff format --check scripts tests perf
mypy  # files, strictness and search path: [tool.mypy] in pyproject.toml
snakefmt --check Snakefile workflow/rules
lintdir="$(mktemp -d)"
(cd "$lintdir" && snakemake -s "$REPO/Snakefile" --lint)
rm -rf "$lintdir"
echo "== tests"
set +e
pytest -ra "$@"
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
  echo "test.sh: pytest collected no tests: failing" >&2
  exit 1
fi
exit $rc
