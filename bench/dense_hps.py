"""Hard parameter sharing with 2 dense tasks against 2 single-task networks: training-step time and memory, side by side.

A = one `unet_hydranet` (or `dense_hydranet` on a torchvision encoder, `--arch resnet18`) with a segmentation head
(`--classes` logits per pixel) and a depth head; B = two networks of the same architecture with one head each, trained
one after the other on the same batch. One step = what fastai does per batch (forward, `CombinedLoss` of
`PixelCrossEntropy` + `ScaleInvariantLoss`, backward, SGD step), timed by a callback; rounds alternate A and B (order
swapped every round); the time ratio is the median over rounds of (B_seg + B_depth) / A.

Memory of one training step, counted exactly rather than sampled: parameter bytes + gradient bytes + the bytes of the
tensors autograd saves for the backward pass (`torch.autograd.graph.saved_tensors_hooks`, each storage counted once).
That is what grows with the model and the batch; the allocator's caching and the optimizer (SGD without momentum
holds no state) are left out.

Usage: python bench/dense_hps.py [--size 64 80] [--bs 8] [--classes 7] [--steps 6] [--rounds 5] [--arch unet|resnet18]
"""
import argparse, time, warnings
import torchvision
from fastai.vision.all import *
from fastmtl.all import *

class StepTimer(Callback):
    order = -100
    def before_fit(self): self.times = []
    def before_batch(self): self.t = time.perf_counter()
    def after_batch(self):
        if self.training: self.times.append(time.perf_counter() - self.t)

def make_model(a, n_outs, acts):
    if a.arch == 'unet': return unet_hydranet(n_outs, acts=acts)
    return dense_hydranet(getattr(torchvision.models, a.arch) if hasattr(torchvision.models, a.arch) else resnet18,
                          n_outs, tuple(a.size), acts=acts)

def learner(a, tasks):
    "A learner on in-memory random images, masks and depths, for the tasks in `tasks` ('seg', 'depth')"
    torch.manual_seed(0)
    n = a.bs*(a.steps + 2)
    h, w = a.size
    x = torch.randn(n, 3, h, w)
    y = {'seg': torch.randint(0, a.classes, (n, h, w)), 'depth': torch.rand(n, h, w)*9 + 0.5}
    ds = list(zip(x, *[y[t] for t in tasks]))
    dls = DataLoaders.from_dsets(ds, ds[:a.bs], bs=a.bs, shuffle=False, drop_last=True, num_workers=0); dls.n_inp = 1
    n_outs = [a.classes if t == 'seg' else 1 for t in tasks]
    acts = [None if t == 'seg' else nn.Softplus() for t in tasks]
    losses = [PixelCrossEntropy() if t == 'seg' else ScaleInvariantLoss() for t in tasks]
    return Learner(dls, make_model(a, n_outs, acts), loss_func=CombinedLoss(*losses, names=tasks), opt_func=partial(SGD, mom=0.),
                   cbs=StepTimer())

def step_time(learn):
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    return float(np.median(learn.step_timer.times[2:]))

def step_memory(learn):
    "Bytes of parameters + gradients + tensors saved for backward in one training step"
    xb, *yb = learn.dls.one_batch()
    seen, saved = set(), [0]
    def pack(t):
        key = (t.untyped_storage().data_ptr(), t.untyped_storage().nbytes())
        if key not in seen: seen.add(key); saved[0] += key[1]
        return t
    learn.model.train()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = learn.loss_func(learn.model(xb), *yb)
    loss.backward()
    p = sum(q.numel()*q.element_size() for q in learn.model.parameters())
    return 2*p + saved[0]

def main():
    pa = argparse.ArgumentParser()
    pa.add_argument('--size', type=int, nargs=2, default=[64, 80]); pa.add_argument('--bs', type=int, default=8)
    pa.add_argument('--classes', type=int, default=7); pa.add_argument('--steps', type=int, default=6)
    pa.add_argument('--rounds', type=int, default=5); pa.add_argument('--arch', default='unet')
    a = pa.parse_args()
    warnings.filterwarnings('ignore')
    mk = {'A': lambda: learner(a, ['seg', 'depth']), 'seg': lambda: learner(a, ['seg']), 'depth': lambda: learner(a, ['depth'])}
    params = {k: sum(p.numel() for p in f().model.parameters()) for k, f in mk.items()}
    mem = {k: step_memory(f()) for k, f in mk.items()}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; arch {a.arch}, {a.size[0]}x{a.size[1]} images, batch {a.bs}, "
          f"{a.classes} classes, {a.steps} timed steps per run, {a.rounds} rounds")
    ratios, ta, tb = [], [], []
    for r in range(a.rounds):
        order = ['A', 'B'] if r % 2 == 0 else ['B', 'A']
        t = {}
        for o in order:
            t[o] = step_time(mk['A']()) if o == 'A' else step_time(mk['seg']()) + step_time(mk['depth']())
        ratios.append(t['B']/t['A']); ta.append(t['A']); tb.append(t['B'])
        print(f"round {r}: A {1000*t['A']:.0f} ms, B {1000*t['B']:.0f} ms, B/A {t['B']/t['A']:.2f}", flush=True)
    mb = mem['seg'] + mem['depth']
    print("\n| | one 2-task HPS network (A) | 2 single-task networks (B) | ratio B/A |\n|---|---|---|---|")
    print(f"| parameters | {params['A']:,} | {params['seg'] + params['depth']:,} | {(params['seg'] + params['depth'])/params['A']:.2f} |")
    print(f"| training step, median ms | {1000*np.median(ta):.0f} | {1000*np.median(tb):.0f} | **{np.median(ratios):.2f}** |")
    print(f"| step memory (params + grads + saved activations), MB | {mem['A']/2**20:.1f} | {mb/2**20:.1f} | **{mb/mem['A']:.2f}** |")

if __name__ == '__main__': main()
