# The path of regularized equilibria with the magnet held at the start (docs/notes/games-benchmark-history.md,
# "Following the path of regularized equilibria"): for each alpha, the fixed point
# z = log(start) + (P pi)/alpha (normalized, pi = exp z), solved to round-off from the previous one,
# its gap, and how far its strategies lie from the LP's equilibrium.
# Usage: python3 qre.py [GAME] [ALPHA,ALPHA,...]
import os, sys, warnings, numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'mpo-anderson'))
from games import game, nash
from mpo import normalize
from scipy.optimize import fsolve
warnings.simplefilter('ignore')  # fsolve's note that 1e-13 is as close as it gets

spec = sys.argv[1] if len(sys.argv) > 1 else 'random:10:2'
shown = [float(a) for a in sys.argv[2].split(',')] if len(sys.argv) > 2 else None
P, start = game(spec); x = nash(P); sup = x > 1e-9; mag = normalize(np.log(start))[0]
lo = np.argsort(np.where(sup, x, 1))[:2]  # the two smallest equilibrium masses
name = lambda i: 'abcdefghijklmnopqrstuvwxyz'[i] if len(x) <= 26 else str(i)
print(f'{spec}: smallest equilibrium masses', ', '.join(f'{name(i)} {x[i]:.1e}' for i in lo))
z = mag.copy(); alpha = .5
while alpha > 4e-7:
    F = lambda v: normalize(v)[0] - normalize(mag + P @ normalize(v)[1] / alpha)[0]
    z = normalize(fsolve(F, z, xtol=1e-13))[0]; pi = np.exp(z)
    if shown is None or any(abs(alpha / a - 1) < .05 for a in shown):
        far = np.abs(z[sup] - np.log(x[sup])).max()
        print(f'alpha {alpha:.1e}  gap {2 * (P @ pi).max() - 1:.1e}  max |log pi/x| on the support {far:.2f}  '
              + '  '.join(f'pi/x at {name(i)} {pi[i] / x[i]:.2f}' for i in lo))
    alpha *= .7
