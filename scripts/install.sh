#!/usr/bin/env bash
# Idempotent installer for hurtig on Debian/Ubuntu (run as root, or with sudo available).
# Installs the Debian tools the pipeline calls and a Python venv (.venv) with pinned versions.
# Usage: bash scripts/install.sh [--with-browser] [--print-packages]
#   --with-browser    also Chromium (the report PDF, rule print_report_pdf, and the browser tests)
#   --print-packages  print the Debian packages these options install, one a line, and stop
#                     (tests/unit/test_install_coverage.py checks them against what the rules call)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WITH_BROWSER=0
PRINT_PACKAGES=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) WITH_BROWSER=1 ;;
    --print-packages) PRINT_PACKAGES=1 ;;
    *) echo "install.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

# Debian packages: name of the package -> a command it provides (checked to decide if missing).
declare -A APT=(
  [bwa]=bwa [samtools]=samtools [bcftools]=bcftools [tabix]=tabix [fastp]=fastp
  [mosdepth]=mosdepth [multiqc]=multiqc [minimap2]=minimap2 [python3-venv]="" [libhts-dev]="" [git]=git
  [delly]=delly [tiddit]=tiddit [cnvkit]=cnvkit
)
[[ $WITH_BROWSER == 1 ]] && APT[chromium]=chromium
# pdftotext/pdftoppm: the browser tests read the printed report's pages (tests/unit/test_report_evidence.py)
[[ $WITH_BROWSER == 1 ]] && APT[poppler-utils]=pdftotext
if [[ $PRINT_PACKAGES == 1 ]]; then
  printf '%s\n' "${!APT[@]}" | sort
  exit 0
fi
missing=()
for pkg in "${!APT[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "[hurtig install] apt-get install ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Python venv with the pinned lock file; reinstalled only when the lock file changes.
VENV="$REPO/.venv"
STAMP="$VENV/.lock.sha256"
want="$(sha256sum "$REPO/requirements.lock" | cut -d' ' -f1)"
if [[ ! -x "$VENV/bin/python" ]] || [[ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]]; then
  echo "[hurtig install] creating Python venv in $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip >&2
  "$VENV/bin/pip" install -q -r "$REPO/requirements.lock" >&2
  echo "$want" > "$STAMP"
fi

# The hurtig package itself, editable from this checkout: the `hurtig` command the rules call.
# Redone when the venv was rebuilt or points at another checkout (offline: no build isolation).
where="$("$VENV/bin/python" -c 'import hurtig, pathlib; print(pathlib.Path(hurtig.__file__).resolve().parents[1])' 2>/dev/null || true)"
if [[ "$where" != "$REPO/scripts" ]] || [[ ! -x "$VENV/bin/hurtig" ]]; then
  echo "[hurtig install] installing the hurtig package (editable) into $VENV" >&2
  "$VENV/bin/pip" install -q --no-deps --no-build-isolation -e "$REPO" >&2
fi
# The annotation's compiled kernels (numba): compiled here once, into the package's __pycache__,
# so that the first annotation job loads them instead of compiling them (a few seconds).
"$VENV/bin/python" -c 'from hurtig.annotation import csq_feed, join_cache, tbi_build, text_blocks
csq_feed.load_kernel()
join_cache.load_kernel()
tbi_build.load_kernels()
text_blocks.load_kernel()' >&2
