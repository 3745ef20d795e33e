# Usage: python3 starts.py "LIFT_KWARGS" GAME ITERS: 10 flat-Dirichlet random starts.
import sys, numpy as np
from lift import *
kw = eval('dict(' + sys.argv[1] + ')'); spec = sys.argv[2]; iters = int(sys.argv[3])
P, w = game(spec); out = []
for seed in range(1, 11):
    st = np.random.default_rng(seed).dirichlet(np.ones(len(w)))
    g, s = run_lift(P, st, iters=iters, **kw)
    k = settle(g, 1e-6); out.append(str(k) if k is not None else f'({g[-1]:.0e})')
print(spec, sys.argv[1], '|', ' '.join(out), flush=True)
