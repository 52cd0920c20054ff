"""Step cost of two versions of `fastmtl/weighting.py` side by side: a change to a strategy measured before and after in
the same rounds, on `weighting_cost.py`'s learner (ResNet-18 HydraNet, K tasks of 4 classes, 32x32 images, batch 32).

`--before` and `--after` are paths to copies of `weighting.py` (default `--before`: the installed `fastmtl.weighting`);
each is loaded as a module of the `fastmtl` package, so the same file can be measured while the notebook is being edited.
Every round runs every configuration once (order rotated between rounds); a configuration's ratio is its median step time
over equal weighting's in the same round. Reported: the median over rounds and the range of the middle rounds (the
25th-75th percentile), the A/A control (equal weighting against itself: the noise floor of one configuration) and, per
strategy, the paired after/before ratio (median over rounds of after's ratio over before's, same round).

Before timing, `--check` trains both versions of each strategy from the same seed for a few steps and prints the largest
difference of their recorded weights and of the model's parameters: a change meant to cost less must not change the
training.

Usage: python bench/weighting_cost_ab.py --after /tmp/weighting_patched.py [--before fastmtl/weighting.py]
           [--tasks 4] [--rounds 8] [--steps 8] [--strategies GradNorm ...] [--refs] [--check] [--parts] [--clock wall|cpu]
"""
import argparse, importlib.util, sys, warnings
from weighting_cost import *
from weighting_cost import learner as cost_learner
from torchjd.aggregation import UPGrad

def load(path, name):
    "The file `path` as the module `fastmtl.<name>` (its relative imports resolve in the installed `fastmtl`)"
    if path is None: import fastmtl.weighting as m; return m
    spec = importlib.util.spec_from_file_location(f'fastmtl.{name}', path)
    m = importlib.util.module_from_spec(spec); sys.modules[spec.name] = m; spec.loader.exec_module(m)
    return m

def strategies(m):
    "The strategies to compare, made from module `m`'s classes"
    return {
        "UncertaintyWeighting(init='loss')": lambda: [m.UncertaintyWeighting(init='loss')],
        'DynamicWeightAverage': lambda: [m.DynamicWeightAverage()],
        'RandomLossWeighting': lambda: [m.RandomLossWeighting()],
        'GeometricLossStrategy': lambda: [m.GeometricLossStrategy()],
        'FAMO': lambda: [m.FAMO()],
        'STCH': lambda: [m.STCH()],
        'GradNorm': lambda: [m.GradNorm()],
        "GradientAggregation(UPGrad, 'features')": lambda: [m.GradientAggregation(UPGrad(), mode='features')],
        "GradientAggregation(UPGrad, 'params')": lambda: [m.GradientAggregation(UPGrad(), mode='params')],
        'DualBalancing (DB-MTL)': lambda: [m.DualBalancing()],
    }

class Snap(Callback):
    "Stops the fit after `n` training steps"
    def __init__(self, n): self.n = n
    def after_batch(self):
        if self.training and self.iter + 1 >= self.n: raise CancelFitException()

def check(k, a, names, before, after, steps=4):
    "The largest difference between the two versions after `steps` training steps from the same seed: weights, parameters"
    print(f"check: {steps} training steps of each version from the same seed (K={k})")
    for n in names:
        res = []
        for m in (before, after):
            cbs = strategies(m)[n]()
            torch.manual_seed(0); learn = cost_learner(k, a, cbs + [Snap(steps)])
            torch.manual_seed(1)
            with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-2)
            cb = cbs[0]
            w = cb._wsum/max(cb._wcount, 1) if isinstance(getattr(cb, '_wsum', None), Tensor) else torch.stack(cb.history[-1:]) if cb.history else torch.zeros(1)
            res.append((torch.as_tensor(w).float().cpu(), [p.detach().clone() for p in learn.model.parameters()]))
        dw = float((res[0][0] - res[1][0]).abs().max())
        dp = max(float((p - q).abs().max()/(p.abs().max() + 1e-12)) for p, q in zip(res[0][1], res[1][1]))
        print(f"  {n:<42} weights: max |before - after| {dw:.2e}; parameters: max relative difference {dp:.2e}")

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--before', default=None); p.add_argument('--after', required=True)
    p.add_argument('--size', type=int, default=32); p.add_argument('--bs', type=int, default=32)
    p.add_argument('--steps', type=int, default=8); p.add_argument('--rounds', type=int, default=8)
    p.add_argument('--tasks', type=int, default=4)
    p.add_argument('--strategies', nargs='+', default=None)
    p.add_argument('--refs', action='store_true', help="also time the two `ref:` rows of weighting_cost.py")
    p.add_argument('--check', action='store_true')
    p.add_argument('--clock', choices=['wall', 'cpu'], default='wall', help="'cpu': the process's CPU time (see weighting_cost.py)")
    p.add_argument('--parts', action='store_true', help="instead of the ratios, weighting_profile.py's breakdown of each step (ms per part)")
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    before, after = load(a.before, '_weighting_before'), load(a.after, '_weighting_after')
    names = a.strategies or list(strategies(before))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; K={a.tasks}, {a.size}x{a.size} images, batch {a.bs}, "
          f"{a.steps} timed steps per run, {a.rounds} rounds, {a.clock} clock; before: {a.before or 'fastmtl.weighting'}, after: {a.after}")
    if a.check: check(a.tasks, a, names, before, after)
    sb, sa = strategies(before), strategies(after)
    configs = {'equal weighting': lambda: [], 'equal weighting (A/A control)': lambda: []}
    for n in names: configs[f'{n} | before'], configs[f'{n} | after'] = sb[n], sa[n]
    if a.refs: configs.update({n: f for n, f in CONFIGS.items() if n.startswith('ref:')})
    if a.parts:
        import weighting_profile
        return weighting_profile.report(weighting_profile.parts(a.tasks, a, configs))
    rounds, names_c = {n: [] for n in configs}, list(configs)
    for r in range(a.rounds):   # every configuration once per round, the order rotated; printed as each round ends
        t = {}
        for n in names_c[r % len(names_c):] + names_c[:r % len(names_c)]:
            timer = StepTimer(2 + a.steps, time.process_time if a.clock == 'cpu' else time.perf_counter)
            learn = cost_learner(a.tasks, a, configs[n]() + [timer])
            with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
            t[n] = float(np.median(timer.times[2:]))
        for n in names_c: rounds[n].append(t[n]/t['equal weighting'])
        print(f"round {r + 1}: equal weighting {1000*t['equal weighting']:.0f} ms/step; " +
              ", ".join(f"{n.replace(' | before', '').replace(' | after', '*')[:24]} {rounds[n][-1]:.2f}" for n in names_c[1:]), flush=True)
    if not a.rounds: return
    q = lambda v, x: float(np.percentile(v, x))
    print(f"\n| configuration (K={a.tasks}) | ratio to equal weighting, median of {a.rounds} rounds | 25th-75th percentile |\n|---|---|---|")
    for n, v in rounds.items(): print(f"| {n} | {np.median(v):.3f} | {q(v, 25):.3f}-{q(v, 75):.3f} |")
    print(f"\n| strategy | after / before, paired by round: median | 25th-75th percentile |\n|---|---|---|")
    for n in names:
        v = np.array(rounds[f'{n} | after'])/np.array(rounds[f'{n} | before'])
        print(f"| {n} | {np.median(v):.3f} | {q(v, 25):.3f}-{q(v, 75):.3f} |")

if __name__ == '__main__': main()
