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
from mpo import normalize, run, settle
from lift import Lift

P, w = game('random:10:2')
x = nash(P)
F = 5  # f, Nash mass 3.7e-2


class Oracle(Lift):
    """The default with the lift, plus the oracle's setting at iteration T0."""

    def __init__(self, P, start, T0, idx, policy, **kw):
        self.T0, self.idx, self.policy, self.fmin = T0, idx, policy, 1.
        super().__init__(P, start, L=10., **kw)

    def step(self):
        if self.t == self.T0:
            for name in ('logRho', 'z') if self.policy else ('logRho',):
                z = getattr(self, name).copy(); top = z.argmax()
                z[self.idx] = np.log(x[self.idx]) - math.log(x[top]) + z[top]
                z, p = normalize(z); setattr(self, name, z)
                if name == 'z': self.pi, self.r = p, P @ p
        super().step()
        if self.t > self.T0: self.fmin = min(self.fmin, self.pi[F])


def oracle(T0, idx, policy):
    g, s = run(P, w, cls=Oracle, T0=T0, idx=idx, policy=policy)
    return settle(g, 1e-6), g[-1], s.fmin


print('T0 | strategies set to Nash | set in | settles below 1e-6 | min of f after T0')
print('none | | |', oracle(-1, [], False)[0])
for T0 in (100, 500, 2000):
    for idx in ([5], [5, 7], [5, 7, 8, 9]):
        for policy in (False, True):
            k, end, fmin = oracle(T0, idx, policy)
            names = ','.join('abcdefghij'[i] for i in idx)
            print(T0, '|', names, '|', 'magnet and policy' if policy else 'magnet', '|',
                  k if k is not None else f'({end:.0e})', '|', f'{fmin:.1e}', flush=True)
