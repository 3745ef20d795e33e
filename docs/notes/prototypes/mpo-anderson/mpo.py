# NumPy port of Mpo.java's staged default (scale-matched alpha), with a hook for accel.py.
import numpy as np, math

def normalize(w):
    m = w.max(); lz = m + math.log(np.exp(w - m).sum()); z = w - lz; return z, np.exp(z)

def lnorm(a, b, pi):
    d = a - b; mu = pi @ d; e = d - mu; return math.sqrt(pi @ (e * e))

class Mpo:
    """Faithful port of Mpo.java, staged schedule + scale-matched alpha (defaults)."""
    def __init__(self, P, start, eta=1000., alpha=.5, stall=30, window=10, ratio=1., decay=.7,
                 mlg=1., amin=1e-3, amax=1., every=None, accel=None):
        self.P = P; self.n = len(start); self.eta = eta; self.alpha = alpha
        self.stall, self.window = stall, window
        self.ratio, self.decay, self.mlg, self.amin, self.amax = ratio, decay, mlg, amin, amax
        self.every = every  # None: staged; int: Every(K)
        self.sHat = ratio * alpha
        self.z, self.pi = normalize(np.log(start))
        self.logRho = self.z.copy(); self.r = P @ self.pi
        self.phaseStep = 0; self.resets = 0; self.t = 0
        self.phaseRatios = np.zeros(window); self.prc = 0; self.phaseRatio = 0.
        self.second = False; self.bestGap = math.inf; self.checkedGap = math.inf
        self.scaleEst = 0.; self.scale = 0.
        self.accel = accel
        if accel: accel.attach(self)

    def mmd_step(self):
        stepEta, stepAlpha = self.eta, self.alpha
        if self.second:
            ex = self.phaseStep == 0
            a = .5 if ex else 1e-3; c = (3. if ex else .35) / self.scale
            stepEta = c / a; stepAlpha = (1 - a) / c; self.alpha = stepAlpha
        ea = stepEta * stepAlpha
        zN, piN = normalize((self.z + ea * self.logRho + stepEta * self.r) / (1 + ea))
        rN = self.P @ piN
        sn = lnorm(zN, self.z, piN)
        if sn > 0:
            ratio = lnorm(rN, self.r, piN) / sn
            self.sHat = max(self.sHat, ratio); self.phaseRatio = max(self.phaseRatio, ratio)
        self.z, self.pi, self.r = zN, piN, rN
        self.t += 1; self.phaseStep += 1

    def set_magnet(self, z):
        """rho <- z (log space): at a reset, and where accel.py moves the magnet. A subclass may
        adjust the new magnet (mpo-lift/lift.py lifts it); self.r is the payoff at the policy."""
        self.logRho = z

    def step(self):
        if self.accel and self.accel.pending:
            self.accel.restart_step(); return
        self.mmd_step()
        due = self.phaseStep >= (self.every if self.every else (2 if self.second else 3))
        if due:
            self.set_magnet(self.z.copy()); self.resets += 1; self.phaseStep = 0
            if self.sHat > 0:
                gap = 2 * self.r.max() - 1
                if self.every: self.alpha = self.sm_alpha(gap)
                else: self.staged_reset(gap)
            self.phaseRatio = 0.
            if self.accel: self.accel.on_reset()

    def sm_alpha(self, gap):
        floor = gap / (2 * self.mlg) if self.mlg > 0 else 0.
        a = min(self.amax, max(self.amin, max(floor, self.sHat / self.ratio)))
        self.sHat *= self.decay; return a

    def staged_reset(self, gap):
        self.phaseRatios[(self.resets - 1) % self.window] = self.phaseRatio
        self.prc = min(self.prc + 1, self.window)
        wmax = self.phaseRatios[:self.prc].max()
        floor = 3. * gap / (2 * self.mlg) if self.mlg > 0 else 0.
        if not self.second:
            self.bestGap = min(self.bestGap, gap)
            if self.resets % self.stall == 0:
                if self.bestGap > .5 * self.checkedGap and wmax / self.ratio >= floor:
                    self.second = True; self.scaleEst = self.sHat
                self.checkedGap = self.bestGap
            if not self.second:
                self.alpha = self.sm_alpha(gap); return
        self.scaleEst = max(wmax, self.scaleEst * self.decay)
        self.scale = min(self.amax, max(self.amin, max(floor, self.scaleEst / self.ratio)))

def run(P, start, iters=20000, cls=None, **kw):
    s = (cls or Mpo)(P, start, **kw); g = np.empty(iters + 1)
    for t in range(iters + 1):
        g[t] = 2 * (P @ s.pi).max() - 1
        if t == iters: break
        s.step()
    return g, s

def random_starts(P, n, run_one, starts=10):
    """One cell per flat-Dirichlet random start (seeds 1..starts): the iteration from which the
    gap stays below 1e-6, or (final gap). run_one(start) returns the gap trajectory."""
    out = []
    for seed in range(1, starts + 1):
        g = run_one(np.random.default_rng(seed).dirichlet(np.ones(n)))
        k = settle(g, 1e-6); out.append(str(k) if k is not None else f'({g[-1]:.0e})')
    return ' '.join(out)

def settle(g, th):
    t = len(g)
    while t > 0 and g[t - 1] <= th: t -= 1
    return None if t == len(g) else t
