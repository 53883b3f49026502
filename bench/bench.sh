#!/usr/bin/env bash
# The benchmark suite (see bench/README.md). Usage: bench/bench.sh overhead|validation|issuance|login|all
# Every process runs from a Release publish; every result is reported next to a baseline measured in the same run.
# Measurements hold $BENCH_LOCK (the shared build lock, so no build runs alongside) for one group of runs at a time.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/.out}
LOCK=${BENCH_LOCK:-/tmp/dotnet.lock}
DURATION=${DURATION:-10}          # seconds per measured wrk run
CONNECTIONS=${CONNECTIONS:-32}    # wrk -t1 -c$CONNECTIONS, as in the issue's baselines
WARMUP=${WARMUP:-60}              # seconds of load per process before the first measured run (the JIT-compiled plain YARP and
                                  # backend keep speeding up for 40-60 s of load; a shorter warm-up flatters the gateway)
DISTINCT_TOKENS=${DISTINCT_TOKENS:-200000}   # per round of distinct-token runs
ROUNDS=${ROUNDS:-3}               # rounds of the saturation runs (overhead); ratios are the median of the rounds' ratios
BASE_PORT=${BASE_PORT:-17300}
BIN=$OUT/bin
# GATEWAY_BUILD=jit: measure the gateway JIT-compiled with server GC (the build before optimisation 16) instead of
# the native executable that ships, for the same-run comparison of the two (docs/performance.md).
GATEWAY_BUILD=${GATEWAY_BUILD:-native}
case $GATEWAY_BUILD in
  native) GATEWAY_DIR=$BIN/gateway; GATEWAY_CMD=("$GATEWAY_DIR/Gateway"); GATEWAY_PUBLISH=(); REPORT=overhead ;;
  jit) GATEWAY_DIR=$BIN/gateway-jit; GATEWAY_CMD=(dotnet "$GATEWAY_DIR/Gateway.dll")
       GATEWAY_PUBLISH=(-p:PublishAot=false -p:ServerGarbageCollection=true); REPORT=overhead-jit ;;
  *) echo "GATEWAY_BUILD is native or jit" >&2; exit 2 ;;
esac
PIDS=()

log() { printf '\n== %s\n' "$*" >&2; }

ensure_wrk() {
  command -v wrk >/dev/null && return
  log "installing wrk from Debian's packages"
  apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
}

publish() {
  log "publishing Release builds"
  [[ -n ${SKIP_PUBLISH:-} ]] && return
  flock "$LOCK" dotnet publish -c Release --nologo -v q "${GATEWAY_PUBLISH[@]}" -o "$GATEWAY_DIR" "$ROOT/src/Gateway" >/dev/null
  flock "$LOCK" dotnet publish -c Release --nologo -v q -o "$BIN/benchhost" "$ROOT/bench/BenchHost" >/dev/null
}

machine() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); cores: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# start NAME URL-TO-POLL COMMAND...: starts a process in the background, waits until URL answers.
start() {
  local name=$1 url=$2; shift 2
  "$@" >"$OUT/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_${name//-/_}=$!"
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "$url" && return
    sleep 0.1
  done
  echo "$name did not start; see $OUT/$name.log" >&2
  exit 1
}

stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT

rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# wrk_run NAME PID URL TOKEN_COUNT CONNECTIONS [DELAY_MS] [TOKEN_OFFSET]: one measured run; appends "name rps p99_ms
# cores peak_rss_mb requests non2xx"
wrk_run() {
  local name=$1 pid=$2 url=$3 count=$4 conns=$5 pause=${6:-0} offset=${7:-0}
  local ticks_before peak=0 sampler
  ticks_before=$(cpu_ticks "$pid")
  ( while sleep 0.5; do rss_mb "$pid"; echo; done ) >"$OUT/rss-$name.txt" 2>/dev/null &
  sampler=$!
  TOKENS="$OUT/tokens/tokens.txt" TOKEN_COUNT=$count TOKEN_OFFSET=$offset DELAY_MS=$pause \
    wrk -t1 -c"$conns" -d"${DURATION}s" --latency -s "$ROOT/bench/tokens.lua" "$url" >"$OUT/wrk-$name.txt"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  local ticks=$(( $(cpu_ticks "$pid") - ticks_before ))
  peak=$(sort -n "$OUT/rss-$name.txt" | tail -1)
  awk -v name="$name" -v ticks="$ticks" -v hz="$(getconf CLK_TCK)" -v secs="$DURATION" -v peak="$peak" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { p99 = ms($2) }
    /requests in/ { total = $1 }
    /Non-2xx/ { bad = $NF }
    END { printf "%s %.0f %.2f %.2f %s %s %s\n", name, rps, p99, ticks / hz / secs, peak, total, bad + 0 }' \
    "$OUT/wrk-$name.txt" | tee -a "$OUT/$REPORT.txt" >&2
}

field() { awk -v name="$1" -v col="$2" '$1 == name { print $col }' "$OUT/$REPORT.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# row_name NAME ROUND: the report's row for NAME in that round ("NAME" in round 1, "NAME#ROUND" after).
row_name() { if (( $2 == 1 )); then echo "$1"; else echo "$1#$2"; fi; }
# median: the median of the numbers on standard input, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# rounds_median NAME COLUMN: the median over the rounds of NAME's COLUMN.
rounds_median() {
  local round
  for round in $(seq 1 "$ROUNDS"); do field "$(row_name "$1" "$round")" "$2"; done | median
}
# rounds_ratio A B: the median over the rounds of A's req/s ÷ B's, then every round's ratio.
rounds_ratio() {
  local round each=()
  for round in $(seq 1 "$ROUNDS"); do
    each+=("$(ratio "$(field "$(row_name "$1" "$round")" 2)" "$(field "$(row_name "$2" "$round")" 2)")")
  done
  printf '%s\n' "${each[@]}" | median | awk '{ printf "%.2f", $1 }'
  if (( ROUNDS > 1 )); then local all="${each[*]}"; echo " (rounds: ${all// /, })"; fi
}
# saturation_rounds COUNT SLICE RUN...: ROUNDS rounds of the measured runs NAME:PID:URL, in reverse order on even rounds
# (so a host that speeds up or slows down during a round weighs on both sides of a ratio), each run with COUNT tokens
# from the file, round r's starting after the first (r - 1) × SLICE; rows after the first round are named "NAME#r".
saturation_rounds() {
  local count=$1 slice=$2 round order
  shift 2
  for round in $(seq 1 "$ROUNDS"); do
    order="$*"
    if (( round % 2 == 0 )); then order=$(printf '%s\n' "$@" | tac | xargs); fi
    flock "$LOCK" bash -c "
      $(declare -f wrk_run rss_mb cpu_ticks row_name); OUT=$OUT ROOT=$ROOT DURATION=$DURATION REPORT=$REPORT
      for run in $order; do
        IFS=: read -r name pid url <<<\"\$run\"
        wrk_run \$(row_name \$name $round) \$pid \$url $count $CONNECTIONS 0 $(( (round - 1) * slice ))
      done"
  done
}

gateway_env() {
  # $1 port, $2 validated-token cache size
  echo "ASPNETCORE_URLS=http://127.0.0.1:$1" "ASPNETCORE_CONTENTROOT=$GATEWAY_DIR" \
    "TokenVerification__Authority=http://127.0.0.1:$BACKEND_PORT" \
    "TokenVerification__Issuer=https://issuer.test" \
    "TokenVerification__AllowInsecureHttpMetadata=true" \
    "TokenVerification__ValidatedTokenCacheSize=$2" \
    "ReverseProxy__Clusters__orders__Destinations__primary__Address=http://127.0.0.1:$BACKEND_PORT" \
    "Gateway__RateLimits__PerSubject__PermitLimit=1000000000" \
    "Gateway__RateLimits__PerAddress__PermitLimit=1000000000" \
    "Logging__LogLevel__Default=Warning"
}

overhead() {
  ensure_wrk
  ulimit -n "$(ulimit -Hn)"
  BACKEND_PORT=$BASE_PORT; local yarp=$((BASE_PORT + 1)) gw_off=$((BASE_PORT + 2)) gw_on=$((BASE_PORT + 3)) stock=$((BASE_PORT + 4))
  if [[ ! -s $OUT/tokens/tokens.txt || -n $(find "$OUT/tokens/tokens.txt" -mmin +40) \
        || $(wc -l <"$OUT/tokens/tokens.txt") -lt $((DISTINCT_TOKENS * ROUNDS)) ]]; then
    log "minting $((DISTINCT_TOKENS * ROUNDS)) tokens"
    dotnet "$BIN/benchhost/BenchHost.dll" mint "$OUT/tokens" "$((DISTINCT_TOKENS * ROUNDS))"
  fi
  start backend "http://127.0.0.1:$BACKEND_PORT/orders/x" dotnet "$BIN/benchhost/BenchHost.dll" backend "$BACKEND_PORT" "$OUT/tokens/jwks.json"
  start yarp "http://127.0.0.1:$yarp/api/orders/x" dotnet "$BIN/benchhost/BenchHost.dll" yarp "$yarp" "http://127.0.0.1:$BACKEND_PORT"
  start yarp-jwtbearer "http://127.0.0.1:$stock/api/orders/x" \
    dotnet "$BIN/benchhost/BenchHost.dll" yarp-jwtbearer "$stock" "http://127.0.0.1:$BACKEND_PORT"
  # shellcheck disable=SC2046
  start gateway-nocache "http://127.0.0.1:$gw_off/health/ready" env $(gateway_env "$gw_off" 0) "${GATEWAY_CMD[@]}"
  # shellcheck disable=SC2046
  start gateway "http://127.0.0.1:$gw_on/health/ready" env $(gateway_env "$gw_on" 10000) "${GATEWAY_CMD[@]}"
  local idle_gateway idle_yarp
  idle_gateway=$(rss_mb "$PID_gateway"); idle_yarp=$(rss_mb "$PID_yarp")
  : >"$OUT/$REPORT.txt"
  local direct_url="http://127.0.0.1:$BACKEND_PORT/orders/1" yarp_url="http://127.0.0.1:$yarp/api/orders/1"
  local off_url="http://127.0.0.1:$gw_off/api/orders/1" on_url="http://127.0.0.1:$gw_on/api/orders/1"
  local stock_url="http://127.0.0.1:$stock/api/orders/1"
  local before after
  before=$(machine)

  log "saturation, reused tokens (one per connection): direct, plain YARP, YARP with stock JwtBearer, gateway without and with the cache"
  flock "$LOCK" bash -c "
    for url in $direct_url $yarp_url $stock_url $off_url $on_url; do
      TOKENS=$OUT/tokens/tokens.txt TOKEN_COUNT=$CONNECTIONS wrk -t1 -c$CONNECTIONS -d${WARMUP}s -s $ROOT/bench/tokens.lua \$url >/dev/null
    done"
  saturation_rounds "$CONNECTIONS" 0 "direct:$PID_backend:$direct_url" "yarp:$PID_yarp:$yarp_url" \
    "stock-jwtbearer-reused:$PID_yarp_jwtbearer:$stock_url" \
    "gateway-nocache-reused:$PID_gateway_nocache:$off_url" "gateway-reused:$PID_gateway:$on_url"

  # Each round's distinct tokens are its own slice of the file: a token one round sent is never sent again, so the
  # cache's admission (a token validated twice) cannot turn later rounds into hits.
  log "saturation, a distinct token per request"
  saturation_rounds "$DISTINCT_TOKENS" "$DISTINCT_TOKENS" "yarp-distinct:$PID_yarp:$yarp_url" \
    "stock-jwtbearer-distinct:$PID_yarp_jwtbearer:$stock_url" \
    "gateway-nocache-distinct:$PID_gateway_nocache:$off_url" "gateway-distinct:$PID_gateway:$on_url"

  # 60 % of the gateway's saturation (reused tokens), offered to plain YARP and the gateway alike: each of the
  # connections waits 1 ms before each request, so the offered rate is about connections / (1 ms + latency).
  local target conns
  target=$(awk -v r="$(rounds_median gateway-reused 2)" 'BEGIN { printf "%.0f", r * 0.6 }')
  conns=$(awk -v t="$target" 'BEGIN { c = int(t * 1.25 / 1000 + 0.5); print (c < 1 ? 1 : c) }')
  log "latency at ~60 % of the gateway's saturation ($target req/s offered over $conns connections)"
  flock "$LOCK" bash -c "
    $(declare -f wrk_run rss_mb cpu_ticks); OUT=$OUT ROOT=$ROOT DURATION=$DURATION REPORT=$REPORT
    wrk_run yarp-60pct $PID_yarp $yarp_url $conns $conns 1
    wrk_run gateway-nocache-60pct $PID_gateway_nocache $off_url $conns $conns 1
    wrk_run gateway-60pct $PID_gateway $on_url $conns $conns 1"

  log "1,000 connections, each reusing its own token"
  flock "$LOCK" bash -c "
    $(declare -f wrk_run rss_mb cpu_ticks); OUT=$OUT ROOT=$ROOT DURATION=$DURATION REPORT=$REPORT
    wrk_run yarp-1000conns $PID_yarp $yarp_url 1000 1000
    wrk_run gateway-1000conns $PID_gateway $on_url 1000 1000"
  after=$(machine)

  local most_requests
  most_requests=$(for round in $(seq 1 "$ROUNDS"); do field "$(row_name gateway-distinct "$round")" 6; done | sort -n | tail -1)
  {
    echo "# Scenario 1 (gateway overhead) and 5 (memory)"
    echo
    echo "before: $before"
    echo "after:  $after"
    echo "gateway build: $GATEWAY_BUILD"
    echo "wrk -t1, ${DURATION}s per run, $CONNECTIONS connections unless named, $ROUNDS rounds of the saturation runs (ratios: the median of the rounds'); tokens RS256 2048-bit, ~$(head -1 "$OUT/tokens/tokens.txt" | wc -c) bytes"
    echo
    echo "| run | req/s | p99 ms | CPU cores used | peak RSS MB | requests | non-2xx |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    awk '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$OUT/$REPORT.txt"
    echo
    echo "| ratio | measured | target |"
    echo "| --- | ---: | ---: |"
    echo "| plain YARP / direct | $(rounds_ratio yarp direct) | (issue's baseline 0.39-0.41) |"
    echo "| gateway, reused tokens / plain YARP | $(rounds_ratio gateway-reused yarp) | >= 0.90 |"
    echo "| gateway without cache, reused tokens / plain YARP | $(rounds_ratio gateway-nocache-reused yarp) | |"
    echo "| YARP with stock JwtBearer, reused tokens / plain YARP | $(rounds_ratio stock-jwtbearer-reused yarp) | (issue's baseline 0.58) |"
    echo "| gateway, reused tokens / YARP with stock JwtBearer | $(rounds_ratio gateway-reused stock-jwtbearer-reused) | > 1 |"
    echo "| gateway, distinct tokens / plain YARP | $(rounds_ratio gateway-distinct yarp-distinct) | >= 0.70 |"
    echo "| gateway without cache, distinct tokens / plain YARP | $(rounds_ratio gateway-nocache-distinct yarp-distinct) | |"
    echo "| YARP with stock JwtBearer, distinct tokens / plain YARP | $(rounds_ratio stock-jwtbearer-distinct yarp-distinct) | |"
    echo "| gateway, distinct tokens / YARP with stock JwtBearer | $(rounds_ratio gateway-distinct stock-jwtbearer-distinct) | |"
    echo "| distinct-token requests per token of its round's slice (the most of any round) | $(ratio "$most_requests" "$DISTINCT_TOKENS") | <= 1 (no token reused) |"
    echo "| added p99 at ~60 %, gateway - plain YARP (ms) | $(awk -v a="$(field gateway-60pct 3)" -v b="$(field yarp-60pct 3)" 'BEGIN { printf "%.2f", a - b }') | <= 0.5 |"
    echo "| added p99 at ~60 %, gateway without cache - plain YARP (ms) | $(awk -v a="$(field gateway-nocache-60pct 3)" -v b="$(field yarp-60pct 3)" 'BEGIN { printf "%.2f", a - b }') | |"
    echo "| gateway RSS idle / plain YARP idle (MB) | $idle_gateway / $idle_yarp | |"
    echo "| gateway peak RSS at 1,000 connections (MB) | $(field gateway-1000conns 5) | < 150 |"
  } | tee "$OUT/$REPORT.md"
}

validation() {
  log "BenchmarkDotNet, in process (Release)"
  flock "$LOCK" dotnet publish -c Release --nologo -v q -o "$BIN/validation" "$ROOT/bench/Validation" >/dev/null
  machine
  (cd "$OUT" && flock "$LOCK" dotnet "$BIN/validation/Validation.dll" --filter '*' --artifacts "$OUT/validation")
  machine
}

publish_tokenserviceload() {
  log "publishing Release builds of the token service and its load driver"
  [[ -n ${SKIP_PUBLISH:-} ]] || flock "$LOCK" dotnet publish -c Release --nologo -v q -o "$BIN/tokenserviceload" "$ROOT/bench/TokenServiceLoad" >/dev/null
}

issuance() {
  ensure_wrk
  publish_tokenserviceload
  # BASELINE_REV=<git revision>: also measure that revision's token service, in turns with this one (before/after in one run).
  local baseline=()
  if [[ -n ${BASELINE_REV:-} ]]; then
    log "publishing the token service of $BASELINE_REV as the baseline"
    rm -rf "$OUT/baseline-src" && mkdir -p "$OUT/baseline-src"
    git -C "$ROOT" archive "$BASELINE_REV" | tar -x -C "$OUT/baseline-src"
    flock "$LOCK" dotnet publish -c Release --nologo -v q -o "$BIN/baseline" "$OUT/baseline-src/src/TokenService" >/dev/null
    baseline=("$BIN/baseline/TokenService.dll")
  fi
  log "scenario 3: client_credentials and refresh grants against a throwaway PostgreSQL, with their bounds"
  { echo "before: $(machine)${BASELINE_REV:+; baseline: $BASELINE_REV ($(git -C "$ROOT" rev-parse --short "$BASELINE_REV"))}"
    flock "$LOCK" dotnet "$BIN/tokenserviceload/TokenServiceLoad.dll" issuance "$BIN/tokenserviceload/TokenService.dll" "$DURATION" "${baseline[@]}"
    echo "after:  $(machine)"; } | tee "$OUT/issuance.md"
}

login() {
  ensure_wrk
  ulimit -n "$(ulimit -Hn)"
  publish_tokenserviceload
  log "scenarios 4 and 5 (token service): sign-ins, then memory at 1,000 connections, against a throwaway PostgreSQL"
  { echo "before: $(machine)"
    flock "$LOCK" dotnet "$BIN/tokenserviceload/TokenServiceLoad.dll" login "$BIN/tokenserviceload/TokenService.dll" "$DURATION"
    echo "after:  $(machine)"; } | tee "$OUT/login.md"
}

mkdir -p "$OUT"
case ${1:-all} in
  overhead) publish; overhead ;;
  issuance) issuance ;;
  login) login ;;
  validation) validation ;;
  all) publish; overhead; stop_all; PIDS=(); validation; issuance; login ;;
  *) echo "usage: $0 overhead|validation|issuance|login|all" >&2; exit 2 ;;
esac
