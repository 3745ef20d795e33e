# Usage: python3 nearnash.py NOISE ["ANDERSON_KWARGS"] [SEEDS]: random:10:2 from its Nash
# equilibrium (the LP's, games.nash) with log-normal noise of NOISE on every log-probability.
# SEEDS (default 0) is a seed or a range A-B of noise seeds; with one seed the run's trace is
# printed, with a range one line per seed and a summary.
import sys, numpy as np, math
from games import *; from mpo import *; from accel import Anderson
P, w = game('random:10:2')
x = np.maximum(nash(P), 0)  # the LP may return -0.0 off the support
print('nash gap', 2 * (P @ x).max() - 1)
eps = float(sys.argv[1])
kw = eval('dict(' + sys.argv[2] + ')') if len(sys.argv) > 2 and sys.argv[2] else None
a_, _, b_ = (sys.argv[3] if len(sys.argv) > 3 else '0').partition('-')
seeds = range(int(a_), int(b_ or a_) + 1)
settled, finals = [], []
for seed in seeds:
    rng = np.random.default_rng(seed)
    z = np.log(np.maximum(x, 1e-12)) + eps * rng.standard_normal(10)
    start = np.exp(z); start /= start.sum()
    a = Anderson(**kw) if kw else None
    g, s = run(P, start, iters=20000, accel=a)
    t = settle(g, 1e-6); settled.append(t); finals.append(g[-1])
    print(f'seed {seed} eps {eps} start gap {g[0]:.2e} final {g[-1]:.2e} to1e-3 {settle(g, 1e-3)}'
          f' to1e-6 {t} first<=1e-6 {next((i for i, v in enumerate(g) if v <= 1e-6), None)}'
          f' 2nd={s.second}', 'acc', a and a.accepted, a and a.rejected)
    if len(seeds) == 1:
        print(' '.join(f'{v:.1e}' for v in g[::1000]))
        print(' '.join(f'{v:.1e}' for v in s.pi))
if len(seeds) > 1:
    ok = sorted(t for t in settled if t is not None)
    bad = sorted(f for t, f in zip(settled, finals) if t is None)
    print(f'settled below 1e-6: {len(ok)} of {len(seeds)}'
          + (f' ({ok[0]}-{ok[-1]}, median {ok[(len(ok) - 1) // 2]})' if ok else '')
          + f'; within 2,000: {sum(t <= 2000 for t in ok)}'
          + (f'; the others end at {bad[0]:.1e}-{bad[-1]:.1e}' if bad else ''))
