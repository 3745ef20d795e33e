# Lift at a magnet reset (tried, not adopted; docs/notes/games-benchmark-history.md): a strategy whose payoff
# beats the policy's (r_i > 1/2) and whose log-probability in the new magnet lies below a floor is
# raised to the floor, `max_j log rho_j - L` (option L) or `max_j log rho_j + log(c gap)` (option c,
# capped at -Lmin). Strategies with a negative advantage are never lifted, so near the equilibrium
# the strategies off its support are left alone.
# Usage: python3 lift.py "KWARGS" [GAMES] [ITERS]: one row of the doc's table ("" = default).
import os, sys, time, math, numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'mpo-anderson'))
from games import *; from mpo import *


class Lift(Mpo):
    def __init__(self, P, start, L=None, c=None, Lmin=0., **kw):
        self.L = L; self.c = c; self.Lmin = Lmin; super().__init__(P, start, **kw)

    def set_magnet(self, z):
        # At every new magnet: a reset, or an accepted Anderson extrapolation (anderson.py).
        if self.L is None and self.c is None:
            self.logRho = z; return
        if self.c is not None:
            gap = 2 * self.r.max() - 1
            floor = z.max() + min(-self.Lmin, math.log(max(self.c * gap, 1e-300)))
        else:
            floor = z.max() - self.L
        mask = (self.r > 0.5) & (z < floor)
        if mask.any():
            z = z.copy(); z[mask] = floor; z, _ = normalize(z)
        self.logRho = z


def run_lift(P, start, iters=20000, cls=Lift, **kw):
    return run(P, start, iters=iters, cls=cls, **kw)


def row(cls, argv):
    kw = eval('dict(' + argv[1] + ')')
    games = argv[2].split(',') if len(argv) > 2 else SUITE
    iters = int(argv[3]) if len(argv) > 3 else 20000
    cells = []; t0 = time.time()
    for spec in games:
        P, w = game(spec)
        g, s = run_lift(P, w, iters=iters, cls=cls, **kw)
        k = settle(g, 1e-6); k4 = settle(g, 1e-4)
        cells.append(f'{spec}:' + (str(k) if k is not None else f'({g[-1]:.0e}|{k4})'))
    print(argv[1], '|', ' '.join(cells), f'{time.time()-t0:.0f}s', flush=True)


if __name__ == '__main__':
    row(Lift, sys.argv)
