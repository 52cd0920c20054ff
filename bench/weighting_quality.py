"""Quality of every task-weighting strategy on multidigits: per-task metrics and Δm, 3 seeds, in one run.

Five tasks of four kinds on `multidigits(n=1500)` (1,500 images of 48×48, 300 for validation): count (3 classes), digits
(multi-label, 10 labels), leftmost (10 classes), any_even (binary), rotation of the left-most digit (regression, in
degrees: its MSE is ~100× the classification losses, so the weighting matters). `mtl_learner(dls, resnet18,
pretrained=False)`, `fit_one_cycle(epochs, lr)`, batch 64; the same data, settings and seeds for every strategy.
Single-task baselines: `single_task_baselines` (the same learner with the other tasks' weights at 0), seed 0.
Δm (%) against them, > 0 better; mean ± standard deviation over the seeds.

Usage: python bench/weighting_quality.py [--n 1500] [--epochs 4] [--lr 3e-3] [--seeds 0 1 2] [--only NAME ...]
"""
import argparse, random, time, warnings
from fastai.vision.all import *
from fastmtl.all import *
from strategies import STRATEGIES

KEYS = ['count_accuracy', 'digits_accuracy_multi', 'leftmost_accuracy', 'any_even_accuracy', 'rotation_rmse']
TASKS = ['count', 'digits', 'leftmost', 'any_even', 'rotation']

def dataloaders(n, bs):
    path = multidigits(n=n)
    df = pd.read_csv(path/'labels.csv')
    return DataBlock(blocks=(ImageBlock, CategoryBlock, MultiCategoryBlock, CategoryBlock, CategoryBlock, RegressionBlock),
                     get_x=ColReader('file', pref=path),
                     get_y=[ColReader('count'), ColReader('digits', label_delim=';'), ColReader('leftmost'),
                            ColReader('any_even'), ColReader('rotation')],
                     splitter=ColSplitter('is_valid'), n_inp=1).dataloaders(df, bs=bs, num_workers=0)

def final(learn):
    return dict(zip(learn.recorder.metric_names[1:-1], learn.recorder.values[-1]))

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--n', type=int, default=1500)
    p.add_argument('--epochs', type=int, default=4); p.add_argument('--lr', type=float, default=3e-3)
    p.add_argument('--bs', type=int, default=64); p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--only', nargs='+', default=None)
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    dls = dataloaders(a.n, a.bs)
    make = lambda cbs=None: mtl_learner(dls, resnet18, pretrained=False, cbs=cbs)
    def fit(learn):
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(a.epochs, a.lr)
    t0 = time.perf_counter()
    base = single_task_baselines(make, fit, seed=0)
    base = {k: base[k] for k in KEYS}
    print(f"single-task baselines ({time.perf_counter() - t0:.0f} s): " + ", ".join(f"{k} {v:.3f}" for k, v in base.items()), flush=True)
    rows = {}
    for name in (a.only or STRATEGIES):
        runs, secs = [], []
        for s in a.seeds:
            set_seed(s, reproducible=True)
            for dl in dls.loaders: dl.rng = random.Random(s)   # the same batch order for every strategy
            learn = make(cbs=STRATEGIES[name]())
            t = time.perf_counter()
            fit(learn)
            secs.append(time.perf_counter() - t)
            v = {k: final(learn)[k] for k in KEYS}
            v['delta_m'] = delta_m(v, base, TASKS)
            runs.append(v)
        df = pd.DataFrame(runs)
        rows[name] = (df.mean(), df.std(ddof=0), float(np.mean(secs)))
        print(f"{name}: Δm {df.delta_m.mean():+.1f} ± {df.delta_m.std(ddof=0):.1f} %, {np.mean(secs):.0f} s/run", flush=True)
    print(f"\nmultidigits(n={a.n}), {a.epochs} epochs, lr {a.lr}, batch {a.bs}, seeds {a.seeds}; mean ± std over seeds\n")
    print("| strategy | " + " | ".join(KEYS) + " | Δm (%) | s/run |\n|---|" + "---|"*(len(KEYS) + 2))
    print("| single-task baselines (seed 0) | " + " | ".join(f"{base[k]:.3f}" for k in KEYS) + " | 0 | |")
    for name, (m, sd, t) in rows.items():
        print(f"| {name} | " + " | ".join(f"{m[k]:.3f} ± {sd[k]:.3f}" for k in KEYS) + f" | **{m['delta_m']:+.1f}** ± {sd['delta_m']:.1f} | {t:.0f} |")

if __name__ == '__main__': main()
