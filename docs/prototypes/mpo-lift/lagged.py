# Anderson acceleration of the composite magnet map T^lag (tried; docs/games-benchmark.md): the
# history holds only every `lag`-th reset, so the differences it fits are those of `lag` phases, in
# which the fast rotations have been damped and the slow ones dominate. Between those resets MPO
# runs unchanged (with the lift). Usage: python3 lagged.py "LIFT_KWARGS" "ANDERSON_KWARGS" [GAMES]
# [ITERS] (ANDERSON_KWARGS as in accel.py, plus lag): one row, as anderson.py prints it.
import sys, time
from lift import *
from accel import Anderson


class Lagged(Anderson):
    def __init__(self, lag=10, **kw):
        self.lag = lag; super().__init__(**kw); self.count = 0

    def on_reset(self):
        self.count += 1
        if self.count % self.lag == 0:
            super().on_reset()


def run_lagged(P, start, iters, lift, anderson):
    return run_lift(P, start, iters=iters, accel=Lagged(**anderson), **lift)[0]


if __name__ == '__main__':
    lift, anderson = (eval('dict(' + a + ')') for a in sys.argv[1:3])
    if len(sys.argv) > 3 and sys.argv[3] == 'starts':
        spec, iters = sys.argv[4], int(sys.argv[5]); P, w = game(spec)
        print(spec, '|', random_starts(P, len(w), lambda st: run_lagged(P, st, iters, lift, anderson)))
        sys.exit()
    games = sys.argv[3].split(',') if len(sys.argv) > 3 else SUITE
    iters = int(sys.argv[4]) if len(sys.argv) > 4 else 20000
    cells = []; t0 = time.time()
    for spec in games:
        P, w = game(spec); g = run_lagged(P, w, iters, lift, anderson); k = settle(g, 1e-6)
        cells.append(f'{spec}:' + (str(k) if k is not None else f'({g[-1]:.0e})'))
    print(' '.join(cells), f'{time.time() - t0:.0f}s', flush=True)
