#!/usr/bin/env bash
# Soak test of blastwall-webhook on loopback over real TLS: sustained, paced load
# for minutes, sampled every interval.
#
# Each interval runs wrk (paced connections posting the Pod AdmissionReview of
# pod-create.json) and then reads the server's RSS from /proc. Prints one row per
# interval (throughput, p50/p99/max latency, errors, RSS) and flags RSS growth
# after warm-up: the last sample against the largest sample of the warm-up
# intervals. Exits 1 when RSS grew by more than GROWTH_PCT percent and
# GROWTH_MB megabytes, or when any request failed.
#
# Usage: webhook/bench/soak.sh
#   MINUTES=5 INTERVAL=15 CONNS=8 PACE_MS=4 WARMUP=2 GROWTH_PCT=10 GROWTH_MB=8 BIN=path
# CONFIG=path (default: fixtures/tenancy/blastwall.yaml).
# Needs: wrk, openssl, curl, bc (and cargo unless BIN is given). Installs nothing.
set -euo pipefail

for tool in wrk openssl curl bc; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "soak.sh: '$tool' is missing; on Debian/Ubuntu: apt-get install $tool" >&2
    exit 2
  fi
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/webhook/bench"
MINUTES=${MINUTES:-5}
INTERVAL=${INTERVAL:-15}
CONNS=${CONNS:-8}
PACE_MS=${PACE_MS:-4}
WARMUP=${WARMUP:-2}
GROWTH_PCT=${GROWTH_PCT:-10}
GROWTH_MB=${GROWTH_MB:-8}
PORT=${PORT:-18443}
OPS=${OPS:-18080}
CONFIG=${CONFIG:-$ROOT/fixtures/tenancy/blastwall.yaml}
if [ -z "${BIN:-}" ]; then
  echo "building blastwall-webhook (release)..." >&2
  (cd "$ROOT" && cargo build --release --quiet -p blastwall-webhook)
  TARGET=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  BIN="$TARGET/release/blastwall-webhook"
fi

TMP=$(mktemp -d)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$TMP/tls.key" -out "$TMP/tls.crt" 2>/dev/null

"$BIN" --tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key" \
  --listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$OPS" \
  --no-kube --config "$CONFIG" \
  2>"$TMP/server.log" &
PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$OPS/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf --cacert "$TMP/tls.crt" "https://localhost:$PORT/validate" \
  --data-binary @"$HERE/pod-create.json" | grep -q '3b1d7d0e-5f0c-4a55-9a7e-2f4f1b0c9e11' || {
  echo "soak.sh: the server does not answer:" >&2
  cat "$TMP/server.log" >&2
  exit 1
}

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$PID/status"; }
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

INTERVALS=$(((MINUTES * 60 + INTERVAL - 1) / INTERVAL))
echo "soak: $MINUTES min, $INTERVALS intervals of ${INTERVAL}s, $CONNS connections paced ${PACE_MS} ms, warm-up $WARMUP intervals"
printf '%-4s %8s %9s %9s %9s %8s %9s\n' "#" "req/s" "p50_ms" "p99_ms" "max_ms" "errors" "rss_mb"
RSS=()
FAILED=0
for i in $(seq 1 "$INTERVALS"); do
  out=$(BODY="$HERE/pod-create.json" PACE_MS=$PACE_MS \
    wrk -t1 -c"$CONNS" -d"${INTERVAL}s" -s "$HERE/wrk.lua" \
    "https://localhost:$PORT/validate" | sed -n 's/^RESULT //p')
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "soak.sh: the server died:" >&2
    cat "$TMP/server.log" >&2
    exit 1
  fi
  rss=$(rss_kb)
  RSS+=("$rss")
  errors=$(($(field errors "$out") + $(field non2xx "$out")))
  [ "$errors" -gt 0 ] && FAILED=1
  printf '%-4s %8s %9s %9s %9s %8s %9.1f\n' "$i" "$(field rps "$out")" \
    "$(field p50_ms "$out")" "$(field p99_ms "$out")" "$(field max_ms "$out")" \
    "$errors" "$(echo "$rss / 1024" | bc -l)"
done

# Growth: the last sample against the largest warm-up sample.
base=0
for j in $(seq 0 $((WARMUP - 1))); do
  [ "$j" -lt "${#RSS[@]}" ] && [ "${RSS[$j]}" -gt "$base" ] && base=${RSS[$j]}
done
last=${RSS[${#RSS[@]}-1]}
grown_kb=$((last - base))
pct=$(echo "100 * $grown_kb / $base" | bc -l)
printf 'rss after warm-up %.1f MB, at the end %.1f MB: %+.1f MB (%+.1f%%)\n' \
  "$(echo "$base / 1024" | bc -l)" "$(echo "$last / 1024" | bc -l)" \
  "$(echo "$grown_kb / 1024" | bc -l)" "$pct"
if [ "$INTERVALS" -le "$WARMUP" ]; then
  echo "soak.sh: no interval after warm-up; RSS growth not judged" >&2
elif [ "$(echo "$pct > $GROWTH_PCT" | bc)" = 1 ] && [ "$grown_kb" -gt $((GROWTH_MB * 1024)) ]; then
  echo "RSS GREW after warm-up (more than ${GROWTH_PCT}% and ${GROWTH_MB} MB)"
  FAILED=1
else
  echo "RSS flat after warm-up"
fi
[ "$FAILED" = 0 ] || echo "soak.sh: failed requests or RSS growth (see above)" >&2
exit "$FAILED"
