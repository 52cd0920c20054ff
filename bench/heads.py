"""One body with K heads vs K single-task models, side by side in one run: inference throughput and parameters.

ResNet-18 bodies (`hydranet`), images of --size pixels, batches of --bs, `no_grad` inference in eval mode.
For K = 2, 3, 5: A = one `hydranet` with K heads (10 classes each); B = K `hydranet`s with one head each, run one
after the other on the same batch. Rounds alternate A/B; the printed throughput ratio is the median of per-round
time(B)/time(A) (target ≥ 0.8·K: the shared body is paid once), the parameter ratio is params(B)/params(A).
Usage: python bench/heads.py [--size 64] [--bs 32] [--rounds 7] [--steps 3]
"""
import argparse, statistics, time, warnings
import torch
from fastai.vision.all import resnet18
from fastmtl.models import hydranet

def n_params(ms): return sum(p.numel() for m in ms for p in m.parameters())

def timed(fn, steps):
    t = time.perf_counter()
    for _ in range(steps): fn()
    return (time.perf_counter() - t)/steps

def main():
    p = argparse.ArgumentParser(); p.add_argument('--size', type=int, default=64); p.add_argument('--bs', type=int, default=32)
    p.add_argument('--rounds', type=int, default=7); p.add_argument('--steps', type=int, default=3); a = p.parse_args()
    warnings.filterwarnings('ignore')
    torch.manual_seed(0)
    x = torch.randn(a.bs, 3, a.size, a.size)
    print(f"threads={torch.get_num_threads()} size={a.size} bs={a.bs} rounds={a.rounds}")
    print("| K | one K-head model | K single-task models | throughput ratio B/A (target ≥ 0.8·K) | parameter ratio B/A |")
    print("|---|---|---|---|---|")
    for k in (2, 3, 5):
        multi = hydranet(resnet18, [10]*k).eval()
        singles = [hydranet(resnet18, [10]).eval() for _ in range(k)]
        def run_a():
            with torch.no_grad(): multi(x)
        def run_b():
            with torch.no_grad():
                for m in singles: m(x)
        run_a(); run_b()
        ta, tb, ratios = [], [], []
        for r in range(a.rounds):
            if r % 2 == 0: sa = timed(run_a, a.steps); sb = timed(run_b, a.steps)
            else: sb = timed(run_b, a.steps); sa = timed(run_a, a.steps)
            ta.append(sa); tb.append(sb); ratios.append(sb/sa)
        tr = statistics.median(ratios); pr = n_params(singles)/n_params([multi])
        print(f"| {k} | {statistics.median(ta)*1000:.1f} ms/batch | {statistics.median(tb)*1000:.1f} ms/batch | "
              f"**{tr:.2f}** ({tr/k:.2f}·K) | {pr:.2f} |")

if __name__ == '__main__': main()
