"""Frames folded into the batch vs a frame-by-frame loop over the same body, side by side in one run.

`VideoMultiHeadModel` (ResNet-18 body, two heads) on clips of T frames: a training step (forward, backward, SGD step)
and inference (`no_grad` forward), with `fold=True` (the body runs once on B*T images) and `fold=False` (T calls of
the body on B images). Both variants share one set of weights; batch norm is in eval mode during the timed training
steps so that both compute exactly the same function (checked: identical outputs and gradients).
Rounds alternate the two variants; printed ratios are medians of per-round time(loop)/time(fold) (>1: folding wins).
Usage: python bench/fold.py [--device cpu|cuda] [--bs 16] [--frames 5] [--size 64] [--rounds 7] [--steps 3]
"""
import argparse, statistics, time, warnings
import torch
from fastai.vision.all import resnet18
from fastmtl.models import video_hydranet

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()

def timed(fn, dev, steps):
    sync(dev); t = time.perf_counter()
    for _ in range(steps): fn()
    sync(dev); return (time.perf_counter() - t)/steps

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--bs', type=int, default=16); p.add_argument('--frames', type=int, default=5)
    p.add_argument('--size', type=int, default=64); p.add_argument('--rounds', type=int, default=7)
    p.add_argument('--steps', type=int, default=3); a = p.parse_args()
    warnings.filterwarnings('ignore')
    dev = torch.device(a.device)
    torch.manual_seed(0)
    model = video_hydranet(resnet18, [7, 5]).to(dev).eval()
    x = torch.randn(a.bs, a.frames, 3, a.size, a.size, device=dev)
    opt = torch.optim.SGD(model.parameters(), lr=1e-4)

    def step(fold):
        model.fold = fold
        out = model(x); (out[0].logsumexp(1).mean() + out[1].logsumexp(1).mean()).backward()
        opt.step(); opt.zero_grad()
    def infer(fold):
        model.fold = fold
        with torch.no_grad(): return model(x)

    # same function: outputs and gradients agree
    with torch.no_grad(): o1 = infer(True); o2 = infer(False)
    same_out = all(torch.allclose(u, v, atol=1e-4, rtol=1e-4) for u, v in zip(o1, o2))
    grads = []
    for fold in (True, False):
        model.fold = fold; model.zero_grad()
        out = model(x); (out[0].logsumexp(1).mean() + out[1].logsumexp(1).mean()).backward()
        grads.append([q.grad.clone() for q in model.parameters()]); model.zero_grad()
    same_grad = all(torch.allclose(u, v, atol=1e-4, rtol=1e-3) for u, v in zip(*grads))
    if not (same_out and same_grad):   # timing two different functions would mean nothing
        raise SystemExit(f"fold and loop differ (identical outputs: {same_out}, identical gradients: {same_grad}): no timing")

    res = {k: [] for k in ('train_fold', 'train_loop', 'infer_fold', 'infer_loop')}
    for fold in (True, False): step(fold); infer(fold)   # warm-up
    for r in range(a.rounds):
        order = (True, False) if r % 2 == 0 else (False, True)
        for fold in order: res['train_' + ('fold' if fold else 'loop')].append(timed(lambda: step(fold), dev, a.steps))
        for fold in order: res['infer_' + ('fold' if fold else 'loop')].append(timed(lambda: infer(fold), dev, a.steps))
    med = {k: statistics.median(v) for k, v in res.items()}
    tr = statistics.median([l/f for l, f in zip(res['train_loop'], res['train_fold'])])
    ir = statistics.median([l/f for l, f in zip(res['infer_loop'], res['infer_fold'])])
    print(f"device={dev} threads={torch.get_num_threads()} bs={a.bs} frames={a.frames} size={a.size} rounds={a.rounds}")
    print("identical outputs and gradients: checked")
    print(f"training step: fold {med['train_fold']*1000:.1f} ms, loop {med['train_loop']*1000:.1f} ms, loop/fold = {tr:.3f}")
    print(f"inference    : fold {med['infer_fold']*1000:.1f} ms, loop {med['infer_loop']*1000:.1f} ms, loop/fold = {ir:.3f}")

if __name__ == '__main__': main()
