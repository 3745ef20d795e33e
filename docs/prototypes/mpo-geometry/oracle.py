# The best any lift could do on random:10:2: at iteration T0, the listed strategies'
# log-probabilities in the magnet (and in the policy too, in the "magnet and policy" rows) are set
# to their exact Nash values, relative to the most probable strategy of each; then the default
# (L = 10) runs on. Prints, per row, the iteration from which the gap stays below 1e-6 and the
# smallest probability of f after T0.
# Usage: python3 oracle.py
import os, sys, math
import numpy as np
here = os.path.dirname(os.path.abspath(__file__))
for d in ('mpo-anderson', 'mpo-lift'):
    sys.path.insert(0, os.path.join(here, '..', d))
from games import game, nash
from mpo import normalize, settle
from lift import Lift

P, w = game('random:10:2')
x = nash(P)
F = 5  # f, Nash mass 3.7e-2


def oracle(T0, idx, policy, iters=20000):
    s = Lift(P, w, L=10.); g = np.empty(iters + 1); fmin = 1.
    for t in range(iters + 1):
        if t == T0:
            for name in ('logRho', 'z') if policy else ('logRho',):
                z = getattr(s, name).copy(); top = z.argmax()
                z[idx] = np.log(x[idx]) - math.log(x[top]) + z[top]
                z, p = normalize(z); setattr(s, name, z)
                if name == 'z': s.pi, s.r = p, P @ p
        g[t] = 2 * (P @ s.pi).max() - 1
        if t > T0: fmin = min(fmin, s.pi[F])
        if t == iters: break
        s.step()
    return settle(g, 1e-6), g[-1], fmin


print('T0 | strategies set to Nash | set in | settles below 1e-6 | min of f after T0')
print('none | | |', oracle(-1, [], False)[0])
for T0 in (100, 500, 2000):
    for idx in ([5], [5, 7], [5, 7, 8, 9]):
        for policy in (False, True):
            k, end, fmin = oracle(T0, idx, policy)
            names = ','.join('abcdefghij'[i] for i in idx)
            print(T0, '|', names, '|', 'magnet and policy' if policy else 'magnet', '|',
                  k if k is not None else f'({end:.0e})', '|', f'{fmin:.1e}', flush=True)
