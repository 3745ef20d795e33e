# Usage: python3 starts.py "LIFT_KWARGS" GAME ITERS: 10 flat-Dirichlet random starts.
import sys
from lift import *
kw = eval('dict(' + sys.argv[1] + ')'); spec = sys.argv[2]; iters = int(sys.argv[3])
P, w = game(spec)
cells = random_starts(P, len(w), lambda st: run_lift(P, st, iters=iters, **kw)[0])
print(spec, sys.argv[1], '|', cells, flush=True)
