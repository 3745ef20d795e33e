# Sign-consistent acceleration of the magnet, per strategy (tried, not adopted;
# docs/notes/games-benchmark-history.md, "Two further accelerations of the climb"), after Rprop: at a reset, d_i
# is strategy i's move over the last phase (new magnet minus old, in log space, centered at the
# policy). While d_i keeps its sign from phase to phase its multiplier grows by `up` (at most
# `mmax`); a change of sign sets it back to 1. The magnet and the policy then move on by
# (m_i - 1) d_i, at most `clip` nats per strategy, and the policy restarts there: that needs P pi at
# the new point, one oracle call, counted as one iteration. A slow rotation or a drift keeps its
# sign for many phases and is sped up; a fast rotation changes sign and is left as it is.
# Options: L (the lift), up, mmax, clip; small: accelerate only climbing strategies (d_i > 0) below
# `small` times the largest probability; stage2_only: only in stage 2.
# Usage: python3 rprop.py "KWARGS" [GAMES] [ITERS]: one row, as lift.py prints it.
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'mpo-anderson'))
from mpo import normalize
from lift import Lift, row


class Rprop(Lift):
    def __init__(self, P, start, up=1.5, mmax=64., clip=0.5, small=None, stage2_only=False, **kw):
        self.up, self.mmax, self.clip = up, mmax, clip
        self.small, self.stage2_only = small, stage2_only
        super().__init__(P, start, **kw)
        n = len(start)
        self.prev = self.logRho.copy(); self.sign = np.zeros(n); self.mult = np.ones(n)
        self.pending = None

    def step(self):
        if self.pending is not None:  # the restart's oracle call is this iteration
            self.restart(self.pending); self.pending = None; self.t += 1; return
        r0 = self.resets
        super().step()
        if self.resets == r0:
            return
        d = self.logRho - self.prev; d -= self.pi @ d
        sg = np.sign(d)
        same = sg == self.sign
        self.mult = np.where(same, np.minimum(self.mult * self.up, self.mmax), 1.0)
        self.sign = sg
        self.prev = self.logRho.copy()
        if self.stage2_only and not self.second:
            return
        move = np.clip((self.mult - 1) * d, -self.clip, self.clip)
        if self.small is not None:
            move = np.where((d > 0) & (self.pi < self.small * self.pi.max()), move, 0.)
        if np.abs(move).max() > 1e-12:
            self.pending = self.logRho + move

    def restart(self, z):
        self.z, self.pi = normalize(z); self.r = self.P @ self.pi
        self.logRho = self.z.copy(); self.prev = self.z.copy()


if __name__ == '__main__':
    row(Rprop, sys.argv)
