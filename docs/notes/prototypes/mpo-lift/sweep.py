# The 216 games random:N:S (N 3..20, S 100..111), each from its initial distribution and two
# flat-Dirichlet random starts, 20,000 iterations; one line per run: game, start, settle iteration
# below 1e-6 (None: not settled), final gap. PART of PARTS splits the games between processes.
# Usage: python3 sweep.py "LIFT_KWARGS" PART PARTS > FILE; then compare.py FILES_A FILES_B
import sys, numpy as np
from lift import *
kw = eval('dict(' + sys.argv[1] + ')'); part = int(sys.argv[2]); parts = int(sys.argv[3])
specs = [f'random:{n}:{s}' for n in range(3, 21) for s in range(100, 112)][part::parts]
for spec in specs:
    P, w = game(spec)
    starts = [w] + [np.random.default_rng(k).dirichlet(np.ones(len(w))) for k in (1, 2)]
    for j, st in enumerate(starts):
        g, s = run_lift(P, st, **kw)
        print(spec, j, settle(g, 1e-6), f'{g[-1]:.2e}', flush=True)
