#!/usr/bin/env bash
# Instructions of one admission review, by callgrind: for each AdmissionReview given
# (default: the four under webhook/bench/), runs the admission_review bench binary
# under valgrind with 1 and with 1+N reviews and prints (difference) / N. The first
# review is left out of the difference: it compiles the rule set of its class (once
# per process), which is start-up, not the cost of a review. Only instructions inside
# `blastwall::admission::review` (decode, facts, rules, response) are counted: the
# set-up before (parsing and compiling the pack) varies by 1-2M instructions from
# run to run, which divided by N drowned the differences measured. Set WHOLE=1 to
# count the whole process as before.
#
# Usage: benches/review_instructions.sh [BIN] [BODY.json ...]   (N=50 unless set)
#   BIN: the bench executable (`cargo bench --bench admission_review --no-run`
#        prints its path); default: the newest target/release/deps/admission_review-*.
# Needs: valgrind.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-50}
BIN=${1:-$(ls -t "$ROOT"/target/release/deps/admission_review-* 2>/dev/null | grep -v '\.d$' | head -1)}
shift || true
BODIES=("$@")
if [ ${#BODIES[@]} -eq 0 ]; then
  BODIES=("$ROOT"/webhook/bench/{pod,configmap,service,servicemonitor}-create.json)
fi

TOGGLE=(--toggle-collect=blastwall::admission::review)
if [ -n "${WHOLE:-}" ]; then
  TOGGLE=()
fi

collected() {
  BLASTWALL_REVIEW_BODY=$1 BLASTWALL_REVIEWS=$2 \
    valgrind --tool=callgrind "${TOGGLE[@]}" --callgrind-out-file=/dev/null "$BIN" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

for body in "${BODIES[@]}"; do
  one=$(collected "$body" 1)
  many=$(collected "$body" $((N + 1)))
  echo "$(basename "$body"): $(((many - one) / N)) instructions per review"
done
