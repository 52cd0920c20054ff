"""The MMoE paper's synthetic experiment (Ma et al., KDD 2018, section 3): shared-bottom vs OMoE vs MMoE as the tasks'
correlation falls, side by side in one run.

Data: `fastmtl.datasets.mmoe_synthetic(rho=ρ, seed=s)`: two regression tasks on 100 Gaussian inputs, y_k = w_kᵀx +
Σ_i sin(α_i w_kᵀx + β_i) + ε, with cos(w_1, w_2) = ρ; for one seed every ρ shares the directions, sines, inputs and
noise, so only ρ changes. 12,000 rows, the last 2,000 for validation.
Models (`fastmtl.tabular`), the paper's shapes: OMoE and MMoE with 8 experts of one hidden layer of 16 units, a tower of 8
units per task; the shared-bottom's hidden layer sized to MMoE's parameter count (OMoE has one gate instead of two).
Training: `mtl_tabular_learner(dls, arch, ...)`, Adam, `fit_one_cycle(epochs, lr)`, batch 128, the same seed for data
order and initial weights across the three models. Reported: each task's validation MSE after training and their mean
(the "loss"), the same on the training rows (what the paper's figure plots), mean ± standard deviation over the seeds,
and the ratio of each model's loss to shared-bottom's, per seed then averaged (side by side: the same data, seed and
budget).
Usage: python bench/mmoe_synthetic.py [--rhos 0.5 0.9 1.0] [--seeds 0 1 2] [--epochs 15] [--lr 1e-2] [--out FILE]
"""
import argparse, functools, json, random, time, warnings
from pathlib import Path
from fastai.tabular.all import *
from fastmtl.all import *

ARCHS = ['shared_bottom', 'omoe', 'mmoe']

def n_params(m): return sum(p.numel() for p in m.parameters())

@functools.cache   # the same for every ρ and seed: ~100 models built once
def shared_bottom_width(n_in, target, tower=(8,)):
    "The hidden width of a one-layer shared bottom whose model has about `target` parameters"
    best = None
    for h in range(8, 1024):
        c = n_params(tabular_mtl_model('shared_bottom', [], n_in, [1, 1], layers=[h], tower=list(tower)))
        if best is None or abs(c - target) < abs(best[1] - target): best = (h, c)
        if c > target: break
    return best[0]

def run(rho, seed, epochs, lr, bs):
    df = pd.read_csv(mmoe_synthetic(rho=rho, seed=seed))
    xs = [c for c in df.columns if c.startswith('x')]
    to = TabularPandas(df, [], cat_names=[], cont_names=xs, y_names=['y1', 'y2'], y_block=MultiTaskBlock(),
                       splits=ColSplitter('is_valid')(df))
    dls = to.dataloaders(bs=bs)
    target = n_params(tabular_mtl_model('mmoe', [], len(xs), [1, 1]))
    sizes = {'shared_bottom': dict(layers=[shared_bottom_width(len(xs), target)]), 'omoe': {}, 'mmoe': {}}
    res = {}
    for arch in ARCHS:
        set_seed(seed, reproducible=True)
        for dl in dls.loaders: dl.rng = random.Random(seed)   # a loader draws its shuffling generator when built: the same batches for the 3 models
        learn = mtl_tabular_learner(dls, arch, metrics=[[mse], [mse]], **sizes[arch])
        t = time.perf_counter()
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, lr)
        secs = time.perf_counter() - t
        f = final_metrics(learn)
        with learn.no_bar(): preds, targs = learn.get_preds(ds_idx=0)   # the training rows, in order, without dropout
        tr = [float(((p.view(-1) - y.view(-1))**2).mean()) for p, y in zip(preds, targs)]
        res[arch] = dict(y1=f['y1_mse'], y2=f['y2_mse'], loss=(f['y1_mse'] + f['y2_mse'])/2, train_loss=sum(tr)/2,
                         params=n_params(learn.model), secs=secs)
    return res

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--rhos', type=float, nargs='+', default=[0.5, 0.9, 1.0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--epochs', type=int, default=15); p.add_argument('--lr', type=float, default=1e-2)
    p.add_argument('--bs', type=int, default=128)
    p.add_argument('--out', default=str(Path(__file__).parent/'mmoe_synthetic.json'))
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    runs = []
    for seed in a.seeds:
        for rho in a.rhos:
            r = run(rho, seed, a.epochs, a.lr, a.bs)
            runs.append(dict(rho=rho, seed=seed, **{k: v for k, v in r.items()}))
            print(f"rho {rho} seed {seed}: " + ", ".join(f"{k} {v['loss']:.4f} ({v['params']} params, {v['secs']:.0f} s)" for k, v in r.items()), flush=True)
    Path(a.out).write_text(json.dumps(dict(settings=vars(a), runs=runs), indent=1))
    for key, what in (('loss', 'validation'), ('train_loss', 'training')):
        print(f"\n{a.epochs} epochs, lr {a.lr}, batch {a.bs}, seeds {a.seeds}; {what} MSE (mean of the two tasks), mean ± std over seeds; "
              f"ratios per seed, then mean ± std\n")
        print("| ρ | " + " | ".join(ARCHS) + " | OMoE / shared-bottom | MMoE / shared-bottom | MMoE / OMoE |\n|---|" + "---|"*(len(ARCHS) + 3))
        for rho in a.rhos:
            rs = [r for r in runs if r['rho'] == rho]
            loss = {k: np.array([r[k][key] for r in rs]) for k in ARCHS}
            ratio = lambda x, y: f"{np.mean(loss[x]/loss[y]):.3f} ± {np.std(loss[x]/loss[y]):.3f}"
            print(f"| {rho} | " + " | ".join(f"{loss[k].mean():.4f} ± {loss[k].std():.4f}" for k in ARCHS) +
                  f" | {ratio('omoe', 'shared_bottom')} | {ratio('mmoe', 'shared_bottom')} | {ratio('mmoe', 'omoe')} |")

if __name__ == '__main__': main()
