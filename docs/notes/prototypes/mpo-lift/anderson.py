# The magnet lift and Anderson acceleration of the magnet together (tried, not adopted;
# docs/notes/games-benchmark-history.md, "The magnet lift"): lift.py's Lift with accel.py's Anderson.
# Usage: python3 anderson.py "LIFT_KWARGS" "ANDERSON_KWARGS" [GAMES] [ITERS]: one suite row (cell:
#        iterations until the gap settles below 1e-6, or the final gap in parentheses);
#        python3 anderson.py "LIFT_KWARGS" "ANDERSON_KWARGS" starts GAME ITERS: 10 random starts;
#        python3 anderson.py "LIFT_KWARGS" "ANDERSON_KWARGS" trace GAME EVERY ITERS: the gap and
#        each strategy's probability over its Nash mass (off the support: the probability) every
#        EVERY iterations.
import sys, time
from lift import *
from accel import Anderson


def accel(anderson, cls=Anderson):
    return cls(**anderson) if anderson else None


def run_both(P, start, iters, lift, anderson, cls=Anderson):
    return run_lift(P, start, iters=iters, accel=accel(anderson, cls), **lift)[0]


def main(argv, cls=Anderson):
    """The command line above, with the accelerator class cls (lagged.py passes its own)."""
    lift, anderson = (eval('dict(' + a + ')') for a in argv[1:3])
    if len(argv) > 3 and argv[3] == 'starts':
        spec, iters = argv[4], int(argv[5]); P, w = game(spec)
        one = lambda st: run_both(P, st, iters, lift, anderson, cls)
        print(spec, '|', random_starts(P, len(w), one))
        return
    if len(argv) > 3 and argv[3] == 'trace':
        spec, every, iters = argv[4], int(argv[5]), int(argv[6])
        P, w = game(spec); x = np.maximum(nash(P), 0)
        s = Lift(P, w, accel=accel(anderson, cls), **lift)
        for t in range(iters + 1):
            if t % every == 0:
                print(t, f'gap {2 * (P @ s.pi).max() - 1:.1e}', ' '.join(
                    f'{p / q:.2g}' if q > 0 else f'({p:.0e})' for p, q in zip(s.pi, x)))
            s.step()
        return
    games = argv[3].split(',') if len(argv) > 3 else SUITE
    iters = int(argv[4]) if len(argv) > 4 else 20000
    cells = []; t0 = time.time()
    for spec in games:
        P, w = game(spec); g = run_both(P, w, iters, lift, anderson, cls); k = settle(g, 1e-6)
        cells.append(f'{spec}:' + (str(k) if k is not None else f'({g[-1]:.0e})'))
    print(' '.join(cells), f'{time.time() - t0:.0f}s', flush=True)


if __name__ == '__main__':
    main(sys.argv)
