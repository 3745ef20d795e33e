# random:10:2 under the default: gap and policy every 500 iterations.
from games import *; from mpo import *
import numpy as np
P, w = game('random:10:2')
s = Mpo(P, w)
for t in range(20001):
    if t % 500 == 0:
        print(t, f'gap {2*(P@s.pi).max()-1:.1e}', 'second', s.second, 'alpha/scale', f'{s.alpha:.3g} {s.scale:.3g}', 'pi', ' '.join(f'{p:.1e}' for p in s.pi))
    s.step()
