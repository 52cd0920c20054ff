"""Run by tests/test_distributed.py under `torchrun --nproc_per_node 2`: a 2-task learner trained data-parallel on CPU
processes (gloo), once per task weighting, then with 63 validation items, a segmentation + depth learner's validation and
a body with BatchNorm (without SyncBatchNorm, then with it); each rank saves its results to <out>/rank<r>.pt. Also importable,
for the 1-process reference run."""
import sys, warnings
warnings.filterwarnings('ignore')
from fastai.basics import *
from fastmtl.all import *

STRATEGIES = ['none', 'UncertaintyWeighting', 'DynamicWeightAverage', 'RandomLossWeighting', 'GeometricLossStrategy', 'GradNorm', 'FAMO',
              'STCH']
KWARGS = {'STCH': dict(warmup=0)}   # 2 epochs: the first measures the nadir (from the ranks' mean losses), the second uses it
REFUSED = ['GradientAggregation', 'DualBalancing']   # per-task backward passes: they refuse data-parallel training
N_TRAIN, N_VALID = 192, 64

class ValidItems(Callback):
    """What this rank validated in the last validation: `seen`, the items it processed (`DistributedDL`'s padding included),
    `real`, those of them `n_real` counts as real (the padding dropped), and `xs`, their inputs in order"""
    def before_validate(self): self.seen, self.real, self.xs = 0, 0, []
    def after_batch(self):
        if self.training: return
        bs, k = find_bs(self.yb), n_real(self.learn)
        self.seen += bs; self.real += bs if k is None else k
        self.xs.append(self.xb[0].detach().cpu().clone())

class RankBatchNorm(nn.BatchNorm1d):
    """In one process, `BatchNorm1d` as 2 data-parallel CPU ranks without `SyncBatchNorm` run it on a batch that is their two
    shares put together: in training each half is normalized with its own statistics, and the running statistics follow the
    first half only (rank 0's: DDP broadcasts rank 0's buffers to every rank before a forward, so rank 1's updates are lost)"""
    def forward(self, x):
        if not self.training: return super().forward(x)
        h = len(x)//2
        return torch.cat([super().forward(x[:h]), F.batch_norm(x[h:], None, None, self.weight, self.bias, True, 0., self.eps)])

def make(bs, strategy='none', order=None, n_valid=N_VALID, missing=False, bn=None):
    """The learner: random features, a class and a number; `order` fixes the training batches' item order; `missing`: every
    5th validation class label missing; `bn`: a batch-norm class, put after the body's linear layer"""
    set_seed(0, reproducible=True)
    x = torch.randn(N_TRAIN + n_valid, 8)
    ys = [(x[:, 0] > 0).long(), 3*x[:, 1] + 1]
    if missing: ys[0][N_TRAIN::5] = -1
    ds = list(zip(x, *ys))
    dls = DataLoaders.from_dsets(ds[:N_TRAIN], ds[N_TRAIN:], bs=bs, shuffle=False); dls.n_inp = 1
    if order is not None: dls.train.get_idxs = lambda: list(order)
    body = nn.Sequential(nn.Linear(8, 32), *([bn(32)] if bn else []), nn.ReLU())
    model = MultiHeadModel(body, [nn.Linear(32, 2), nn.Linear(32, 1)])
    cbs = [ValidItems()] + ([] if strategy == 'none' else [globals()[strategy](**KWARGS.get(strategy, {}))])
    return Learner(dls, model, splitter=multihead_splitter, opt_func=partial(SGD, mom=0.), cbs=cbs,
                   loss_func=CombinedLoss(CrossEntropyLossFlat(), MSELossFlat(), names=['a', 'b']),
                   metrics=mtl_metrics([accuracy, F1Score()], [rmse], names=['a', 'b']))

def result(learn) -> dict:
    "The progress table's columns and values, the task weights per epoch, the final parameters and the last validation's items"
    w = next((c for c in learn.cbs if isinstance(c, TaskWeighting)), None)
    vi = learn.valid_items
    return {'names': learn.recorder.metric_names[1:-1], 'values': [list(map(float, v)) for v in learn.recorder.values],
            'history': torch.stack(w.history) if w is not None else None,
            'params': {k: t.detach().clone() for k, t in learn.model.state_dict().items()},
            'valid': {'seen': vi.seen, 'real': vi.real, 'xs': torch.cat(vi.xs)}}

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
    for s in REFUSED:
        learn = make(16, 'none'); learn.add_cb(globals()[s]())
        try:
            with learn.distrib_ctx(cpu=True): fit(learn)
            res[s] = 'no error'
        except Exception as e: res[s] = str(e)
    res['dense'] = dense_validation(out/f'scenes{rank_distrib()}')
    learn = make(16, 'none', bn=nn.BatchNorm1d)   # fastmtl's default on CPU: sync_bn off, each rank's batch statistics
    with learn.distrib_ctx(cpu=True): fit(learn)
    res['batchnorm'] = result(learn)
    learn = make(16, 'none', bn=nn.BatchNorm1d)   # SyncBatchNorm asked for: DDP refuses it on CPU
    try:
        with learn.distrib_ctx(cpu=True, sync_bn=True): fit(learn)
        res['sync_bn'] = 'no error'
    except Exception as e: res['sync_bn'] = f'{type(e).__name__}: {e}'
    torch.save(res, out/f'rank{rank_distrib()}.pt')
