# Usage: python3 starts.py "ANDERSON_KWARGS" GAME ITERS: 10 flat-Dirichlet random starts.
import sys
from games import *; from mpo import *; from accel import Anderson
kw = eval('dict(' + sys.argv[1] + ')'); spec = sys.argv[2]; iters = int(sys.argv[3])
P, w = game(spec)
cells = random_starts(P, len(w), lambda st: run(P, st, iters=iters, accel=Anderson(**kw) if kw else None)[0])
print(spec, sys.argv[1], '|', cells, flush=True)
