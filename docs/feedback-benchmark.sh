#!/bin/bash
# The human judge end to end (docs/feedback.md): `lodestone run --task perturbed-rps --judge human`
# on the local stack, with ANNOTATORS simulated annotators (`lodestone feedback annotate`) answering
# through the API with 0/1 verdicts drawn from the game's preferences, once per seed. Prints one
# row per run: the exploitability of version 0 (the warm-up policy) and of the last version, the
# lowest one evaluated, the labels the service published and how many a second it sustained.
# Run from the repository root; everything goes under $OUT (default /tmp/lodestone-feedback).
set -u
OUT=${OUT:-/tmp/lodestone-feedback}
SEEDS=${SEEDS:-"1 2 3"}
ANNOTATORS=${ANNOTATORS:-2}
STEPS=${STEPS:-200}
PORT=${PORT:-18089}
L=./lodestone
mkdir -p "$OUT"
$L --version > /dev/null # builds once, before the first run
TOKENS="$OUT/tokens.json"
rm -f "$TOKENS"
for k in $(seq 1 "$ANNOTATORS"); do
  $L feedback tokens add --annotator "sim-$k" --tokens "$TOKENS" > "$OUT/sim-$k.token" 2> /dev/null
done
num() { grep -o "\"$1\" *: *[0-9.eE-]*" "$2" | head -n 1 | sed 's/.*: *//'; }
printf "%-5s %-10s %-6s %-8s %-8s %-8s %-8s %-8s\n" \
  seed annotators steps before after lowest labels labels/s
for seed in $SEEDS; do
  d="$OUT/seed-$seed-annotators-$ANNOTATORS"
  rm -rf "$d" && mkdir -p "$d"
  $L run --task perturbed-rps --judge human --tokens "$TOKENS" --rate-limit 1000 \
    --feedback-port "$PORT" --steps "$STEPS" --seed "$seed" --json --report "$d/report" \
    > "$d/run.out" 2> "$d/run.err" &
  run=$!
  until grep -q "labelling page" "$d/run.err" 2> /dev/null; do
    kill -0 "$run" 2> /dev/null || break
    sleep 1
  done
  for k in $(seq 1 "$ANNOTATORS"); do
    $L feedback annotate --url "http://127.0.0.1:$PORT/" --token-file "$OUT/sim-$k.token" \
      --seed "$((seed * 100 + k))" > "$d/annotator-$k.out" 2> "$d/annotator-$k.err" &
  done
  wait "$run"
  sleep 3 # the annotators stop when the service goes
  csv="$d/report/evaluations.csv"
  col=$(head -n 1 "$csv" | tr ',' '\n' | grep -n '^exploitability$' | cut -d: -f1)
  before=$(sed -n 2p "$csv" | cut -d, -f"$col")
  lowest=$(tail -n +2 "$csv" | cut -d, -f"$col" | sort -g | head -n 1)
  after=$(num exploitability "$d/report/summary.json")
  labels=$(num humanLabels "$d/report/summary.json")
  seconds=$(num elapsedSeconds "$d/report/summary.json")
  printf "%-5s %-10s %-6s %-8.4f %-8.4f %-8.4f %-8s %-8.1f\n" "$seed" "$ANNOTATORS" "$STEPS" \
    "$before" "$after" "$lowest" "$labels" "$(awk -v l="$labels" -v s="$seconds" 'BEGIN { print l / s }')"
done
