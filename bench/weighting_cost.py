"""Step cost of every task-weighting strategy against equal weighting, K = 2, 4, 8 tasks, side by side in one run.

A ResNet-18 HydraNet (`pretrained=False`, heads without dropout) trained by `Learner.fit` on in-memory random images and
labels (K classification tasks of 4 classes). One "step" is what fastai does per batch: forward, losses, backward,
optimizer step, timed by a callback from `before_batch` to `after_batch`; the first 2 steps of each run are warm-up.
Each round runs every configuration once (order rotated between rounds); a configuration's ratio is its median step
time over equal weighting's in the same round, and the reported ratio is the median over rounds.

References for the gradient-level modes, measured in the same rounds:
- `K separate backwards`: the gradient maths of `GradientAggregation(mode='params')` done the way LibMTL computes task
  gradients: K `loss_k.backward(retain_graph=True)` calls, copying the shared parameters' `.grad` after each, then UPGrad.
- `torchjd autojac`: torchjd's own path, `mtl_backward(losses, features)` then `jac_to_grad(shared params, UPGrad())`.

An `equal weighting (A/A control)` row times equal weighting again: its distance from 1.00 is the noise of one ratio. Each
cell also gives the 25th–75th percentile of the rounds' ratios. `--profile` prints instead where each step's time goes
(forward, loss, backward, optimizer, each callback's events: `weighting_profile.py`).

On a machine shared with other jobs, `OMP_NUM_THREADS=1 ... --clock cpu` times each step by the process's CPU time (user
+ system: page faults included), which the other jobs disturb far less than wall time.

Usage: python bench/weighting_cost.py [--size 32] [--bs 32] [--steps 8] [--rounds 3] [--tasks 2 4 8] [--configs NAME ...]
                                      [--clock wall|cpu] [--profile]
"""
import argparse, time, warnings
from fastai.vision.all import *
from fastmtl.all import *
from torchjd.aggregation import UPGrad
from strategies import STRATEGIES, SCALARIZERS

class StepTimer(Callback):
    "Seconds of each training step, `before_batch` to `after_batch`; with `n`, the fit stops after `n` steps; `clock`: wall time, or e.g. `time.process_time`"
    order = -100
    def __init__(self, n=None, clock=time.perf_counter): self.n, self.clock = n, clock
    def before_fit(self): self.times = []
    def before_batch(self): self.t = self.clock()
    def after_batch(self):
        if not self.training: return
        self.times.append(self.clock() - self.t)
        if self.n is not None and len(self.times) >= self.n: raise CancelFitException()

def _plain_grads(model):
    "fastai's optimizer detaches `.grad` in place: make every gradient a plain tensor of its own (not a view)"
    for p in model.parameters():
        if p.grad is not None: g = torch.zeros_like(p.data); g.add_(p.grad.detach()); p.grad = g

class _Reference(Callback):
    "Base of the two reference implementations: body gradients by UPGrad over the per-task Jacobian"
    order = Recorder.order - 1
    def before_fit(self): self.agg = UPGrad()
    def before_batch(self):
        self.feats = []
    def shared(self): return [p for p in self.learn.model.body.parameters() if p.requires_grad]

class SeparateBackwards(_Reference):
    "K `backward` calls, copying the shared gradients after each (LibMTL's way), then UPGrad"
    def before_backward(self):
        losses, shared = self.learn.loss_func.last_losses, self.shared()
        rows = []
        for k, l in enumerate(losses):
            for p in shared: p.grad = None
            l.backward(retain_graph=k < len(losses) - 1)   # heads accumulate their own task's gradient
            rows.append(torch.cat([p.grad.flatten() for p in shared]))
        g = self.agg(torch.stack(rows))
        for p, c in zip(shared, g.split([p.numel() for p in shared])): p.grad = c.view_as(p)
        _plain_grads(self.learn.model)
        raise CancelBackwardException()

class TorchjdAutojac(_Reference):
    "torchjd's own path: `mtl_backward` over the body's output, then `jac_to_grad` with UPGrad"
    def before_fit(self):
        super().before_fit()
        self.hook = self.learn.model.body.register_forward_hook(lambda m, i, o: self.feats.append(o))
    def after_fit(self): self.hook.remove()
    def before_backward(self):
        from torchjd.autojac import mtl_backward, jac_to_grad
        mtl_backward(list(self.learn.loss_func.last_losses), features=self.feats[-1])
        jac_to_grad(self.shared(), self.agg)
        _plain_grads(self.learn.model)
        raise CancelBackwardException()

CONFIGS = {'equal weighting': STRATEGIES['equal weighting'],
    'equal weighting (A/A control)': lambda: [],   # the same configuration again: how far a ratio strays by noise alone
    **STRATEGIES, **SCALARIZERS,
    'ref: K separate backwards + UPGrad': lambda: [SeparateBackwards()],
    'ref: torchjd autojac (mtl_backward + jac_to_grad)': lambda: [TorchjdAutojac()],
}

def learner(k, a, cbs):
    torch.manual_seed(0)
    n = a.bs*(a.steps + 2)
    x = torch.randn(n, 3, a.size, a.size)
    ys = [torch.randint(0, 4, (n,)) for _ in range(k)]
    ds = list(zip(x, *ys))
    dls = DataLoaders.from_dsets(ds, ds[:a.bs], bs=a.bs, shuffle=False, drop_last=True, num_workers=0); dls.n_inp = 1
    model = hydranet(resnet18, [4]*k, ps=0.)
    names = [f't{i}' for i in range(k)]
    return Learner(dls, model, splitter=multihead_splitter, cbs=cbs, opt_func=partial(SGD, mom=0.9),
                   loss_func=CombinedLoss(*[CrossEntropyLossFlat()]*k, names=names))

def step_ratios(make_learner, configs, rounds=3, steps=8, warmup=2, per_round=None, clock=time.perf_counter):
    "Each config's step time over the first config's in the same round (median over rounds), and the first's seconds per step; `per_round` (a dict) gets every round's ratios"
    names, ratios, base = list(configs), {n: [] for n in configs}, []
    for r in range(rounds):   # every configuration once per round, the order rotated between rounds
        t = {}
        for n in names[r % len(names):] + names[:r % len(names)]:
            timer = StepTimer(warmup + steps, clock)
            learn = make_learner(configs[n]() + [timer])
            with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
            t[n] = float(np.median(timer.times[warmup:]))
        base.append(t[names[0]])
        for n in names: ratios[n].append(t[n]/t[names[0]])
    if per_round is not None: per_round.update(ratios)
    return {n: float(np.median(v)) for n, v in ratios.items()}, float(np.median(base))

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--size', type=int, default=32); p.add_argument('--bs', type=int, default=32)
    p.add_argument('--steps', type=int, default=8); p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--tasks', type=int, nargs='+', default=[2, 4, 8])
    p.add_argument('--configs', nargs='+', default=None, help="only these rows (equal weighting and its A/A control always come first)")
    p.add_argument('--profile', action='store_true', help="instead of the ratios, where each step's time goes (weighting_profile.py)")
    p.add_argument('--clock', choices=['wall', 'cpu'], default='wall', help="'cpu': the process's CPU time (user + system), which "
                   "other jobs on a shared machine disturb far less than wall time; meaningful with OMP_NUM_THREADS=1")
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    configs = CONFIGS if a.configs is None else {n: CONFIGS[n] for n in dict.fromkeys(['equal weighting', 'equal weighting (A/A control)', *a.configs])}
    if a.profile:
        import weighting_profile
        for k in a.tasks: print(f"\nK={k}"); weighting_profile.report(weighting_profile.parts(k, a, configs))
        return
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; ResNet-18 HydraNet, {a.size}x{a.size} images, "
          f"batch {a.bs}, {a.steps} timed steps per run, {a.rounds} rounds")
    names = list(configs)
    res, spread = {}, {}
    for k in a.tasks:
        spread[k] = {}
        res[k], res[k]['_base'] = step_ratios(partial(learner, k, a), configs, a.rounds, a.steps, per_round=spread[k],
                                              clock=time.process_time if a.clock == 'cpu' else time.perf_counter)
        print(f"K={k}: equal weighting {1000*res[k]['_base']:.0f} ms/step", flush=True)
    print("\n| strategy | " + " | ".join(f"K={k}" for k in a.tasks) + " |\n|---|" + "---|"*len(a.tasks))
    print("| equal weighting, ms/step | " + " | ".join(f"{1000*res[k]['_base']:.0f}" for k in a.tasks) + " |")
    iqr = lambda v: f"{np.percentile(v, 25):.2f}–{np.percentile(v, 75):.2f}"
    for n in names[1:]: print(f"| {n} | " + " | ".join(f"{res[k][n]:.2f} ({iqr(spread[k][n])})" for k in a.tasks) + " |")
    print(f"\nEach cell: the median over {a.rounds} rounds of the ratio to equal weighting in the same round, and (in brackets) the "
          "25th–75th percentile of the rounds' ratios. The A/A control row is equal weighting against itself: a ratio as far "
          "from 1 as it is can be noise.")

if __name__ == '__main__': main()
