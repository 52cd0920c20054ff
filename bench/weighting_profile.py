"""Where a task weighting's training step spends its time: milliseconds per step in each part of fastai's batch
(forward, `CombinedLoss`, backward, optimizer step, zero_grad) and in each callback's events, for several weightings
side by side, on `weighting_cost.py`'s learner (ResNet-18 HydraNet, K tasks of 4 classes, in-memory 32x32 images).

Each round trains every configuration for `--steps` timed steps (after 2 warm-up steps), the order rotated between
rounds; a part's time is its median per step over the round (the garbage collector's: its mean), then the median over rounds. The parts that differ from
equal weighting's are what the weighting adds (`extra`); a callback's events are timed around fastai's own dispatch.
`--torch NAME` prints instead torch.profiler's operator table of that configuration (5 steps; `--shapes` groups it by
input shape).

Usage: python bench/weighting_profile.py [--tasks 4] [--steps 8] [--rounds 3] [--configs 'equal weighting' GradNorm ...]
       python bench/weighting_profile.py --torch GradNorm [--shapes]
"""
import argparse, time, warnings
from collections import defaultdict
from weighting_cost import *

_T = None   # the running timer's accumulator, or None

def _timed(key, f, *args, **kw):
    acc = _T
    if acc is None: return f(*args, **kw)
    t = time.perf_counter()
    try: return f(*args, **kw)
    finally: acc[key] += time.perf_counter() - t

def install():
    "Wrap fastai's batch parts and every callback's dispatch with timers (once per process)"
    if getattr(Learner, '_wp_installed', False): return
    cb_call, bwd, stp, loss_call = Callback.__call__, Learner._backward, Learner._step, CombinedLoss.__call__
    def cb_timed(self, event_name):
        if event_name in ('before_batch', 'after_batch', 'after_pred', 'after_loss', 'before_backward', 'after_backward',
                          'before_step', 'after_step', 'after_cancel_backward', 'after_cancel_step', 'after_cancel_batch'):
            return _timed(f'cb {type(self).__name__}.{event_name}', cb_call, self, event_name)
        return cb_call(self, event_name)
    Callback.__call__ = cb_timed
    Learner._backward = lambda self: _timed('backward', bwd, self)
    Learner._step = lambda self: _timed('opt step', stp, self)
    from fastai.optimizer import Optimizer as _BaseOptimizer
    zg = _BaseOptimizer.zero_grad
    _BaseOptimizer.zero_grad = lambda self: _timed('opt zero_grad', zg, self)
    CombinedLoss.__call__ = lambda self, *a, **k: _timed('CombinedLoss', loss_call, self, *a, **k)
    import gc
    def gc_cb(phase, info, t0=[0.]):
        if phase == 'start': t0[0] = time.perf_counter()
        elif _T is not None: _T[f"gc gen{info['generation']} (Python's garbage collector)"] += time.perf_counter() - t0[0]
    gc.callbacks.append(gc_cb)
    Learner._wp_installed = True

class PartTimer(Callback):
    "Per training step: the time of each timed part (ms), the forward pass and the whole step; stops after `n` steps"
    order = -100
    def __init__(self, n): self.n = n
    def before_fit(self):
        self.steps, self.fwd_hook = [], self.learn.model.register_forward_pre_hook(lambda m, i: self._mark('fwd0'))
        self.fwd_hook2 = self.learn.model.register_forward_hook(lambda m, i, o: self._mark('fwd1'))
    def _mark(self, k): self.marks[k] = time.perf_counter()
    def before_batch(self):
        global _T
        _T, self.marks, self.t0 = defaultdict(float), {}, time.perf_counter()
    def after_batch(self):
        global _T
        if not self.training: return
        d = {k: 1000*v for k, v in _T.items()}
        d['forward'] = 1000*(self.marks['fwd1'] - self.marks['fwd0'])
        d['step'] = 1000*(time.perf_counter() - self.t0)
        self.steps.append(d); _T = None
        if len(self.steps) >= self.n: raise CancelFitException()
    def after_fit(self):
        global _T
        _T = None; self.fwd_hook.remove(); self.fwd_hook2.remove()

def parts(k, a, configs, warmup=2):
    "{config: {part: median ms per step}} over `a.rounds` rounds, every config once per round, the order rotated"
    install()
    names, per = list(configs), {n: [] for n in configs}
    for r in range(a.rounds):
        for n in names[r % len(names):] + names[:r % len(names)]:
            pt = PartTimer(warmup + a.steps)
            learn = learner(k, a, configs[n]() + [pt])
            with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
            steps = pt.steps[warmup:]
            keys = {key for s in steps for key in s}
            per[n].append({key: float(np.median([s.get(key, 0.) for s in steps])) if not key.startswith('gc') else float(np.mean([s.get(key, 0.) for s in steps])) for key in keys})
    return {n: {key: float(np.median([r.get(key, 0.) for r in rs])) for key in {x for r in rs for x in r}} for n, rs in per.items()}

def report(res, base='equal weighting'):
    b = res[base]
    for n, d in res.items():
        fixed = ('step', 'forward', 'CombinedLoss', 'backward', 'opt step', 'opt zero_grad')
        own = sorted((key for key in d if key not in fixed), key=lambda x: -d[x])
        print(f"\n{n}: step {d['step']:.1f} ms ({d['step']/b['step']:.2f}x equal weighting's {b['step']:.1f})")
        for key in fixed[1:] + tuple(own):
            v = d.get(key, 0.)
            if v < 0.05 and key not in fixed: continue
            print(f"  {key:<48} {v:8.2f} ms   (equal weighting {b.get(key, 0.):7.2f}, extra {v - b.get(key, 0.):+7.2f})")
        other = d['step'] - sum(d.get(key, 0.) for key in fixed[1:] + tuple(own))
        print(f"  {'rest of the step (fastai, hooks, loader)':<48} {other:8.2f} ms")

def torch_profile(k, a, name):
    from torch.profiler import profile, ProfilerActivity
    class Prof(Callback):
        order = -99
        def before_batch(self):
            if self.iter == 3: self.p = profile(activities=[ProfilerActivity.CPU], record_shapes=a.shapes); self.p.__enter__()
        def after_batch(self):
            if self.iter == 7: self.p.__exit__(None, None, None); raise CancelFitException()
    pc = Prof()
    learn = learner(k, a, CONFIGS[name]() + [pc])
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    print(f"{name}, K={k}: torch.profiler over 5 steps")
    print(pc.p.key_averages(group_by_input_shape=a.shapes).table(sort_by='self_cpu_time_total', row_limit=a.rows, max_name_column_width=50,
                                                                   max_shapes_column_width=90))

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--size', type=int, default=32); p.add_argument('--bs', type=int, default=32)
    p.add_argument('--steps', type=int, default=8); p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--tasks', type=int, default=4)
    p.add_argument('--configs', nargs='+', default=['equal weighting', "UncertaintyWeighting(init='loss')", 'DynamicWeightAverage',
                   'RandomLossWeighting', 'GeometricLossStrategy', 'FAMO', 'STCH', 'GradNorm'])
    p.add_argument('--torch', default=None); p.add_argument('--shapes', action='store_true'); p.add_argument('--rows', type=int, default=25)
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; K={a.tasks}, {a.size}x{a.size} images, batch {a.bs}")
    if a.torch: return torch_profile(a.tasks, a, a.torch)
    cfgs = {n: CONFIGS[n] for n in a.configs}
    if 'equal weighting' not in cfgs: cfgs = {'equal weighting': CONFIGS['equal weighting'], **cfgs}
    report(parts(a.tasks, a, cfgs))

if __name__ == '__main__': main()
