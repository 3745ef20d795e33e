# Fits the per-version dynamics of a pipeline run to one noisy MMD step:
#   dz = a * r(pi_t) + b * (log rho - z) + residual     (all centered log-probabilities)
# from the evaluations.csv of `lodestone run --report DIR` reports (exact strategy probabilities at
# every policy version). The exact MMD step with eta 1, alpha 0.1 has a = eta / (1 + eta alpha)
# = 0.909 and b = eta alpha / (1 + eta alpha) = 0.091. The magnet is taken as the iterate at the
# last multiple of --magnet-every versions (the learner's rule).
#
#   python3 fit.py [--magnet-every 20] DIR...      (runs of one task; prints a, b and the residual
#                                                    for 30-77%, 77-90% and 90-100% of each run)
import csv, json, sys
import numpy as np

SEGMENTS = [('30-77%', .30, .77), ('77-90%', .77, .90), ('90-100%', .90, 1.01)]


def centered(x):
    return x - x.mean(-1, keepdims=True)


def load(d):
    s = json.load(open(d + '/summary.json'))
    game = s['details'].get('game')
    if game is None:
        sys.exit(d + '/summary.json has no details.game (a report written before the game matrix was'
                 ' added to it): run it again')
    P = np.array(game['preferences'])
    rows = list(csv.DictReader(open(d + '/evaluations.csv')))
    keys = [k for k in rows[0] if k.startswith('prob:')]
    if keys != ['prob:' + name for name in game['strategies']]:
        sys.exit(d + '/evaluations.csv: its prob: columns are not the game\'s strategies in order')
    v = np.array([int(r['policyVersion']) for r in rows])
    p = np.array([[float(r[k]) for k in keys] for r in rows])
    return P, v, p / p.sum(1, keepdims=True)


def main(argv):
    every = 20
    if argv[:1] == ['--magnet-every']:
        every, argv = int(argv[1]), argv[2:]
    data = {name: [] for name, _, _ in SEGMENTS}
    for d in argv:
        P, v, p = load(d)
        z = centered(np.log(p))
        at = {x: i for i, x in enumerate(v)}
        last = v[-1]
        for i in range(len(v) - 1):
            m = (v[i] // every) * every
            if v[i + 1] != v[i] + 1 or m not in at:
                continue
            X = np.stack([centered(p[i] @ P.T), z[at[m]] - z[i]], 1)
            y = z[i + 1] - z[i]
            for name, lo, hi in SEGMENTS:
                if lo * last < v[i] <= hi * last:
                    data[name].append((X, y))
    for name, _, _ in SEGMENTS:
        if not data[name]:
            continue
        X = np.concatenate([x for x, _ in data[name]])
        y = np.concatenate([t for _, t in data[name]])
        coef = np.linalg.lstsq(X, y, rcond=None)[0]
        e = y - X @ coef
        se = np.sqrt(np.diag(e @ e / (len(y) - 2) * np.linalg.inv(X.T @ X)))
        print(f'{name:8s} versions {len(data[name]):4d}  a {coef[0]:.3f} +- {se[0]:.3f}  '
              f'b {coef[1]:.3f} +- {se[1]:.3f}  residual rms {np.sqrt(e @ e / len(y)):.3f}')


if __name__ == '__main__':
    main(sys.argv[1:])
