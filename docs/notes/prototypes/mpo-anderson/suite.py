# Usage: python3 suite.py "ANDERSON_KWARGS" [GAMES]: one row of the doc's table ("" = default).
import sys, time
from games import *; from mpo import *; from accel import Anderson
kw = eval('dict(' + sys.argv[1] + ')')
games = sys.argv[2].split(',') if len(sys.argv) > 2 else SUITE
cells = []; t0 = time.time()
for spec in games:
    P, w = game(spec); a = Anderson(**kw) if kw else None
    g, s = run(P, w, accel=a)
    k = settle(g, 1e-6); k4 = settle(g, 1e-4)
    cells.append(str(k) if k is not None else f'({g[-1]:.0e}|{k4})')
print(sys.argv[1], '|', ' '.join(cells), f'{time.time()-t0:.0f}s', flush=True)
