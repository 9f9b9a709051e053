#!/usr/bin/env bash
# Load benchmark of blastwall-webhook on loopback over real TLS.
#
# Runs the webhook with the full rule pack and the tenancy fixture config, and the
# same binary in --fixed-response mode (same axum + rustls stack, no evaluation), in
# the same run, each under:
#   max:   wrk closed loop, 2 threads x 16 connections (throughput)
#   paced: 8 connections, each pausing $PACE_MS ms between requests (~2,000 req/s)
#   open:  oha open loop at $RATE req/s with latency correction (a slow answer does
#          not hold back the next request, so queueing shows in the latencies)
# and reports p50/p99/max latency, throughput, errors and peak RSS (VmHWM).
#
# Usage: webhook/bench/load.sh   (DURATION=10 PACE_MS=4 RATE=2000 BIN=path/to/binary)
# Needs: wrk (apt-get install wrk), openssl, curl, cargo; installs oha with
# `cargo install --locked oha` when it is missing.
set -euo pipefail

for tool in wrk openssl curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "load.sh: '$tool' is missing; on Debian/Ubuntu: apt-get install $tool" >&2
    exit 2
  fi
done
if ! command -v oha >/dev/null 2>&1; then
  echo "load.sh: installing oha (cargo install --locked oha)..." >&2
  cargo install --locked --quiet oha
  PATH="$HOME/.cargo/bin:$PATH"
fi
RATE=${RATE:-2000}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/webhook/bench"
DURATION=${DURATION:-10}
PACE_MS=${PACE_MS:-4}
if [ -z "${BIN:-}" ]; then
  echo "building blastwall-webhook (release)..." >&2
  (cd "$ROOT" && cargo build --release --quiet -p blastwall-webhook)
  TARGET=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  BIN="$TARGET/release/blastwall-webhook"
fi

TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$TMP/tls.key" -out "$TMP/tls.crt" 2>/dev/null

# start NAME PORT OPSPORT [flags...]: starts the server, waits until ready, sets PID.
start() {
  local name=$1 port=$2 ops=$3
  shift 3
  "$BIN" --tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key" \
    --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$ops" \
    --no-kube --config "$ROOT/fixtures/tenancy/blastwall.yaml" "$@" \
    2>"$TMP/$name.log" &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$ops/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "load.sh: $name did not become ready:" >&2
  cat "$TMP/$name.log" >&2
  exit 1
}

run() {
  local port=$1 threads=$2 conns=$3 pace=$4
  BODY="$HERE/pod-create.json" PACE_MS=$pace \
    wrk -t"$threads" -c"$conns" -d"${DURATION}s" -s "$HERE/wrk.lua" \
    "https://localhost:$port/validate" | sed -n 's/^RESULT //p'
}

field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

bench() {
  local name=$1 port=$2 ops=$3
  shift 3
  start "$name" "$port" "$ops" "$@"
  # Sanity: the answer echoes the uid.
  curl -sf --cacert "$TMP/tls.crt" "https://localhost:$port/validate" \
    --data-binary @"$HERE/pod-create.json" | grep -q '3b1d7d0e-5f0c-4a55-9a7e-2f4f1b0c9e11'
  BODY="$HERE/pod-create.json" wrk -t1 -c4 -d2s -s "$HERE/wrk.lua" \
    "https://localhost:$port/validate" >/dev/null # warm-up
  local max paced rss
  max=$(run "$port" 2 16 0)
  paced=$(run "$port" 1 8 "$PACE_MS")
  open=$(open_loop "$port")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  printf '%-16s %-6s %8s %9s %9s %9s %7s %7s %9s\n' "$name" max \
    "$(field rps "$max")" "$(field p50_ms "$max")" "$(field p99_ms "$max")" \
    "$(field max_ms "$max")" "$(field errors "$max")" "$(field non2xx "$max")" "$((rss / 1024))"
  printf '%-16s %-6s %8s %9s %9s %9s %7s %7s %9s\n' "$name" paced \
    "$(field rps "$paced")" "$(field p50_ms "$paced")" "$(field p99_ms "$paced")" \
    "$(field max_ms "$paced")" "$(field errors "$paced")" "$(field non2xx "$paced")" "$((rss / 1024))"
  printf '%-16s %-6s %8s %9s %9s %9s %7s %7s %9s\n' "$name" "open" \
    "$(field rps "$open")" "$(field p50_ms "$open")" "$(field p99_ms "$open")" \
    "$(field max_ms "$open")" - "$(field non2xx "$open")" "$((rss / 1024))"
  eval "${name//-/_}_max_rps=$(field rps "$max")"
}

# open_loop PORT: oha at $RATE req/s for $DURATION s; prints `rps=… p50_ms=… …`.
open_loop() {
  oha --no-tui --insecure -z "${DURATION}s" -q "$RATE" --latency-correction -c 32 \
    -m POST -T application/json -D "$HERE/pod-create.json" \
    "https://localhost:$1/validate" 2>&1 | awk '
      # oha prints "<value> <unit>" (ms in 1.x, secs in older releases).
      function ms(v, unit) { return unit ~ /^s/ ? v * 1000 : (unit ~ /^(µs|us)/ ? v / 1000 : v) }
      /Requests\/sec:/ { rps = $2 }
      /Slowest:/ { max = ms($2, $3) }
      /^ *50(\.00)?% in/ { p50 = ms($3, $4) }
      /^ *99(\.00)?% in/ { p99 = ms($3, $4) }
      /\[200\]/ { ok = $3 }
      /\[[0-9]+\]/ && !/\[200\]/ { bad += $3 }
      END { printf "rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d\n", rps, p50, p99, max, bad }'
}

echo "blastwall-webhook load benchmark: $(nproc) CPUs, ${DURATION}s per run, body $(wc -c <"$HERE/pod-create.json") bytes"
printf '%-16s %-6s %8s %9s %9s %9s %7s %7s %9s\n' server mode req/s p50_ms p99_ms max_ms errors non2xx rss_MiB
bench fixed-response 18443 18080 --fixed-response
bench webhook 18444 18081
awk -v w="$webhook_max_rps" -v f="$fixed_response_max_rps" \
  'BEGIN { printf "webhook throughput = %.0f%% of the fixed-response server\n", 100 * w / f }'
