"Two CPU processes (torchrun, gloo) train a multi-task learner data-parallel: the same results as one process"
import os, socket, subprocess, sys, tempfile
from pathlib import Path
import pytest, torch
from torch import nn

pytest.importorskip('accelerate')
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def launch() -> list:
    "Run tests/ddp_train.py on 2 CPU processes; each rank's results"
    out = Path(tempfile.mkdtemp())
    torchrun = Path(sys.executable).parent/'torchrun'
    res = subprocess.run([str(torchrun), '--nproc_per_node', '2', '--master_addr', '127.0.0.1', '--master_port', str(free_port()),
                          str(HERE/'ddp_train.py'), str(out)],
                         capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'}, timeout=900)
    assert res.returncode == 0, res.stderr[-5000:]
    return [torch.load(out/f'rank{r}.pt', weights_only=False) for r in (0, 1)]

def one_process(strategy, **kwargs):
    "The same learner in one process, each batch of 32 = the two ranks' batches of 16 (rank 0 reads items 0..95, rank 1 96..191)"
    from ddp_train import make, fit, result, N_TRAIN
    h, b = N_TRAIN//2, 16
    order = [i for t in range(h//b) for i in list(range(b*t, b*t + b)) + list(range(h + b*t, h + b*t + b))]
    return result(fit(make(2*b, strategy, order, **kwargs)))

def test_two_processes_equal_one():
    """One launch (the test runs in one pytest worker): every task weighting, then GradientAggregation's refusal, the items
    each rank validated, 63 validation items, segmentation + depth, and a body with BatchNorm (`check_batchnorm`)"""
    from ddp_train import STRATEGIES
    ranks = launch()
    for strategy in STRATEGIES:
        r0, r1 = ranks[0][strategy], ranks[1][strategy]
        one = one_process(strategy)
        assert r0['names'] == one['names']
        cols = [i for i, n in enumerate(one['names']) if n != 'train_loss']   # train_loss: fastai's per-rank smoothed loss
        for v0, v1, v in zip(r0['values'], r1['values'], one['values']):
            for i in cols:   # validation loss, per-task loss columns, metrics, task weights: every rank = one process
                assert v0[i] == pytest.approx(v[i], rel=1e-4, abs=1e-6), (strategy, one['names'][i])
                assert v1[i] == v0[i], (strategy, one['names'][i])
        for k, p in one['params'].items(): assert torch.allclose(r0['params'][k], p, atol=1e-5), (strategy, k)
        if strategy != 'none':
            assert torch.equal(r0['history'], r1['history']), strategy                  # the same task weights on every rank
            assert torch.allclose(r0['history'], one['history'], atol=1e-5), strategy   # = those of one process
    from ddp_train import REFUSED
    for r in ranks:   # GradientAggregation and DualBalancing (DB-MTL) refuse, naming themselves
        for s in REFUSED: assert f'{s} does not run under data-parallel training' in r[s], (s, r[s])
    # each rank validated its own share: DistributedDL gives rank r the items r*32..r*32+31 of the 64 (in order, no shuffle)
    from ddp_train import make, N_VALID
    xv = torch.stack([x for x, *_ in make(16).dls.valid_ds])
    for strategy in STRATEGIES:
        for r in (0, 1):
            v = ranks[r][strategy]['valid']
            assert (v['seen'], v['real']) == (32, 32), (strategy, r, v['seen'], v['real'])
            assert torch.equal(v['xs'], xv[32*r:32*(r + 1)]), (strategy, r)
        assert sum(ranks[r][strategy]['valid']['real'] for r in (0, 1)) == N_VALID == len(xv)
    # 63 items: padded to 64 by repeating the first, so rank 0 reads items 0..31 and rank 1 32..62 and item 0 again; both
    # process 32 items, and n_real (fastmtl.parallel's unpadding) counts 32 + 31 real ones, the set once
    xv = torch.stack([x for x, *_ in make(16, n_valid=N_VALID - 1).dls.valid_ds])
    for key in ('uneven', 'uneven_missing'):
        v0, v1 = ranks[0][key]['valid'], ranks[1][key]['valid']
        assert (v0['seen'], v0['real'], v1['seen'], v1['real']) == (32, 32, 32, 31), key
        assert v0['real'] + v1['real'] == N_VALID - 1 == len(xv)
        assert torch.equal(v0['xs'], xv[:32]) and torch.equal(v1['xs'], torch.cat([xv[32:], xv[:1]])), key
    # 63 validation items: rank 1's share is padded with a repeat of item 0, which no column may count
    from ddp_train import N_VALID
    one = one_process('none', n_valid=N_VALID - 1)
    for i, name in enumerate(one['names']):
        if name != 'train_loss': assert ranks[0]['uneven']['values'][-1][i] == pytest.approx(one['values'][-1][i], rel=1e-4, abs=1e-6), name
    # and every 5th class label missing, so the ranks hold different numbers of labelled items: the metrics are still
    # those of the whole set (the loss columns, means of batch means over the labelled items, depend on the batching)
    one = one_process('none', n_valid=N_VALID - 1, missing=True)
    for i, name in enumerate(one['names']):
        if not name.endswith('loss'):
            assert ranks[0]['uneven_missing']['values'][-1][i] == pytest.approx(one['values'][-1][i], rel=1e-4, abs=1e-6), name
    # segmentation + depth: the confusion matrices and depth errors summed over the ranks, without rank 1's padding
    from ddp_train import dense_validation
    one = dense_validation(Path(tempfile.mkdtemp())/'scenes')
    assert ranks[0]['dense'] == pytest.approx(one, rel=1e-4, abs=1e-6) and ranks[1]['dense'] == ranks[0]['dense']
    check_batchnorm(ranks)

def check_batchnorm(ranks):
    """A body with BatchNorm1d, 2 ranks of 16 items vs one process of 32 (the same order). SyncBatchNorm cannot run on CPU
    processes: asked for (`sync_bn=True`), DistributedDataParallel refuses the model in `before_fit` on both ranks. So on CPU
    fastmtl's `distrib_ctx` leaves sync_bn off: each rank normalizes its 16 items with their own statistics, and DDP broadcasts
    rank 0's buffers before a forward, so the running statistics (those validation uses, on both ranks) follow rank 0's
    halves only. One process equals that with `RankBatchNorm` (the same, in one batch of 32: a ghost batch norm), and not a
    BatchNorm1d over the 32 items (measured: parameters up to 0.11 apart, valid_loss 2.258 vs 2.149 after 2 epochs)."""
    from ddp_train import RankBatchNorm
    for r in ranks: assert r['sync_bn'].endswith('SyncBatchNorm layers only work with GPU modules'), r['sync_bn']
    r0, r1 = ranks[0]['batchnorm'], ranks[1]['batchnorm']
    assert r0['values'] == r1['values'] and all(torch.equal(t, r1['params'][k]) for k, t in r0['params'].items())
    one = one_process('none', bn=RankBatchNorm)
    assert r0['names'] == one['names']
    for v0, v in zip(r0['values'], one['values']):   # every column, train_loss too: without a task weighting, the rank mean
        for i, name in enumerate(one['names']):      # of the ranks' 16-item losses is the 32-item loss
            assert v0[i] == pytest.approx(v[i], rel=1e-4, abs=1e-6), name
    for k, p in one['params'].items(): assert torch.allclose(r0['params'][k], p, atol=1e-5), k   # running statistics too
    # the 32-item statistics of one process give other numbers: the comparison above tells them apart
    full = one_process('none', bn=nn.BatchNorm1d)
    assert max((r0['params'][k] - p).abs().max().item() for k, p in full['params'].items() if p.is_floating_point()) > 1e-2
    assert abs(r0['values'][-1][1] - full['values'][-1][1]) > 1e-2   # valid_loss
