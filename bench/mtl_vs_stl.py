"""Multi-task vs single-task quality on `multidigits`, side by side in one run.

One `mtl_learner` trained on all tasks vs one `mtl_learner` per task (the same body, one head), same data, seed,
epochs and learning rate, `pretrained=False`. Prints each task's validation metric for both, and the training time.
Usage: python bench/mtl_vs_stl.py [--epochs 5] [--lr 3e-3] [--bs 32]
"""
import argparse, time, warnings
from fastai.vision.all import *
from fastmtl.all import *

TASKS = {'count': (CategoryBlock, ColReader('count')), 'digits': (MultiCategoryBlock, ColReader('digits', label_delim=';')),
         'leftmost': (CategoryBlock, ColReader('leftmost')), 'any_even': (CategoryBlock, ColReader('any_even')),
         'position': (RegressionBlock(n_out=2), ColReader(['mean_x', 'mean_y']))}

def dls_for(names, df, path, bs):
    return DataBlock(blocks=(ImageBlock, *[TASKS[n][0] for n in names]), get_x=ColReader('file', pref=path),
                     get_y=[TASKS[n][1] for n in names], splitter=ColSplitter('is_valid'), n_inp=1
                    ).dataloaders(df, bs=bs, num_workers=0)

def train(names, df, path, a):
    set_seed(0)
    learn = mtl_learner(dls_for(names, df, path, a.bs), resnet18, pretrained=False, names=names,
                        y_range={'position': (0, 1)} if 'position' in names else None)
    t = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(a.epochs, a.lr)
    mn = learn.recorder.metric_names[1:-1]
    res = {n: v for n, v in zip(mn, learn.recorder.values[-1]) if not n.endswith('_loss') and n not in ('train_loss', 'valid_loss')}
    return res, time.perf_counter() - t

def main():
    p = argparse.ArgumentParser(); p.add_argument('--epochs', type=int, default=5); p.add_argument('--lr', type=float, default=3e-3)
    p.add_argument('--bs', type=int, default=32); a = p.parse_args()
    warnings.filterwarnings('ignore')
    path = multidigits(); df = pd.read_csv(path/'labels.csv')
    names = list(TASKS)
    multi, t_multi = train(names, df, path, a)
    single, t_single = {}, 0.
    for n in names:
        r, t = train([n], df, path, a); single.update(r); t_single += t
    print(f"multidigits: {(~df.is_valid).sum()} train / {df.is_valid.sum()} valid images, {a.epochs} epochs, lr {a.lr}, bs {a.bs}")
    print("| metric | one model, 5 heads | 5 single-task models |\n|---|---|---|")
    for k in multi: print(f"| {k} | {multi[k]:.3f} | {single.get(k, float('nan')):.3f} |")
    print(f"| training time | {t_multi:.0f} s | {t_single:.0f} s |")

if __name__ == '__main__': main()
