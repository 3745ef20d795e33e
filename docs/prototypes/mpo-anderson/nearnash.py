# Usage: python3 nearnash.py NOISE ["ANDERSON_KWARGS"]: random:10:2 from its Nash equilibrium with log-normal noise.
import sys, numpy as np, math
from games import *; from mpo import *; from accel import Anderson
P, w = game('random:10:2')
nash = np.array([0.33051445003869506, 0.0, 0.0, 0.0, 0.19661634371264167, 0.037380966236818164, 0.1305512473591217, 0.00032276199538215086, 0.10406886291895702, 0.20054536773838424])
print('nash gap', 2*(P@nash).max()-1)
rng = np.random.default_rng(0)
eps = float(sys.argv[1])
z = np.log(np.maximum(nash, 1e-12)) + eps * rng.standard_normal(10)
start = np.exp(z); start /= start.sum()
kw = eval('dict(' + sys.argv[2] + ')') if len(sys.argv) > 2 else None
a = Anderson(**kw) if kw else None
g, s = run(P, start, iters=20000, accel=a)
print(f'eps {eps} start gap {g[0]:.2e} final {g[-1]:.2e} to1e-3 {settle(g,1e-3)} to1e-6 {settle(g,1e-6)} 2nd={s.second}', 'acc', a and a.accepted, a and a.rejected)
print(' '.join(f'{x:.1e}' for x in g[::1000]))
print(' '.join(f'{x:.1e}' for x in s.pi))
