#!/usr/bin/env bash
# Load benchmark of blastwall-webhook on loopback over real TLS.
#
# Runs the webhook with the full rule pack and the tenancy fixture config, and the
# same binary in --fixed-response mode (same axum + rustls stack, no evaluation), in
# the same run, each under:
#   max:   wrk closed loop, 2 threads x 16 connections (throughput)
#   paced: oha offering $RATE req/s (default 2,000) over $CONNS connections; each
#          request's latency from when it was sent
#   open:  the same requests, each latency from when the request was due (oha's
#          latency correction: a late answer that holds back the next request, a
#          queue, shows in the figures; no coordinated omission)
# and reports p50/p99/max latency, the answered rate, errors, CPU time of the server
# per request (user + system, /proc) and peak RSS (VmHWM).
#
# The paced and open rows are one oha run at a fixed rate, every request recorded
# (`--db-url`, SQLite); the first $WARMUP s, while oha opens its connections (32 TLS
# handshakes at once take 0.1-0.2 s on 2 cores, and every request due meanwhile
# waits: 2% of a 10 s run), are left out: the API server keeps its connections.
# oha runs on the same machine as the server: the fixed-response server's own
# latencies in the same run say how much of a tail is the machine's.
#
# Usage: webhook/bench/load.sh   (DURATION=10 RATE=2000 CONNS=32 WARMUP=1 BIN=path/to/binary)
# Needs: wrk (apt-get install wrk), sqlite3, openssl, curl, cargo; installs oha with
# `cargo install --locked oha` when it is missing.
set -euo pipefail

for tool in wrk sqlite3 openssl curl; do
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
CONNS=${CONNS:-32}
WARMUP=${WARMUP:-1}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/webhook/bench"
DURATION=${DURATION:-10}
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

field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# cpu_ticks PID: user + system time of the process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# closed_loop PORT: wrk, 2 threads x 16 connections, as fast as answers come.
closed_loop() {
  BODY="$HERE/pod-create.json" \
    wrk -t2 -c16 -d"${DURATION}s" -s "$HERE/wrk.lua" \
    "https://localhost:$1/validate" | sed -n 's/^RESULT //p'
}

# at_rate PORT: oha offering $RATE req/s over $CONNS connections for $WARMUP +
# $DURATION s, every request recorded; prints `paced rps=… p50_ms=… …` (latency from
# when each request was sent) and `open …` (from when it was due), for the requests
# due after the warm-up, and `requests=N` (all of them, for the CPU per request).
at_rate() {
  local db="$TMP/oha-$1.db" out errors
  out=$(oha --no-tui --insecure -w -z "$((WARMUP + DURATION))s" -q "$RATE" \
    --latency-correction -c "$CONNS" --db-url "$db" \
    -m POST -T application/json -D "$HERE/pod-create.json" \
    "https://127.0.0.1:$1/validate" 2>&1)
  errors=$(awk '/Error distribution:/ { e = 1; next }
    e && /^ *\[[0-9]+\]/ { n = $1; gsub(/[^0-9]/, "", n); s += n }
    END { print s + 0 }' <<<"$out")
  local mode from
  for mode in paced open; do
    from=start
    [ "$mode" = open ] && from=start_latency_correction
    sqlite3 -separator ' ' "$db" \
      "SELECT (\"end\" - $from) * 1000, status FROM oha WHERE start_latency_correction >= $WARMUP ORDER BY 1" |
      awk -v mode="$mode" -v d="$DURATION" -v errors="$errors" '
        { v[NR] = $1; if ($2 != 200) bad++ }
        function pct(p,  i) { i = int(p * NR); if (i < p * NR) i++; return i < 1 ? 0 : v[i] }
        END { printf "%s rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d non2xx=%d\n",
                mode, NR / d, pct(0.5), pct(0.99), v[NR], errors, bad }'
  done
  echo "requests=$(sqlite3 "$db" 'SELECT count(*) FROM oha')"
}

ROW='%-16s %-6s %8s %9s %9s %9s %7s %7s %7s %9s\n'

# row NAME MODE RESULT CPU_US RSS_MIB
row() {
  printf "$ROW" "$1" "$2" "$(field rps "$3")" "$(field p50_ms "$3")" "$(field p99_ms "$3")" \
    "$(field max_ms "$3")" "$(field errors "$3")" "$(field non2xx "$3")" "$4" "$5"
}

bench() {
  local name=$1 port=$2 ops=$3
  shift 3
  start "$name" "$port" "$ops" "$@"
  # Sanity: the answer echoes the uid.
  curl -sf --cacert "$TMP/tls.crt" "https://localhost:$port/validate" \
    --data-binary @"$HERE/pod-create.json" | grep -q '3b1d7d0e-5f0c-4a55-9a7e-2f4f1b0c9e11'
  BODY="$HERE/pod-create.json" wrk -t1 -c4 -d2s -s "$HERE/wrk.lua" \
    "https://localhost:$port/validate" >/dev/null # warm-up
  local max rated rss t0 t1 t2 hz max_cpu rated_cpu
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks "$PID")
  max=$(closed_loop "$port")
  t1=$(cpu_ticks "$PID")
  rated=$(at_rate "$port")
  t2=$(cpu_ticks "$PID")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  max_cpu=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$(field requests "$max")" \
    'BEGIN { printf "%.0f", n ? t / hz / n * 1e6 : 0 }')
  rated_cpu=$(awk -v t=$((t2 - t1)) -v hz="$hz" -v n="$(field requests "$rated")" \
    'BEGIN { printf "%.0f", n ? t / hz / n * 1e6 : 0 }')
  row "$name" max "$max" "$max_cpu" "$((rss / 1024))"
  row "$name" paced "$(grep '^paced' <<<"$rated")" "$rated_cpu" "$((rss / 1024))"
  row "$name" open "$(grep '^open' <<<"$rated")" "$rated_cpu" "$((rss / 1024))"
  eval "${name//-/_}_max_rps=$(field rps "$max")"
}

echo "blastwall-webhook load benchmark: $(nproc) CPUs, ${DURATION}s per run, body $(wc -c <"$HERE/pod-create.json") bytes;" \
  "paced: $RATE req/s offered over $CONNS connections, the first ${WARMUP}s left out; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "$ROW" server mode req/s p50_ms p99_ms max_ms errors non2xx cpu_us rss_MiB
bench fixed-response 18443 18080 --fixed-response
bench webhook 18444 18081
awk -v w="$webhook_max_rps" -v f="$fixed_response_max_rps" \
  'BEGIN { printf "webhook throughput = %.0f%% of the fixed-response server\n", 100 * w / f }'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
