"""Overhead of fastai + fastmtl over a hand-written PyTorch loop, measured side by side in one run.

One epoch (train on every batch, then a validation pass computing the metrics) of a 3-task HydraNet with a
ResNet-18 body (no dropout in the heads) on in-memory tensors: 10-way classification (cross-entropy, accuracy), 5-label multi-label
(BCE, accuracy_multi) and a regression (MSE, RMSE).
  A: fastai `Learner.fit(1)` with `CombinedLoss` (per-task loss columns on) and `mtl_metrics`;
  B: a plain PyTorch loop with the same model weights, optimizer (torch Adam), batches, losses and metrics.
Rounds alternate A/B (order swapped every round); the printed ratio is the median of per-round time(A)/time(B).
Progress bar and logging are off in A (they are fastai's terminal UI, not fastmtl's work).
Usage: python bench/overhead.py [--rounds 7] [--n 1024] [--size 64] [--bs 64]
"""
import argparse, statistics, time, warnings
import torch, torch.nn as nn, torch.nn.functional as F
from fastai.vision.all import *
from fastmtl.all import *
from copy import deepcopy

def make_data(n, size, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, size, size, generator=g)
    return x, torch.randint(0, 10, (n,), generator=g), (torch.rand(n, 5, generator=g) > 0.5).float(), torch.randn(n, generator=g)

def batches(tensors, bs): return [tuple(t[i:i+bs] for t in tensors) for i in range(0, len(tensors[0]), bs)]

W = [1., 2., 0.5]
def hand_epoch(model, opt, train, valid):
    "B: the hand-written loop"
    model.train()
    for x, y0, y1, y2 in train:
        o0, o1, o2 = model(x)
        losses = torch.stack([F.cross_entropy(o0, y0), F.binary_cross_entropy_with_logits(o1, y1), F.mse_loss(o2.squeeze(-1), y2)])
        loss = (torch.tensor(W) * losses).sum()
        loss.backward(); opt.step(); opt.zero_grad()
    model.eval()
    n, correct, multi, sq, tot = 0, 0., 0., 0., 0.
    with torch.no_grad():
        for x, y0, y1, y2 in valid:
            o0, o1, o2 = model(x)
            bs = len(x)
            tot += (W[0]*F.cross_entropy(o0, y0) + W[1]*F.binary_cross_entropy_with_logits(o1, y1) + W[2]*F.mse_loss(o2.squeeze(-1), y2))*bs
            correct += (o0.argmax(1) == y0).float().sum()
            multi += ((o1.sigmoid() > 0.5) == y1.bool()).float().mean(1).sum()
            sq += ((o2.squeeze(-1) - y2)**2).sum(); n += bs
    return [float(tot/n), float(correct/n), float(multi/n), float((sq/n).sqrt())]

def fastai_learner(model, train_t, valid_t, bs):
    dls = DataLoaders(DataLoader(list(zip(*train_t)), bs=bs, shuffle=False), DataLoader(list(zip(*valid_t)), bs=bs, shuffle=False))
    dls.n_inp = 1   # one input, three targets
    return Learner(dls, model, opt_func=partial(OptimWrapper, opt=torch.optim.Adam), lr=1e-3, wd=0., wd_bn_bias=True, train_bn=True,
                   loss_func=CombinedLoss(CrossEntropyLossFlat(), BCEWithLogitsLossFlat(), MSELossFlat(), weight=W, names=['cls', 'multi', 'reg']),
                   metrics=mtl_metrics([accuracy], [accuracy_multi], [rmse], names=['cls', 'multi', 'reg']))

def main():
    p = argparse.ArgumentParser(); p.add_argument('--rounds', type=int, default=7); p.add_argument('--n', type=int, default=1024)
    p.add_argument('--size', type=int, default=64); p.add_argument('--bs', type=int, default=64); a = p.parse_args()
    warnings.filterwarnings('ignore')
    torch.manual_seed(0)
    train_t, valid_t = make_data(a.n, a.size, 0), make_data(a.n//4, a.size, 1)
    train_b, valid_b = batches(train_t, a.bs), batches(valid_t, a.bs)
    model = hydranet(resnet18, [10, 5, 1], ps=0.)   # no dropout, so A and B must reach the same numbers
    init = deepcopy(model.state_dict())
    learn = fastai_learner(model, train_t, valid_t, a.bs)

    def run_a():
        model.load_state_dict(init); learn.opt = None   # fresh optimizer, as B gets
        t = time.perf_counter()
        with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
        return time.perf_counter() - t, learn.recorder.values[-1]
    def run_b():
        model.load_state_dict(init); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        t = time.perf_counter()
        res = hand_epoch(model, opt, train_b, valid_b)
        return time.perf_counter() - t, res

    run_a(); run_b()   # warm-up
    ta, tb, ratios = [], [], []
    for r in range(a.rounds):
        (sa, va), (sb, vb) = (run_a(), run_b()) if r % 2 == 0 else reversed((run_b(), run_a()))
        ta.append(sa); tb.append(sb); ratios.append(sa/sb)
    names = learn.recorder.metric_names[2:-1]
    print(f"threads={torch.get_num_threads()} n={a.n} size={a.size} bs={a.bs} rounds={a.rounds}")
    print("fastai columns:", dict(zip(names, [round(float(v), 4) for v in va[1:]])))
    print("hand loop     : valid_loss, cls_accuracy, multi_accuracy_multi, reg_rmse =", [round(v, 4) for v in vb])
    same = all(abs(float(x) - y) < 1e-3 * max(1., abs(y)) for x, y in zip([va[1], *va[-3:]], vb))
    if not same: raise SystemExit("A and B do not reach the same valid loss and metrics: they do not compute the same thing")
    print("A and B reach the same valid loss and metrics: checked")
    print(f"A fastai+fastmtl median {statistics.median(ta):.3f}s, B hand-written median {statistics.median(tb):.3f}s")
    print(f"ratio A/B per round: {[round(r, 3) for r in ratios]}")
    print(f"median ratio A/B = {statistics.median(ratios):.3f}")

if __name__ == '__main__': main()
