#!/bin/bash
# The recorded-log workflow end to end (docs/replay-benchmark.md): record a run on one local stack,
# export labeled, import it into a fresh stack, replay it straight, replay it with two kill -9s,
# replay it with another --alpha, relabel the recorded samples with sampled verdicts and replay on
# them. Run from the repository root; everything goes under $OUT (default /tmp/lodestone-replay).
# Stacks: A on ports 19092/18081, B on 29092/28081.
set -u
OUT=${OUT:-/tmp/lodestone-replay}
STEPS=${STEPS:-320}
mkdir -p "$OUT"
L=./lodestone
A="--bootstrap 127.0.0.1:19092 --registry http://127.0.0.1:18081"
B="--bootstrap 127.0.0.1:29092 --registry http://127.0.0.1:28081"
log() { echo "[$(date -u +%H:%M:%S)] $*"; }
last() { tail -n 1 "$1"; }
up() { # $1 name, $2 kafka port, $3 registry port
  $L up --data-dir "$OUT/$1" --kafka-port "$2" --registry-port "$3" > "$OUT/up-$1.log" 2>&1 &
  until grep -q "Schema registry:" "$OUT/up-$1.log" 2>/dev/null; do sleep 1; done
}
$L --version > /dev/null # builds once, before two stacks start
up A 19092 18081
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log "record: run --steps $STEPS"
$L run $A --steps "$STEPS" --json --report "$OUT/run" > "$OUT/run.out" 2> "$OUT/run.err"
log "run: $(last "$OUT/run.out")"
$L export $A --topic labeled --out "$OUT/labeled.avro" --json > "$OUT/export.out" 2>&1
log "export: $(last "$OUT/export.out")"
up B 29092 28081
$L import $B "$OUT/labeled.avro" --topic labeled --json > "$OUT/import.out" 2>&1
log "import into a fresh stack: $(last "$OUT/import.out")"
$L replay $B --from labeled --model-id replay-straight --steps "$STEPS" --json --report "$OUT/replay" \
  > "$OUT/replay.out" 2> "$OUT/replay.err"
log "replay: $(last "$OUT/replay.out")"
for k in 1 2; do
  $L replay $B --from labeled --model-id replay-killed --steps "$STEPS" --json \
    > "$OUT/killed-$k.out" 2> "$OUT/killed-$k.err" &
  P=$!
  until grep -q "running from step" "$OUT/killed-$k.err" 2>/dev/null; do sleep 1; done
  D=$((5 + RANDOM % 20))
  sleep $D
  pkill -9 -f "model-id replay-killed"
  wait $P 2> /dev/null
  log "kill -9 ${D}s after the replay ran ($(grep -o 'running from step [0-9]*' "$OUT/killed-$k.err"))"
done
$L replay $B --from labeled --model-id replay-killed --steps "$STEPS" --json \
  > "$OUT/killed-3.out" 2> "$OUT/killed-3.err"
log "resumed ($(grep -o 'running from step [0-9]*' "$OUT/killed-3.err")): $(last "$OUT/killed-3.out")"
$L replay $B --from labeled --model-id replay-alpha --alpha 0.3 --steps "$STEPS" --json \
  --report "$OUT/alpha" > "$OUT/alpha.out" 2> "$OUT/alpha.err"
log "replay --alpha 0.3: $(last "$OUT/alpha.out")"
$L relabel $A --from-time "$START" --labels sampled --seed 1 --json > "$OUT/relabel.out" 2> "$OUT/relabel.err"
log "relabel: $(last "$OUT/relabel.out")"
RANGE=$(last "$OUT/relabel.out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["replayFrom"])')
$L replay $A --from "$RANGE" --model-id replay-relabelled --steps "$STEPS" --json \
  --report "$OUT/relabelled" > "$OUT/relabelled.out" 2> "$OUT/relabelled.err"
log "replay on the new labels: $(last "$OUT/relabelled.out")"
pkill -f "data-dir $OUT/A"
pkill -f "data-dir $OUT/B"
