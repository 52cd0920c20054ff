"""Run by tests/test_distributed.py under `torchrun --nproc_per_node 2`: a 2-task learner trained data-parallel on CPU
processes (gloo), once per task weighting; each rank saves its results to <out>/rank<r>.pt. Also importable, for the
1-process reference run."""
import sys, warnings
warnings.filterwarnings('ignore')
from fastai.basics import *
from fastmtl.all import *

STRATEGIES = ['none', 'UncertaintyWeighting', 'DynamicWeightAverage', 'RandomLossWeighting', 'GeometricLossStrategy', 'GradNorm', 'FAMO']
N_TRAIN, N_VALID = 192, 64

def make(bs, strategy='none', order=None, n_valid=N_VALID, missing=False):
    """The learner: random features, a class and a number; `order` fixes the training batches' item order; `missing`: every
    5th validation class label missing"""
    set_seed(0, reproducible=True)
    x = torch.randn(N_TRAIN + n_valid, 8)
    ys = [(x[:, 0] > 0).long(), 3*x[:, 1] + 1]
    if missing: ys[0][N_TRAIN::5] = -1
    ds = list(zip(x, *ys))
    dls = DataLoaders.from_dsets(ds[:N_TRAIN], ds[N_TRAIN:], bs=bs, shuffle=False); dls.n_inp = 1
    if order is not None: dls.train.get_idxs = lambda: list(order)
    model = MultiHeadModel(nn.Sequential(nn.Linear(8, 32), nn.ReLU()), [nn.Linear(32, 2), nn.Linear(32, 1)])
    cbs = [] if strategy == 'none' else [globals()[strategy]()]
    return Learner(dls, model, splitter=multihead_splitter, opt_func=partial(SGD, mom=0.), cbs=cbs,
                   loss_func=CombinedLoss(CrossEntropyLossFlat(), MSELossFlat(), names=['a', 'b']),
                   metrics=mtl_metrics([accuracy, F1Score()], [rmse], names=['a', 'b']))

def result(learn) -> dict:
    "The progress table's columns and values, the task weights per epoch and the final parameters"
    w = next((c for c in learn.cbs if isinstance(c, TaskWeighting)), None)
    return {'names': learn.recorder.metric_names[1:-1], 'values': [list(map(float, v)) for v in learn.recorder.values],
            'history': torch.stack(w.history) if w is not None else None,
            'params': {k: v.detach().clone() for k, v in learn.model.state_dict().items()}}

def fit(learn, epochs=2, lr=0.1):
    with learn.no_bar(), learn.no_logging(): learn.fit(epochs, lr)
    return learn

def dense_validation(path) -> list:
    "`validate()` of an untrained, seeded segmentation + depth learner on 5 validation scenes: [valid_loss, *metrics]"
    from fastai.vision.all import DataBlock, ImageBlock, MaskBlock, ColReader, ColSplitter
    sdf = scene_files(scenes(path, n=13, size=(32, 48), valid_pct=0.4))
    assert sdf.is_valid.sum() == 5, sdf.is_valid.sum()   # 2 ranks: one's share is padded
    dls = DataBlock(blocks=(ImageBlock, MaskBlock(sdf.attrs['codes']), DepthBlock()), n_inp=1,
                    getters=[ColReader('image'), ColReader('mask'), ColReader('depth')],
                    splitter=ColSplitter('is_valid')).dataloaders(sdf, bs=2, num_workers=0)
    set_seed(0, reproducible=True)
    learn = dense_learner(dls, unet_hydranet)
    if num_distrib() > 1:
        with learn.distrib_ctx(cpu=True): return list(map(float, learn.validate()))
    return list(map(float, learn.validate()))

if __name__ == '__main__':
    from fastai.distributed import *
    out, res = Path(sys.argv[1]), {}
    for s in STRATEGIES:
        learn = make(16, s)
        with learn.distrib_ctx(cpu=True): fit(learn)
        res[s] = result(learn)
    for key, missing in (('uneven', False), ('uneven_missing', True)):   # 2 ranks cannot split 63 items evenly: fastai pads one's share
        learn = make(16, 'none', n_valid=N_VALID - 1, missing=missing)
        with learn.distrib_ctx(cpu=True): fit(learn)
        res[key] = result(learn)
    learn = make(16, 'none'); learn.add_cb(GradientAggregation())
    try:
        with learn.distrib_ctx(cpu=True): fit(learn)
        res['GradientAggregation'] = 'no error'
    except Exception as e: res['GradientAggregation'] = str(e)
    res['dense'] = dense_validation(out/f'scenes{rank_distrib()}')
    torch.save(res, out/f'rank{rank_distrib()}.pt')
