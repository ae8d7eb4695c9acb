#!/usr/bin/env bash
# Run the whole hurtig test suite: installs what is missing, checks style and lint, then pytest
# (unit, workflow dry-run, GIAB validation, demo end to end).
# Usage: bash scripts/test.sh [extra pytest arguments...]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$REPO/scripts/install.sh" --with-browser
cd "$REPO"
export PATH="$REPO/.venv/bin:$PATH"
echo "== style: ruff, snakefmt, snakemake --lint"
ruff check scripts tests
ruff format --check scripts tests
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
