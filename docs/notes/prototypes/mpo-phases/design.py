# How fast can a phase of K MMD steps from the magnet damp a slow rotation, on the linear model?
#
# Near an interior equilibrium one MMD step z' = a z + (1 - a) log rho + c r(pi) (a = 1/(1 + eta
# alpha) in (0, 1], c = eta a > 0) maps the error e of log pi (against log rho's error e_rho) to
# a e + (1 - a) e_rho + c J e, where J is the local map of the game (eigenvalues x = i s on the
# support, s in [s_min, s_max]). A phase started at the magnet therefore multiplies the error by
#   p_0 = 1,  p_(k+1)(x) = (a_k + c_k x) p_k(x) + (1 - a_k),
# a polynomial with p(0) = 1 and positive coefficients (each step keeps them positive); and every
# such polynomial b_0 + b_1 x + ... + b_K x^K (b_0 = 1, b_j > 0) is a phase of proximal-limit steps
# (a_k = 0, c_k = b_(K-k) / b_(K-k-1)). This script searches that family, with every step size
# c_k at most CMAX / s_max, for the largest worst-case damping per step on s in [s_max / KAPPA,
# s_max], keeping |p| <= 1 on [0, MARGIN s_max] (the margin an estimated s_max needs).
#
#   python3 design.py KAPPA MARGIN CMAX K...      e.g.  python3 design.py 70 1.25 20 3 4 6 8 12
import sys
import numpy as np
from scipy.optimize import differential_evolution


def coefficients(logc):
    # logc[k] = log c_k for the steps k = 0..K-1 in order; b_j = c_(K-1) c_(K-2) ... c_(K-j).
    return np.concatenate([[1.0], np.exp(np.cumsum(logc[::-1]))])


def modulus(logc, s):
    b = coefficients(logc)
    return np.abs((1j * s[:, None]) ** np.arange(len(b)) @ b)


def main(argv):
    kappa, margin, cmax = float(argv[0]), float(argv[1]), float(argv[2])
    band = np.geomspace(1 / kappa, 1.0, 200)
    guard = np.concatenate([np.geomspace(1e-3, 1 / kappa, 30), np.linspace(1.0, margin, 40)])
    three = -np.log(modulus(np.zeros(3), band[:1]))[0] / 3  # the 3-step phase, alpha = s_max
    print(f'3-step phase (c = 1/s_max, prox limit): {three:.2e} e-folds per step at s_max/{kappa:g}')
    for k in map(int, argv[3:]):
        def worst(logc):
            over = np.log(modulus(logc, guard)).max()
            return np.log(modulus(logc, band)).max() + 1e3 * max(over, 0.0)
        r = differential_evolution(worst, [(np.log(1e-2), np.log(cmax))] * k, seed=1,
                                   maxiter=2000, popsize=30, tol=1e-12)
        rate = -np.log(modulus(r.x, band)).max() / k
        over = np.log(modulus(r.x, guard)).max()
        print(f'K = {k:2d}: {rate:.2e} e-folds per step ({rate / three:4.1f}x the 3-step phase),'
              f' guard {"kept" if over <= 1e-9 else f"broken by {over:.1e}"},'
              f' steps c s_max = {np.round(np.exp(r.x), 2).tolist()}', flush=True)


if __name__ == '__main__':
    main(sys.argv[1:])
