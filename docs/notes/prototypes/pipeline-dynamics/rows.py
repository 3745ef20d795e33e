# The columns of the run tables of docs/pipeline-benchmark.md from `lodestone run --report DIR` reports:
# steps, policy version, final exploitability, last tenth and last quarter of the run by step (mean
# / max), evaluations of the second half at or below 0.05, the first step at or below 0.03, groups/s
# and staleness; then the end-of-run measure KL(Nash || pi) averaged over the last twentieth of the
# evaluations divided by its average over 50-75% of them (Nash from summary.json).
#
#   python3 rows.py DIR...
import csv, json, math, sys

for d in sys.argv[1:]:
    s = json.load(open(d + '/summary.json'))
    rows = list(csv.DictReader(open(d + '/evaluations.csv')))
    step = [int(r['step']) for r in rows]
    ex = [float(r['exploitability']) for r in rows]
    end = step[-1]

    def tail(frac):
        v = [e for t, e in zip(step, ex) if t >= (1 - frac) * end]
        return f'{sum(v) / len(v):.3f} / {max(v):.3f}'

    half = [e for t, e in zip(step, ex) if t >= end / 2]
    first = next((t for t, e in zip(step, ex) if e <= 0.03), None)
    kl = [sum(q * math.log(q / float(r['prob:' + k])) for k, q in s['nash'].items() if q > 0)
          for r in rows]
    n = len(kl)
    late, mid = kl[int(.95 * n):], kl[int(.5 * n):int(.75 * n)]
    strategies = ', '.join(f'{k} {v:.3f}' for k, v in s['strategies'].items())
    print(f"| {s['task']}, {s['algorithm']} | {s['steps']} | {s['policyVersion']} |"
          f" {s['exploitability']:.4f} | {strategies} | {tail(.1)} | {tail(.25)} |"
          f" {sum(e <= 0.05 for e in half)} of {len(half)} | {first} |"
          f" {s['groupsPerSecond']:.1f} | {s['meanStalenessVersions']:.2f} |"
          f" KL ratio {(sum(late) / len(late)) / (sum(mid) / len(mid)):.2f}")
