# A lift to each strategy's own remembered level (tried, not adopted; docs/notes/games-benchmark-history.md): at a
# reset, a winning strategy (r_i > 1/2) more than M nats below its remembered level (its largest
# log-probability relative to the magnet's most probable strategy, forgotten by d nats per reset)
# is raised to that level minus M, on top of the fixed lift L.
# Usage: python3 memory.py "L=10,M=1,d=0.01" [GAMES] [ITERS]: one row, as lift.py prints it.
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'mpo-anderson'))
from mpo import normalize
from lift import Lift, row


class Memory(Lift):
    def __init__(self, P, start, M, d, **kw):
        self.M, self.d = M, d
        super().__init__(P, start, **kw)
        self.level = self.logRho - self.logRho.max()

    def step(self):
        r0 = self.resets
        super().step()
        if self.resets == r0:
            return
        rel = self.logRho - self.logRho.max()
        self.level = np.maximum(rel, self.level - self.d)
        floor = self.level - self.M
        mask = (self.r > 0.5) & (rel < floor)
        if mask.any():
            rel = rel.copy(); rel[mask] = floor[mask]
            self.logRho, _ = normalize(rel)


if __name__ == '__main__':
    row(Memory, sys.argv)
