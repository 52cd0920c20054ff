"""When does multi-task learning pay? The main task labelled on a fraction of the images, the other tasks on all of them.

Data: `multidigits()` (3,000 strips of 12×36 pixels; 600 validation strips drawn from digit images no training strip
uses). Main task: the left-most digit (10 classes), its label kept on `frac` of the 2,400 training strips (drawn from
the seed) and missing (NaN, `CategoryBlock(add_na=True)`) on the others. Auxiliary tasks, labelled everywhere: how many
digits (3 classes), which digits (multi-label) and whether any is even (binary).
Per seed and fraction, two learners with the same seed (initial weights), budget (epochs of 2,400 items, batch 64)
and settings (`small_resnet` with `WIDTHS`, `fit_one_cycle(epochs, lr)`):
- multi-task: every task; every batch half labelled and half unlabelled strips for the main task (`balance_batches`);
- single-task: the main task alone on the labelled strips only (every batch all labelled, `shares=[1, 0]`).
Δm (%) of the multi-task model over all four tasks: against the single-task model of the main task at that fraction
and the mean over the seeds of single-task models of the auxiliary tasks (all labels). Paired over seeds: the mean difference of the
main task's accuracy, multi-task − single-task, and its 95 % interval (`paired_interval`).
Also (`--aux FRAC`, one of `--fracs`): at that fraction, the multi-task model with one auxiliary task at a time.

Usage: python bench/mtl_pays.py [--fracs 0.02 0.05 0.2 1] [--seeds 0 1 2 3 4] [--base-seeds 0] [--epochs 4] [--aux 0.05] [--out FILE]
"""
import argparse, json, time, warnings
from pathlib import Path
from fastai.vision.all import *
from fastmtl.all import *

MAIN, AUX = 'leftmost', ['count', 'digits', 'any_even']
WIDTHS, LR, BS = (8, 16, 32, 64), 8e-3, 64
BLOCKS = {'leftmost': lambda: CategoryBlock(add_na=True), 'count': CategoryBlock, 'digits': MultiCategoryBlock, 'any_even': CategoryBlock}
# ^ functions: a block object used by two `DataBlock`s keeps the vocab of the first (fastai's `Categorize` sets it up once)
READERS = {'leftmost': ColReader('leftmost'), 'count': ColReader('count'), 'digits': ColReader('digits', label_delim=';'),
           'any_even': ColReader('any_even')}

def labels(n:int=3000) -> tuple:
    "The folder of `multidigits(n=n)` and its labels"
    path = multidigits(n=n)
    return path, pd.read_csv(path/'labels.csv', dtype={'digits': str})

def hide_labels(df, task:str, frac:float, seed:int) -> pd.DataFrame:
    "A copy of `df` whose `task` label is kept on `frac` of the training rows (drawn from `seed`), NaN on the others"
    train = np.flatnonzero(~df.is_valid.values)
    keep = np.random.default_rng(seed).permutation(train)[:round(len(train)*frac)]
    out = df.copy(); out[task] = out[task].astype(str)   # the classes as text: a vocab of '0'…'9', NaN for no label
    out.loc[np.setdiff1d(train, keep), task] = np.nan
    return out.assign(labelled=out[task].notna())

def loaders(path, df, tasks, shares=None) -> DataLoaders:
    "In-memory loaders of `tasks`; with `shares` (labelled, unlabelled), every training batch holds them in those shares"
    dls = DataBlock(blocks=(ImageBlock, *[BLOCKS[t]() for t in tasks]), get_x=ColReader('file', pref=path),
                    get_y=[READERS[t] for t in tasks], splitter=ColSplitter('is_valid'), n_inp=1).dataloaders(df, bs=BS, num_workers=0)
    if shares is not None and df.labelled.all(): shares = None   # every strip labelled: nothing to balance
    if shares is not None: balance_batches(dls, 'labelled', {True: shares[0], False: shares[1]})
    return in_memory(dls)

def fitter(epochs:int):
    def fit(learn):
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, LR)
    return fit

def learner_of(dls): return lambda: mtl_learner(dls, small_resnet, pretrained=False, arch_kwargs=dict(widths=WIDTHS), ps=0.1)

def key(t): return f'{t}_accuracy' if t != 'digits' else 'digits_f1_score_samples'

def aux_baselines(path, df, seeds, epochs) -> dict:
    "Single-task models of the auxiliary tasks on every label: their metrics' mean over `seeds`"
    runs = [single_task_baselines(learner_of(loaders(path, df, [MAIN, *AUX])), fitter(epochs), seed=s, tasks=AUX) for s in seeds]
    return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}

def run_multi(path, part, seed, epochs, aux=AUX) -> dict:
    "The multi-task model's final metrics: every batch half labelled, half unlabelled strips for the main task"
    return seeded_run(learner_of(loaders(path, part, [MAIN, *aux], shares=(0.5, 0.5))), fitter(epochs), seed=seed)

def run_single(path, part, seed, epochs) -> float:
    "The single-task model's accuracy: the main task alone, trained on its labelled strips only"
    return single_task_baselines(learner_of(loaders(path, part, [MAIN], shares=(1, 0))), fitter(epochs), seed=seed)[key(MAIN)]

def row(part, frac, seed, mtl, single, aux=AUX, aux_base=None) -> dict:
    r = dict(frac=frac, seed=seed, aux=', '.join(aux), n_labelled=int(part.labelled.sum() - part.is_valid.sum()),
             multi=float(mtl[key(MAIN)]), single=float(single), **{f'multi_{key(t)}': float(mtl[key(t)]) for t in aux})
    if aux_base is not None: r['delta_m'] = delta_m(mtl, {key(MAIN): single, **{key(a): aux_base[key(a)] for a in aux}}, [MAIN, *aux])
    return r

def summary(rows:list, by='frac') -> pd.DataFrame:
    "Per fraction (or auxiliary task): mean accuracies, their paired difference and its 95 % interval, mean Δm"
    out = []
    for f, g in pd.DataFrame(rows).groupby(by, sort=False):
        p = paired_interval(g.multi, g.single)
        out.append({by: f, 'labelled strips': int(g.n_labelled.iloc[0]), 'single-task': g.single.mean(), 'multi-task': g.multi.mean(),
                    'difference': p['mean'], 'low': p['lo'], 'high': p['hi'], 'seeds': p['n'],
                    **({'Δm (%)': g.delta_m.mean()} if 'delta_m' in g else {})})
    return pd.DataFrame(out)

def _say(r):
    print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}, flush=True)

def sweep(fracs, seeds, epochs, base_seeds=None, n=3000, verbose=False) -> tuple:
    "Every fraction × seed: both models' main-task accuracy and Δm (auxiliary baselines: mean over `base_seeds`, default `seeds`)"
    path, df = labels(n)
    base = aux_baselines(path, df, seeds if base_seeds is None else base_seeds, epochs)
    rows = []
    for s in seeds:
        for f in fracs:
            part = hide_labels(df, MAIN, f, s)
            rows.append(row(part, f, s, run_multi(path, part, s, epochs), run_single(path, part, s, epochs), aux_base=base))
            if verbose: _say(rows[-1])
    return rows, base

def one_aux(frac, seeds, epochs, singles:dict, aux=AUX, n=3000, verbose=False) -> list:
    "At `frac`: the main task with each auxiliary task alone, against `singles` {seed: single-task accuracy} at that fraction"
    path, df = labels(n)
    rows = []
    for a in aux:
        for s in seeds:
            part = hide_labels(df, MAIN, frac, s)
            rows.append(row(part, frac, s, run_multi(path, part, s, epochs, aux=[a]), singles[s], aux=[a]))
            if verbose: _say(rows[-1])
    return rows

if __name__ == '__main__':
    warnings.filterwarnings('ignore')
    p = argparse.ArgumentParser()
    p.add_argument('--fracs', type=float, nargs='+', default=[0.02, 0.05, 0.2, 1.])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    p.add_argument('--epochs', type=int, default=4)
    p.add_argument('--base-seeds', type=int, nargs='+', default=None, help='seeds of the auxiliary single-task models (default: --seeds)')
    p.add_argument('--aux', type=float, default=None, help='also: each auxiliary task alone at this fraction')
    p.add_argument('--out', default=str(Path(__file__).parent/'mtl_pays.json'))
    a = p.parse_args()
    t = time.perf_counter()
    rows, base = sweep(a.fracs, a.seeds, a.epochs, base_seeds=a.base_seeds, verbose=True)
    print(summary(rows).round(3).to_string(index=False))
    res = dict(settings=dict(fracs=a.fracs, seeds=a.seeds, base_seeds=a.base_seeds or a.seeds, epochs=a.epochs, widths=WIDTHS, lr=LR, bs=BS), aux_baselines=base, rows=rows)
    if a.aux is not None:
        singles = {r['seed']: r['single'] for r in rows if r['frac'] == a.aux}
        arows = one_aux(a.aux, a.seeds, a.epochs, singles, verbose=True)
        print(summary(arows, by='aux').round(3).to_string(index=False))
        res['one_aux'] = arows
    print(f"{time.perf_counter() - t:.0f} s")
    Path(a.out).write_text(json.dumps(res, indent=1))
