#!/usr/bin/env bash
# Load benchmark: the published edge binary serving a hello handler, against two bare Kestrel apps
# returning the same bytes (a minimal API and a raw app.Run), under wrk, alternated in one run.
# Usage: bash bench/load.sh            (see bench/README.md for the knobs)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-64}
TARGETS=${TARGETS:-all}
SKIP_PUBLISH=${SKIP_PUBLISH:-0}
WAIT_QUIET=${WAIT_QUIET:-0}
BUSY_LIMIT=${BUSY_LIMIT:-10}
PORT_EDGE=${PORT_EDGE:-19080}
PORT_EDGE_ADMIN=${PORT_EDGE_ADMIN:-19081}
PORT_MINIMAL=${PORT_MINIMAL:-19090}
PORT_RAW=${PORT_RAW:-19091}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
RESULTS="$BENCH_DIR/results"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN_DIR="$RESULTS/runs/$STAMP"
EXPECTED_BODY='{"message":"hello"}'

log() { printf '%s\n' "$*" >&2; }
die() {
  log "load.sh: FAIL: $*"
  exit 1
}

case "$TARGETS" in
  all) TARGET_LIST=(edge minimal raw) ;;
  baselines) TARGET_LIST=(minimal raw) ;;
  *) IFS=',' read -r -a TARGET_LIST <<<"$TARGETS" ;;
esac
for t in "${TARGET_LIST[@]}"; do
  case "$t" in
    edge | minimal | raw) ;;
    *) die "unknown target '$t' in TARGETS (use all, baselines, or a comma list of edge,minimal,raw)" ;;
  esac
done
for n in ROUNDS DURATION WARMUP THREADS CONNECTIONS WAIT_QUIET BUSY_LIMIT; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number, got '${!n}'"
done
((ROUNDS >= 1)) || die "ROUNDS must be at least 1"

has_target() {
  local t
  for t in "${TARGET_LIST[@]}"; do [[ $t == "$1" ]] && return 0; done
  return 1
}

port_of() {
  case "$1" in
    edge) echo "$PORT_EDGE" ;;
    minimal) echo "$PORT_MINIMAL" ;;
    raw) echo "$PORT_RAW" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Servers are killed on any exit, including failures and Ctrl-C.
declare -A PIDS=()
EDGE_DATA=""
WRK_PID=""
cleanup() {
  local name pid i
  if [[ -n $WRK_PID ]]; then kill -TERM "$WRK_PID" 2>/dev/null || true; fi
  for name in "${!PIDS[@]}"; do
    pid=${PIDS[$name]}
    kill -TERM "$pid" 2>/dev/null || true
  done
  for name in "${!PIDS[@]}"; do
    pid=${PIDS[$name]}
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n $EDGE_DATA ]]; then rm -rf "$EDGE_DATA"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits until $2 answers 200, failing early if the server process $1 died.
wait_ready() {
  local name=$1 url=$2 i
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
      log "--- last lines of $RUN_DIR/$name.log:"
      tail -n 30 "$RUN_DIR/$name.log" >&2 || true
      die "$name exited before answering $url"
    fi
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true) == 200 ]]; then
      return 0
    fi
    sleep 0.2
  done
  die "$name did not answer 200 on $url within 60 s"
}

# ---------------------------------------------------------------------------------------------
log "== setup"
command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk) >&2
command -v wrk >/dev/null || die "wrk is not installed and apt could not install it"
command -v curl >/dev/null || die "curl is required"
command -v dotnet >/dev/null || die "dotnet is required"
mkdir -p "$RUN_DIR"

if [[ $SKIP_PUBLISH != 1 ]]; then
  if has_target edge; then
    log "publishing edge (single file, self-contained) -> $RESULTS/edge"
    dotnet publish "$ROOT/edge.csproj" -c Release -r linux-x64 --self-contained true \
      -p:PublishSingleFile=true -o "$RESULTS/edge" --nologo -v:q >&2
  fi
  if has_target minimal; then
    log "publishing BareMinimal -> $RESULTS/BareMinimal"
    dotnet publish "$BENCH_DIR/BareMinimal/BareMinimal.csproj" -c Release \
      -o "$RESULTS/BareMinimal" --nologo -v:q >&2
  fi
  if has_target raw; then
    log "publishing BareRaw -> $RESULTS/BareRaw"
    dotnet publish "$BENCH_DIR/BareRaw/BareRaw.csproj" -c Release \
      -o "$RESULTS/BareRaw" --nologo -v:q >&2
  fi
fi

# GC mode as configured at build time (the runtimeconfig); DOTNET_gcServer in the environment wins.
gc_mode() {
  local cfg=$1
  if [[ -n ${DOTNET_gcServer:-} ]]; then
    echo "env DOTNET_gcServer=$DOTNET_gcServer"
  elif [[ ! -f $cfg ]]; then
    echo "unknown"
  elif grep -q '"System.GC.Server": *true' "$cfg"; then
    echo "server"
  else
    echo "workstation"
  fi
}
declare -A GC=()
GC[edge]=$(gc_mode "$ROOT/bin/Release/net10.0/linux-x64/edge.runtimeconfig.json")
GC[minimal]=$(gc_mode "$RESULTS/BareMinimal/BareMinimal.runtimeconfig.json")
GC[raw]=$(gc_mode "$RESULTS/BareRaw/BareRaw.runtimeconfig.json")

for t in "${TARGET_LIST[@]}"; do
  p=$(port_of "$t")
  port_in_use "$p" && die "port $p (for $t) is already in use; set PORT_${t^^}=... to move it"
done
if has_target edge; then
  port_in_use "$PORT_EDGE_ADMIN" && die "admin port $PORT_EDGE_ADMIN is already in use; set PORT_EDGE_ADMIN"
fi

export ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production

# ---------------------------------------------------------------------------------------------
log "== starting servers (logs in $RUN_DIR)"
if has_target minimal; then
  [[ -f $RESULTS/BareMinimal/BareMinimal.dll ]] || die "$RESULTS/BareMinimal is not published (unset SKIP_PUBLISH)"
  dotnet "$RESULTS/BareMinimal/BareMinimal.dll" --urls "http://127.0.0.1:$PORT_MINIMAL" \
    >"$RUN_DIR/minimal.log" 2>&1 &
  PIDS[minimal]=$!
fi
if has_target raw; then
  [[ -f $RESULTS/BareRaw/BareRaw.dll ]] || die "$RESULTS/BareRaw is not published (unset SKIP_PUBLISH)"
  dotnet "$RESULTS/BareRaw/BareRaw.dll" --urls "http://127.0.0.1:$PORT_RAW" \
    >"$RUN_DIR/raw.log" 2>&1 &
  PIDS[raw]=$!
fi
if has_target edge; then
  [[ -x $RESULTS/edge/edge ]] || die "$RESULTS/edge/edge is not published (unset SKIP_PUBLISH)"
  EDGE_DATA=$(mktemp -d /tmp/edge-bench.XXXXXX)
  EDGE_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  EDGE_ADMIN_TOKEN=$EDGE_TOKEN "$RESULTS/edge/edge" --data "$EDGE_DATA" \
    --port "$PORT_EDGE" --admin-port "$PORT_EDGE_ADMIN" >"$RUN_DIR/edge.log" 2>&1 &
  PIDS[edge]=$!
fi

if has_target minimal; then wait_ready minimal "http://127.0.0.1:$PORT_MINIMAL/hello"; fi
if has_target raw; then wait_ready raw "http://127.0.0.1:$PORT_RAW/hello"; fi

# Admin call: prints the body; fails unless the status is 2xx and the envelope says ok.
admin() {
  local method=$1 path=$2 data=${3:-} out status body
  local args=(-sS -X "$method" --max-time 60 -w '\n%{http_code}' -H "Authorization: Bearer $EDGE_TOKEN")
  if [[ -n $data ]]; then args+=(-H 'Content-Type: application/json' --data "$data"); fi
  out=$(curl "${args[@]}" "http://127.0.0.1:$PORT_EDGE_ADMIN$path") ||
    die "admin $method $path: request failed"
  status=${out##*$'\n'}
  body=${out%$'\n'*}
  if [[ $status != 2?? ]] || ! grep -Eq '"ok"[[:space:]]*:[[:space:]]*true' <<<"$body"; then
    die "admin $method $path answered $status: $body"
  fi
  printf '%s' "$body"
}

if has_target edge; then
  wait_ready edge "http://127.0.0.1:$PORT_EDGE_ADMIN/api/health"
  log "creating and deploying the hello endpoint"
  endpoint='{"name":"hello","path":"/hello","method":"GET","domain":"*","code":"Response Handle(Context ctx, Request req) => Response.Ok(new { message = \"hello\" });"}'
  created=$(admin POST /api/endpoints "$endpoint")
  id=$(grep -Eo '"id"[[:space:]]*:[[:space:]]*"[^"]+"' <<<"$created" | head -n 1 | sed -E 's/.*"([^"]+)"$/\1/' || true)
  [[ -n $id ]] || die "no endpoint id in the create response: $created"
  admin POST "/api/endpoints/$id/deploy" >/dev/null
fi

# Every target must answer 200 with exactly the same bytes before anything is measured.
for t in "${TARGET_LIST[@]}"; do
  url="http://127.0.0.1:$(port_of "$t")/hello"
  out=$(curl -sS --max-time 10 -w '\n%{http_code}' "$url") || die "$t: GET $url failed"
  status=${out##*$'\n'}
  body=${out%$'\n'*}
  [[ $status == 200 ]] || die "$t: GET $url answered $status: $body"
  [[ $body == "$EXPECTED_BODY" ]] || die "$t: GET $url body is '$body', expected '$EXPECTED_BODY'"
  log "$t: 200 $body"
done

# ---------------------------------------------------------------------------------------------
FAILED_RUNS=0

# CPU accounting, to tell how much other work shared the machine with a run. /proc/stat fields:
# user nice system idle iowait irq softirq steal. irq/softirq are left out of "busy": loopback
# networking lands there without being charged to wrk or the server.
HZ=$(getconf CLK_TCK)
TIMES_FILE="$RUN_DIR/.times"
machine_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
proc_jiffies() { { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null || echo; } | awk '{ print $12 + $13 }'; }
# CPU time of the shell's reaped children, from `times` (a builtin: run here, not in a subshell).
children_jiffies() {
  awk -v hz="$HZ" 'NR == 2 {
    t = 0
    for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] }
    printf "%d\n", t * hz
  }' "$TIMES_FILE"
}

# One wrk run into $3; dies if wrk itself fails (no server, bad flags). Sets OTHERS_PCT: the share
# of the machine (both cores = 100) used during the run by anything but wrk and the target.
OTHERS_PCT=0
run_wrk() {
  local t=$1 secs=$2 file=$3 url m0 m1 s0 s1 c0 c1
  url="http://127.0.0.1:$(port_of "$t")/hello"
  m0=$(machine_jiffies)
  s0=$(proc_jiffies "${PIDS[$t]}")
  times >"$TIMES_FILE"
  c0=$(children_jiffies)
  # In the background so that a signal interrupts the wait at once instead of after the run.
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --latency "$url" >"$file" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || die "$t: wrk failed: $(tail -n 3 "$file")"
  WRK_PID=""
  times >"$TIMES_FILE"
  c1=$(children_jiffies)
  s1=$(proc_jiffies "${PIDS[$t]}")
  m1=$(machine_jiffies)
  OTHERS_PCT=$(awk -v m0="$m0" -v m1="$m1" -v own=$(((s1 - s0) + (c1 - c0))) 'BEGIN {
    split(m0, a, " "); split(m1, b, " "); total = b[2] - a[2]; other = b[1] - a[1] - own;
    printf "%.0f\n", (total > 0 && other > 0) ? 100 * other / total : 0 }')
}

# Prints "rps non2xx socket_errors p50_ms p99_ms" from a wrk --latency output.
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000;
      if (v ~ /ms$/) return v + 0;
      if (v ~ /m$/) return v * 60000;
      if (v ~ /s$/) return v * 1000;
      return v + 0;
    }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { gsub(/,/, ""); sock = $4 + $6 + $8 + $10 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.2f %d %d %.3f %.3f\n", rps + 0, non2xx + 0, sock + 0, p50 + 0, p99 + 0 }
  ' "$1"
}

# Percent of CPU busy over one second while no benchmark runs: other work on the machine.
cpu_busy_pct() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  sleep 1
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    split(a, x, " "); split(b, y, " "); t = y[1] - x[1]; i = y[2] - x[2];
    printf "%.0f\n", (t > 0) ? 100 * (t - i) / t : 0 }'
}

check_run() {
  local t=$1 label=$2 non2xx=$3 sock=$4
  if ((non2xx > 0 || sock > 0)); then
    log "   !! $t $label: $non2xx non-2xx/3xx responses, $sock socket errors"
    FAILED_RUNS=$((FAILED_RUNS + 1))
  fi
}

log "== warm-up: ${WARMUP}s per target"
if ((WARMUP > 0)); then
  for t in "${TARGET_LIST[@]}"; do
    run_wrk "$t" "$WARMUP" "$RUN_DIR/warmup-$t.txt"
    read -r rps non2xx sock _ _ < <(parse_wrk "$RUN_DIR/warmup-$t.txt")
    printf '   %-8s %10.0f req/s (warm-up)\n' "$t" "$rps" >&2
    check_run "$t" warm-up "$non2xx" "$sock"
  done
fi

log "== $ROUNDS rounds x ${DURATION}s, wrk -t$THREADS -c$CONNECTIONS, order rotated each round"
declare -A RPS=() P50=() P99=() NON2XX=() SOCK=() BUSY=() OTHERS=()
BUSY_WARNED=0
n=${#TARGET_LIST[@]}
for ((r = 0; r < ROUNDS; r++)); do
  for ((k = 0; k < n; k++)); do
    # Rotating the start keeps any drift (thermal, neighbours) from always hitting the same target.
    t=${TARGET_LIST[$(((r + k) % n))]}
    file="$RUN_DIR/round$((r + 1))-$t.txt"
    busy=$(cpu_busy_pct)
    # On a shared machine, optionally wait (bounded) for other work to calm down before the run.
    for ((w = 1; w < WAIT_QUIET && busy > BUSY_LIMIT; w++)); do busy=$(cpu_busy_pct); done
    BUSY[$t]+="$busy "
    run_wrk "$t" "$DURATION" "$file"
    OTHERS[$t]+="$OTHERS_PCT "
    if ((busy > BUSY_LIMIT || OTHERS_PCT > BUSY_LIMIT)); then BUSY_WARNED=$((BUSY_WARNED + 1)); fi
    read -r rps non2xx sock p50 p99 < <(parse_wrk "$file")
    printf '   round %d/%d  %-8s %10.0f req/s  p50 %6.2f ms  p99 %6.2f ms  other work: before %2d%%, during %2d%%\n' \
      $((r + 1)) "$ROUNDS" "$t" "$rps" "$p50" "$p99" "$busy" "$OTHERS_PCT" >&2
    RPS[$t]+="$rps "
    P50[$t]+="$p50 "
    P99[$t]+="$p99 "
    NON2XX[$t]=$((${NON2XX[$t]:-0} + non2xx))
    SOCK[$t]=$((${SOCK[$t]:-0} + sock))
    check_run "$t" "round $((r + 1))" "$non2xx" "$sock"
  done
done

# ---------------------------------------------------------------------------------------------
# "median min max" of a list of numbers.
stats() {
  tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '
    { v[NR] = $1 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
      printf "%.2f %.2f %.2f\n", m, v[1], v[NR];
    }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "null" }'; }

declare -A MED=() MIN=() MAX=() P50M=() P99M=()
for t in "${TARGET_LIST[@]}"; do
  read -r MED[$t] MIN[$t] MAX[$t] < <(stats "${RPS[$t]}")
  read -r P50M[$t] _ _ < <(stats "${P50[$t]}")
  read -r P99M[$t] _ _ < <(stats "${P99[$t]}")
done

declare -A RATIOS=()
RATIO_ORDER=()
add_ratio() {
  if has_target "$1" && has_target "$2"; then
    RATIOS["$1/$2"]=$(ratio "${MED[$1]}" "${MED[$2]}")
    RATIO_ORDER+=("$1/$2")
  fi
}
add_ratio edge minimal
add_ratio edge raw
add_ratio raw minimal

{
  printf '\n%-8s %10s %10s %10s %9s %9s %8s %8s  %s\n' \
    target 'median/s' 'min/s' 'max/s' 'p50 ms' 'p99 ms' non2xx sockerr gc
  for t in "${TARGET_LIST[@]}"; do
    printf '%-8s %10.0f %10.0f %10.0f %9.2f %9.2f %8d %8d  %s\n' "$t" "${MED[$t]}" "${MIN[$t]}" \
      "${MAX[$t]}" "${P50M[$t]}" "${P99M[$t]}" "${NON2XX[$t]}" "${SOCK[$t]}" "${GC[$t]}"
  done
  printf '\n'
  for k in "${RATIO_ORDER[@]}"; do
    case "$k" in
      edge/minimal) goal=' (goal >= 1.00)' ;;
      edge/raw) goal=' (goal >= 0.85)' ;;
      *) goal='' ;;
    esac
    printf 'ratio %-13s %s%s\n' "$k" "${RATIOS[$k]}" "$goal"
  done
  if ((BUSY_WARNED > 0)); then
    printf '\nwarning: in %d of %d runs other work kept the machine over %d%% busy (before or during);\n' \
      "$BUSY_WARNED" $((ROUNDS * n)) "$BUSY_LIMIT"
    printf '         those figures are suspect (see "other work" per run above; re-run when quiet)\n'
  fi
  printf '\n'
}

# ---------------------------------------------------------------------------------------------
json_list() { tr ' ' '\n' <<<"$1" | grep -v '^$' | paste -sd, -; }
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=false
if [[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null || true) ]]; then dirty=true; fi
ok=true
((FAILED_RUNS == 0)) || ok=false
json="$RESULTS/load-$STAMP.json"
{
  printf '{\n'
  printf '  "timestamp": "%s",\n' "$STAMP"
  printf '  "commit": "%s",\n  "dirty": %s,\n' "$commit" "$dirty"
  printf '  "machine": {"cpus": %d, "kernel": "%s"},\n' "$(nproc)" "$(uname -r)"
  printf '  "settings": {"rounds": %d, "duration_s": %d, "warmup_s": %d, "threads": %d, "connections": %d, "wait_quiet_s": %d, "busy_limit_pct": %d, "ports": {"edge": %d, "edge_admin": %d, "minimal": %d, "raw": %d}},\n' \
    "$ROUNDS" "$DURATION" "$WARMUP" "$THREADS" "$CONNECTIONS" "$WAIT_QUIET" "$BUSY_LIMIT" \
    "$PORT_EDGE" "$PORT_EDGE_ADMIN" "$PORT_MINIMAL" "$PORT_RAW"
  printf '  "targets": {\n'
  i=0
  for t in "${TARGET_LIST[@]}"; do
    i=$((i + 1))
    printf '    "%s": {"median_rps": %s, "min_rps": %s, "max_rps": %s, "p50_ms_median": %s, "p99_ms_median": %s, "non2xx": %d, "socket_errors": %d, "gc": "%s", "runs_rps": [%s], "runs_other_before_pct": [%s], "runs_other_during_pct": [%s]}' \
      "$t" "${MED[$t]}" "${MIN[$t]}" "${MAX[$t]}" "${P50M[$t]}" "${P99M[$t]}" "${NON2XX[$t]}" \
      "${SOCK[$t]}" "${GC[$t]}" "$(json_list "${RPS[$t]}")" "$(json_list "${BUSY[$t]}")" "$(json_list "${OTHERS[$t]}")"
    if ((i < ${#TARGET_LIST[@]})); then printf ',\n'; else printf '\n'; fi
  done
  printf '  },\n'
  printf '  "ratios": {'
  i=0
  for k in "${RATIO_ORDER[@]}"; do
    i=$((i + 1))
    printf '"%s": %s' "${k/\//_over_}" "${RATIOS[$k]}"
    if ((i < ${#RATIO_ORDER[@]})); then printf ', '; fi
  done
  printf '},\n'
  printf '  "noisy_runs": %d,\n  "failed_runs": %d,\n  "ok": %s\n}\n' "$BUSY_WARNED" "$FAILED_RUNS" "$ok"
} >"$json"
log "wrote $json (raw wrk output in $RUN_DIR)"

((FAILED_RUNS == 0)) || die "$FAILED_RUNS run(s) had non-2xx responses or socket errors"
