"""Quality of every task-weighting strategy on multidigits: per-task metrics and Δm against single-task models, 3 seeds.

Five tasks of four kinds on `multidigits()` (3,000 strips of 12×36 pixels, 600 for validation): count (3 classes),
digits (multi-label, 10 labels), leftmost (10 classes), any_even (binary), rotation of the left-most digit (regression,
in degrees, L1 loss). The HydraNet tutorial's recipe: `mtl_learner(dls, small_resnet, pretrained=False, ps=0.1,
regression_loss='l1')`, `fit_one_cycle(13, 8e-3)`, batch 64; the same data, settings and seeds for every strategy, and
the batch order fixed by the seed.
Single-task baselines: `single_task_baselines` (the same learner with the other tasks' weights at 0), one per seed, the
same budget. Δm (%) of each multi-task run against the baselines' mean over the seeds, > 0 better; mean ± standard
deviation over the seeds. Each strategy against equal weighting: the paired difference of Δm (same seed = a pair: the
same initial weights and batch order), its mean over the seeds and 95 % interval (t-distribution, n − 1 degrees of
freedom); the strategy is ranked above or below equal weighting only when the interval excludes 0.

Writes the table to stdout and every number to `bench/weighting_quality.json` (read by the weighting tutorial).
Usage: python bench/weighting_quality.py [--n 3000] [--epochs 13] [--lr 8e-3] [--seeds 0 1 2] [--only NAME ...] [--out FILE]
       [--merge: re-run only the --only strategies, keeping the baselines and other rows of --out]
       [--table: train nothing, print --out's table (with the paired differences)]
"""
import argparse, json, random, time, warnings
from scipy import stats
from pathlib import Path
from fastai.vision.all import *
from fastmtl.all import *
from strategies import STRATEGIES, SCALARIZERS, BOUNDED
STRATEGIES = {**STRATEGIES, **SCALARIZERS, **BOUNDED}

KEYS = ['count_accuracy', 'digits_accuracy_multi', 'digits_f1_score_samples', 'leftmost_accuracy', 'any_even_accuracy', 'rotation_rmse']
TASKS = ['count', 'digits', 'leftmost', 'any_even', 'rotation']

def dataloaders(n, bs):
    path = multidigits(n=n)
    df = pd.read_csv(path/'labels.csv', dtype={'digits': str})
    return DataBlock(blocks=(ImageBlock, CategoryBlock, MultiCategoryBlock, CategoryBlock, CategoryBlock, RegressionBlock),
                     get_x=ColReader('file', pref=path),
                     get_y=[ColReader('count'), ColReader('digits', label_delim=';'), ColReader('leftmost'),
                            ColReader('any_even'), ColReader('rotation')],
                     splitter=ColSplitter('is_valid'), n_inp=1).dataloaders(df, bs=bs, num_workers=0)


def paired(runs:list, ref:list) -> dict:
    "Δm of `runs` minus `ref`'s, seed by seed: the differences, their mean and its 95 % t-interval (None with fewer than 2 pairs)"
    r = {q['seed']: q['delta_m'] for q in ref}
    d = [q['delta_m'] - r[q['seed']] for q in runs if q['seed'] in r]
    if len(d) < 2: return dict(diffs=d, n=len(d), mean=float(np.mean(d)) if d else None, lo=None, hi=None)
    m, h = float(np.mean(d)), float(stats.t.ppf(0.975, len(d) - 1)*np.std(d, ddof=1)/np.sqrt(len(d)))
    return dict(diffs=d, n=len(d), mean=m, lo=m - h, hi=m + h)

def verdict(p:dict) -> str:
    "What the paired interval says about a strategy against equal weighting"
    if p['lo'] is None: return 'one seed: no interval'
    return 'above' if p['lo'] > 0 else 'below' if p['hi'] < 0 else 'not ranked (interval holds 0)'

def table(res:dict):
    "Print the markdown table of `res` (the JSON this script writes)"
    a, trivial, base, base_sd, rows = res['settings'], res['trivial'], res['single_task']['mean'], res['single_task']['std'], res['strategies']
    print(f"\nmultidigits(n={a['n']}), {a['epochs']} epochs, lr {a['lr']}, batch {a['bs']}, seeds {a['seeds']}; mean ± std over seeds; "
          f"vs equal: the paired difference of Δm, mean [95 % interval]\n")
    print("| strategy | " + " | ".join(KEYS) + " | Δm (%) | Δm − equal's, paired [95 % interval] | vs equal | s/run |\n|---|" + "---|"*(len(KEYS) + 4))
    print("| trivial model (majority class, no label, mean) | " + " | ".join(f"{trivial[k]:.3f}" for k in KEYS) + " | | | | |")
    print("| single-task models | " + " | ".join(f"{base[k]:.3f} ± {base_sd[k]:.3f}" for k in KEYS) + " | 0 | | | |")
    for name, r in rows.items():
        m, sd, p = r['mean'], r['std'], r.get('vs_equal')
        diff = '' if p is None or name == 'equal weighting' else (f"{p['mean']:+.1f}" + ('' if p['lo'] is None else f" [{p['lo']:+.1f}, {p['hi']:+.1f}]"))
        print(f"| {name} | " + " | ".join(f"{m[k]:.3f} ± {sd[k]:.3f}" for k in KEYS) + f" | **{m['delta_m']:+.1f}** ± {sd['delta_m']:.1f} | "
              f"{diff} | {'' if p is None or name == 'equal weighting' else verdict(p)} | {r['s_per_run']:.0f} |")

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--n', type=int, default=3000)
    p.add_argument('--epochs', type=int, default=13); p.add_argument('--lr', type=float, default=8e-3)
    p.add_argument('--bs', type=int, default=64); p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--only', nargs='+', default=None)
    p.add_argument('--merge', action='store_true', help="keep --out's baselines and other strategies; run and replace --only's")
    p.add_argument('--out', default=str(Path(__file__).parent/'weighting_quality.json'))
    p.add_argument('--table', action='store_true', help="train nothing: print --out's table")
    a = p.parse_args()
    if a.table: return table(with_pairs(json.loads(Path(a.out).read_text())))
    warnings.filterwarnings('ignore')
    dls = dataloaders(a.n, a.bs)
    make = lambda cbs=None: mtl_learner(dls, small_resnet, pretrained=False, ps=0.1, regression_loss='l1', cbs=cbs)
    def fit(learn):
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(a.epochs, a.lr)
    t0 = time.perf_counter()
    old = json.loads(Path(a.out).read_text()) if a.merge else None
    if old is not None:   # the same settings, or the merged table would mix two experiments
        same = dict(n=a.n, epochs=a.epochs, lr=a.lr, bs=a.bs, seeds=a.seeds)
        if {k: old['settings'][k] for k in same} != same: raise SystemExit(f"--merge: {a.out} has settings {old['settings']}, not {same}")
        bases, trivial = old['single_task']['runs'], old['trivial']
    else:
        bases = [single_task_baselines(make, fit, seed=s) for s in a.seeds]   # one learner per task and seed
        bases = [{k: b[k] for k in KEYS} for b in bases]
        trivial = {k: v for k, v in trivial_baselines(make()).items() if k in KEYS}
    base = pd.DataFrame(bases).mean().to_dict()
    base_sd = pd.DataFrame(bases).std(ddof=0).to_dict()
    print(f"single-task baselines ({time.perf_counter() - t0:.0f} s): " + ", ".join(f"{k} {v:.3f}" for k, v in base.items()), flush=True)
    rows = dict(old['strategies']) if old is not None else {}
    for name in (a.only or STRATEGIES):
        runs, secs = [], []
        for s in a.seeds:
            set_seed(s, reproducible=True)
            for dl in dls.loaders: dl.rng = random.Random(s)   # the same batch order for every strategy
            learn = make(cbs=STRATEGIES[name]())
            t = time.perf_counter()
            fit(learn)
            secs.append(time.perf_counter() - t)
            f = final_metrics(learn); v = {k: f[k] for k in KEYS}
            v['delta_m'], v['seed'] = delta_m(v, base, TASKS), s
            runs.append(v)
        df = pd.DataFrame(runs)
        rows[name] = dict(mean=df.mean().to_dict(), std=df.std(ddof=0).to_dict(), runs=runs, s_per_run=float(np.mean(secs)))
        print(f"{name}: Δm {df.delta_m.mean():+.1f} ± {df.delta_m.std(ddof=0):.1f} %, {np.mean(secs):.0f} s/run", flush=True)
    res = dict(settings=dict(n=a.n, epochs=a.epochs, lr=a.lr, bs=a.bs, seeds=a.seeds, arch='small_resnet', regression_loss='l1'),
               keys=KEYS, trivial=trivial, single_task=dict(mean=base, std=base_sd, runs=bases), strategies=rows)
    res = with_pairs(res)
    Path(a.out).write_text(json.dumps(res, indent=1))
    table(res)

def with_pairs(res:dict) -> dict:
    "`res` with each strategy's paired difference to equal weighting (`vs_equal`); runs without a seed are the settings' seeds, in order"
    rows = res['strategies']
    for r in rows.values():
        for s, q in zip(res['settings']['seeds'], r['runs']): q.setdefault('seed', s)
        r.pop('beyond_spread_vs_equal', None)   # replaced by the paired interval
    eq = rows.get('equal weighting')
    for r in rows.values(): r['vs_equal'] = None if eq is None else paired(r['runs'], eq['runs'])
    return res

if __name__ == '__main__': main()
