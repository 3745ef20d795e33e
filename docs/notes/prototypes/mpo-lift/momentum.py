# Momentum on the magnet at each reset (tried, not adopted; docs/notes/games-benchmark-history.md):
# rho <- g_k + clip(beta (g_k - g_(k-1))) in log space (centered), g_k the policy at the end of
# phase k; only in stage 2 unless only2=False; restart=True also moves the policy to the new magnet
# (one oracle call, not counted). Takes the lift options too.
# Usage: python3 momentum.py "KWARGS" [GAMES] [ITERS]
import sys, numpy as np
from lift import *


class Momentum(Lift):
    def __init__(self, P, start, beta=0., clip=1., only2=True, restart=False, **kw):
        self.beta = beta; self.clip = clip; self.only2 = only2; self.restart = restart
        self.prev = None; super().__init__(P, start, **kw)

    def step(self):
        r0 = self.resets
        super().step()
        if self.resets == r0:
            return
        g = self.logRho.copy()
        if self.beta > 0 and (self.second or not self.only2) and self.prev is not None:
            d = g - self.prev; d -= self.pi @ d
            self.logRho, _ = normalize(g + np.clip(self.beta * d, -self.clip, self.clip))
            if self.restart:
                self.z, self.pi = self.logRho.copy(), np.exp(self.logRho); self.r = self.P @ self.pi
        self.prev = g


if __name__ == '__main__':
    row(Momentum, sys.argv)
