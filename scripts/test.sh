#!/usr/bin/env bash
# The one test command: installs what the tests need, builds in Release, runs the whole suite
# against the real gateway binary and exits with the test run's exit code.
#   ./scripts/test.sh                                   # everything
#   ./scripts/test.sh --filter "FullyQualifiedName~Routing"   # extra arguments go to dotnet test
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TEST_PROJECT=tests/Edge.Tests/Edge.Tests.csproj
RESULTS=$ROOT/tests/Edge.Tests/TestResults

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
# ensure_pkg COMMAND PACKAGE...: installs the Debian packages when COMMAND is missing.
ensure_pkg() {
  local cmd=$1
  shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing '$cmd' and no apt-get to install $*"
    return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ---- toolchain and standard tools -------------------------------------------------------------

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    log "the .NET 10 SDK is required (see global.json) and is not on PATH"
    exit 1
  fi
}

ensure_tools() {
  ensure_pkg curl curl
  ensure_pkg ps procps
  ensure_pkg h2load nghttp2-client
  ensure_pkg wrk wrk
  ensure_pkg node nodejs
  # The admin page tests (tests/Edge.Tests/Browser) drive Debian's headless Chromium with Playwright.
  ensure_pkg chromium chromium
}

# ---- backing services -------------------------------------------------------------------------
# scripts/services.sh installs (apt, first run only) and starts PostgreSQL, MariaDB, Redis, FTP/FTPS,
# SFTP, an SMTP sink and an S3-compatible store on loopback; the tests read their settings from
# $EDGE_SERVICES_DIR/services.env. EDGE_KEEP_SERVICES=1 leaves them running after the run (faster reruns).

export EDGE_SERVICES_DIR=${EDGE_SERVICES_DIR:-/tmp/edge-services}
STARTED_SERVICES=0

ensure_services() {
  STARTED_SERVICES=1
  log "starting the backing servers (scripts/services.sh start)"
  "$ROOT/scripts/services.sh" start
}

stop_services() {
  if [ "$STARTED_SERVICES" -eq 1 ] && [ "${EDGE_KEEP_SERVICES:-0}" != 1 ]; then
    log "stopping the backing servers"
    "$ROOT/scripts/services.sh" stop >/dev/null 2>&1 || true
  fi
}

# ---- build and test ---------------------------------------------------------------------------

build() {
  log "dotnet build -c Release"
  dotnet build "$TEST_PROJECT" -c Release -nologo -v quiet
}

# Prints the plain closing line 'tests: N passed, N failed, N skipped' from the TRX counters.
summarize() {
  local trx=$RESULTS/edge-tests.trx
  if [ ! -f "$trx" ]; then
    log "no test results written ($trx)"
    return 1
  fi
  local counters total executed passed failed
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  executed=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  echo "tests: ${passed:-0} passed, ${failed:-0} failed, $(( ${total:-0} - ${executed:-0} )) skipped"
  if [ "${total:-0}" -eq 0 ]; then
    log "no test ran"
    return 1
  fi
}

run_tests() {
  rm -rf "$RESULTS"
  log "dotnet test -c Release"
  local code=0
  dotnet test "$TEST_PROJECT" -c Release --no-build -nologo \
    --logger "console;verbosity=normal" \
    --logger "trx;LogFileName=edge-tests.trx" \
    --results-directory "$RESULTS" \
    --blame-hang-timeout 10m --blame-hang-dump-type none \
    "$@" || code=$?
  summarize || { [ "$code" -ne 0 ] || code=1; }
  return "$code"
}

main() {
  ensure_dotnet
  ensure_tools
  # The trap comes first, so that servers half-started by a failing start are stopped too.
  trap stop_services EXIT
  ensure_services
  build
  local code=0
  run_tests "$@" || code=$?
  exit "$code"
}

main "$@"
