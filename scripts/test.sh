#!/usr/bin/env bash
# The one test command: set up, install the browser-test tools, then lint, type-check and test.
#
#   bash scripts/test.sh [PYTEST ARGS...]     e.g.  bash scripts/test.sh -x tests/browser
#
# Steps (stops at the first failure):
#   1. scripts/setup.sh --test               .venv with qi-report and its test extra
#   2. browser-test tools, each only if missing:
#        apt (as root): chromium, fonts-liberation; default-jre-headless if there is no java;
#                       nodejs and npm if there is no npm
#        npm (pinned):  axe-core and vnu-jar into $QI_TEST_CACHE
#                       (default ${XDG_CACHE_HOME:-$HOME/.cache}/qi-report-test), exported to
#                       pytest as QI_AXE_JS and QI_VNU_JAR
#   3. ruff check, ruff format --check, mypy qi_report, python -m pytest "$@"
# The last line says PASSED or FAILED and why. Exit status 0 only when everything passed.
# Under CI (CI=true) the browser tests fail rather than skip when a tool is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

AXE_VERSION="4.14.1"
VNU_VERSION="26.9.27"
CACHE="${QI_TEST_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/qi-report-test}"

say() { echo "test: $*"; }
fail() { echo "FAILED: $*"; exit 1; }

# --- 1. python environment -------------------------------------------------------------------
bash scripts/setup.sh --test || fail "scripts/setup.sh --test"
VENV_BIN="$(pwd)/.venv/bin"

# --- 2a. system packages (Debian/Ubuntu) -------------------------------------------------------
deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
deb_installed fonts-liberation || need+=(fonts-liberation)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_install() {
      apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" \
        >/tmp/qi-report-apt.log 2>&1
    }
    # 'apt-get update' only when the install needs it (package lists missing or stale)
    if ! apt_install; then
      say "apt-get update (package lists missing or stale)"
      apt-get -o DPkg::Lock::Timeout=600 update -qq >/tmp/qi-report-apt.log 2>&1 \
        || { cat /tmp/qi-report-apt.log >&2; fail "apt-get update"; }
      apt_install || { cat /tmp/qi-report-apt.log >&2; fail "apt-get install ${need[*]}"; }
    fi
  else
    say "WARNING: missing ${need[*]}; the browser tests will be skipped (or fail under CI)."
    say "install them with:  sudo apt-get install --no-install-recommends ${need[*]}"
  fi
fi

# --- 2b. npm tools, pinned, into the cache folder (outside the repo) ---------------------------
AXE_JS="$CACHE/node_modules/axe-core/axe.min.js"
VNU_JAR="$CACHE/node_modules/vnu-jar/build/dist/vnu.jar"
has_version() {  # has_version PACKAGE VERSION: node_modules/PACKAGE is exactly that version
  local pj="$CACHE/node_modules/$1/package.json"
  [ -f "$pj" ] && grep -Eq "\"version\": *\"$2\"" "$pj"
}
npm_ok() {
  has_version axe-core "$AXE_VERSION" && has_version vnu-jar "$VNU_VERSION" \
    && [ -f "$AXE_JS" ] && [ -f "$VNU_JAR" ]
}
if ! npm_ok; then
  if command -v npm >/dev/null 2>&1; then
    say "npm install axe-core@$AXE_VERSION vnu-jar@$VNU_VERSION into $CACHE"
    mkdir -p "$CACHE"
    (
      # one installer at a time per cache folder
      if command -v flock >/dev/null 2>&1; then exec 9>"$CACHE/.lock" && flock 9; fi
      npm_ok && exit 0
      cat >"$CACHE/package.json" <<EOF
{
  "name": "qi-report-test-tools",
  "private": true,
  "description": "Pinned browser-test tools for qi-report (made by scripts/test.sh)",
  "dependencies": { "axe-core": "$AXE_VERSION", "vnu-jar": "$VNU_VERSION" }
}
EOF
      npm install --prefix "$CACHE" --no-audit --no-fund --silent \
        >"$CACHE/npm.log" 2>&1 || { cat "$CACHE/npm.log" >&2; exit 1; }
    ) || fail "npm install axe-core@$AXE_VERSION vnu-jar@$VNU_VERSION into $CACHE"
    npm_ok || fail "axe-core or vnu-jar still missing in $CACHE/node_modules after npm install"
  else
    say "WARNING: npm not found; axe-core and vnu-jar not installed (browser tests need them)"
  fi
fi
if npm_ok; then
  export QI_AXE_JS="$AXE_JS" QI_VNU_JAR="$VNU_JAR"
fi

# --- 3. lint, types, tests ------------------------------------------------------------------------
for tool in ruff mypy; do
  [ -x "$VENV_BIN/$tool" ] || fail "$tool is not installed in .venv (add it to the 'test' extra)"
done
say "ruff check qi_report tests"
"$VENV_BIN/ruff" check qi_report tests || fail "ruff check (fix: .venv/bin/ruff check --fix)"
say "ruff format --check qi_report tests"
"$VENV_BIN/ruff" format --check qi_report tests \
  || fail "ruff format --check (fix: .venv/bin/ruff format qi_report tests)"
say "mypy qi_report"
"$VENV_BIN/mypy" qi_report || fail "mypy qi_report"

say "python -m pytest $*"
junit="$(mktemp -t qi-report-junit.XXXXXX)"
trap 'rm -f "$junit"' EXIT
status=0
"$VENV_BIN/python" -m pytest --junitxml="$junit" "$@" || status=$?

# summary from the JUnit report (absent if the arguments replaced --junitxml)
counts="$("$VENV_BIN/python" - "$junit" <<'EOF' 2>/dev/null || true
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
total = sum(int(s.get("tests", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped")
EOF
)"
case "$status" in
  0) echo "PASSED: ${counts:-all tests passed}" ;;
  5) fail "pytest collected no tests (exit 5): check the arguments or the tests folder" ;;
  *) fail "pytest exited $status${counts:+ ($counts)}" ;;
esac
