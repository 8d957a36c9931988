#!/usr/bin/env bash
# Set up qi-report in a virtual environment at .venv (idempotent, safe to re-run).
#
#   bash scripts/setup.sh          # the package and its dependencies
#   bash scripts/setup.sh --test   # ... plus the test tools (the `test` extra)
#
# Needs only Python 3.11+ (PYTHON=... picks the interpreter; default python3). Prints one line
# per step it takes. When pyproject.toml has not changed since the last install (a stamp in
# .venv records its hash), it does nothing but check.
# When npm is present it also installs plotly.js's partial "basic" bundle (see step 3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

extra=""
case "${1:-}" in
  "") ;;
  --test) extra="test" ;;
  -h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) echo "setup: unknown option '$1' (use --test or nothing)" >&2; exit 2 ;;
esac

PY="${PYTHON:-python3}"
VENV=.venv
STAMP="$VENV/.qi-report-setup"
say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

command -v "$PY" >/dev/null 2>&1 || die "'$PY' not found; install Python 3.11 or newer"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Python 3.11 or newer is needed; '$PY' is $("$PY" -V 2>&1)"
pyver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

# --- 1. the virtual environment ------------------------------------------------------------
venv_ok() { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import pip' >/dev/null 2>&1; }

make_venv() { "$PY" -m venv "$VENV" >/tmp/qi-report-venv.$$.log 2>&1; }

if ! venv_ok; then
  [ -e "$VENV" ] && say "replacing a broken $VENV" && rm -rf "$VENV"
  say "creating $VENV with $("$PY" -V 2>&1)"
  if ! make_venv; then
    rm -rf "$VENV"
    # Debian/Ubuntu ship venv's pip bootstrap (ensurepip) in a separate package
    pkgs="python${pyver}-venv python3-venv"
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing Debian's venv support (apt-get install python${pyver}-venv)"
      export DEBIAN_FRONTEND=noninteractive
      apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
      apt_get install -y -qq --no-install-recommends "python${pyver}-venv" >/dev/null 2>&1 \
        || { apt_get update -qq >/dev/null && apt_get install -y -qq --no-install-recommends \
               "python${pyver}-venv" >/dev/null; } \
        || apt_get install -y -qq --no-install-recommends python3-venv >/dev/null \
        || die "could not install python${pyver}-venv with apt-get"
      make_venv || { cat /tmp/qi-report-venv.$$.log >&2; rm -f /tmp/qi-report-venv.$$.log;
                     rm -rf "$VENV"; die "'$PY -m venv $VENV' failed"; }
    else
      cat /tmp/qi-report-venv.$$.log >&2
      rm -f /tmp/qi-report-venv.$$.log
      echo "setup: error: '$PY -m venv' cannot create a virtual environment (ensurepip missing)." >&2
      echo "setup: install it, then re-run:  sudo apt-get install python${pyver}-venv" >&2
      echo "setup: (on other systems: the package that provides Python's venv/ensurepip: $pkgs)" >&2
      exit 1
    fi
  fi
  rm -f /tmp/qi-report-venv.$$.log
fi

# --- 3. (optional, when npm is here) plotly.js's partial "basic" bundle ----------------------
# (defined here, run after step 2 on both of its paths, as step 2 may stop early)
# Pages with charts then ship npm's plotly.js-basic-dist-min (scatter, bar and pie traces; our
# charts use scatter only): 1.2 MB, 0.4 MB gzipped, instead of the plotly package's full 4.8 MB
# (1.4 MB gzipped). Pinned to the plotly.js version of the installed plotly package, which is the
# only version qi_report/site.py uses; into .cache/npm/node_modules (git-ignored, never
# committed). Never fatal: without it, builds ship the full bundle.
PLOTLY_NPM=.cache/npm
plotly_basic() {
  if ! command -v npm >/dev/null 2>&1; then
    say "npm not found: charts use plotly's full plotly.js (with npm, re-run for one 4x smaller)"
    return 0
  fi
  local version pj
  version="$("$VENV/bin/python" -c \
    'from plotly.offline import get_plotlyjs_version as v; print(v())' 2>/dev/null)" || return 0
  pj="$PLOTLY_NPM/node_modules/plotly.js-basic-dist-min/package.json"
  if [ -f "$pj" ] && grep -Eq "\"version\": *\"$version\"" "$pj"; then
    return 0
  fi
  say "npm install plotly.js-basic-dist-min@$version into $PLOTLY_NPM (partial plotly.js)"
  mkdir -p "$PLOTLY_NPM"
  if ! npm install --prefix "$PLOTLY_NPM" --no-save --no-package-lock --no-audit --no-fund \
      "plotly.js-basic-dist-min@$version" >"$VENV/.qi-report-npm.log" 2>&1; then
    say "warning: npm install failed ($VENV/.qi-report-npm.log); charts use the full plotly.js"
  fi
}

# --- 2. the package, editable, with its dependencies -----------------------------------------
[ -f pyproject.toml ] || die "pyproject.toml not found in $(pwd)"
hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
want="$hash ${extra:-base}"
have="$(cat "$STAMP" 2>/dev/null || true)"
# a test install also satisfies a plain one
if [ "$have" = "$want" ] || { [ -z "$extra" ] && [ "$have" = "$hash test" ]; }; then
  if "$VENV/bin/python" -c 'import qi_report' >/dev/null 2>&1; then
    say "$VENV up to date (pyproject.toml unchanged)"
    plotly_basic
    exit 0
  fi
fi

spec="."
[ -n "$extra" ] && spec=".[$extra]"
say "pip install -e '$spec' into $VENV"
log="$VENV/.qi-report-pip.log"
rm -f "$STAMP"
if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install -q \
      --root-user-action=ignore -e "$spec" >"$log" 2>&1; then
  cat "$log" >&2
  die "pip install -e '$spec' failed (output above)"
fi
echo "$want" >"$STAMP"
plotly_basic
say "done: $("$VENV/bin/python" -V) in $VENV; run: $VENV/bin/python generate.py --help"
