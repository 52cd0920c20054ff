"Run every notebook in nbs/ as a test, each in a fresh process, as `nbdev-test` does"
import json, os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
NBDEV_TEST = Path(sys.executable).parent/'nbdev-test'
# A notebook that runs longer than this is a failure, not a hung CI run: the default run of the slowest notebook takes
# ~4 min on the reference machine; slow cells (FASTMTL_TEST_FLAGS=slow) get more room
TIMEOUT = int(os.environ.get('FASTMTL_NB_TIMEOUT', 3600 if 'slow' in os.environ.get('FASTMTL_TEST_FLAGS', '') else 900))

def flagged_cells(nb:Path, flag:str) -> int:
    "How many code cells of `nb` carry the test flag `#| <flag>`"
    cells = json.loads(nb.read_text())['cells']
    return sum(c['cell_type'] == 'code' and any(l.strip() == f'#| {flag}' for l in ''.join(c['source']).splitlines()) for c in cells)

def run_nb(nb:Path, flags:list) -> subprocess.CompletedProcess:
    "`nbdev-test` on `nb` with the test `flags`, in a fresh process, under the per-notebook timeout"
    cmd = [str(NBDEV_TEST), str(nb)] + (['--flags', ' '.join(flags)] if flags else [])
    # notebooks run side by side under `pytest -n`: share the cores instead of letting every torch spin on all of them
    # (2 processes x 2 OpenMP threads on 2 cores runs ~20x slower)
    threads = max(1, (os.cpu_count() or 1) // int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', 1)))
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', str(threads)), 'MPLBACKEND': 'Agg'}
    try: return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{nb.name} ran longer than {TIMEOUT} s (FASTMTL_NB_TIMEOUT):\n{(e.stdout or b'')[-3000:]!r}")

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    "Cells flagged with a test flag (`#| slow`, `#| cuda`) run only when the flag is in $FASTMTL_TEST_FLAGS"
    res = run_nb(nb, os.environ.get('FASTMTL_TEST_FLAGS', '').split())
    assert res.returncode == 0, f"{nb.name} failed:\n{res.stdout[-5000:]}\n{res.stderr[-10000:]}"

CUDA_NBS = [p for p in NBS if flagged_cells(p, 'cuda')]

@pytest.mark.parametrize('nb', CUDA_NBS, ids=[p.stem for p in CUDA_NBS])
def test_notebook_cuda(nb):
    "The `#| cuda` cells (mixed precision and aggregation on a GPU): run where there is one, reported as skipped elsewhere"
    import torch
    if not torch.cuda.is_available(): pytest.skip(f"no CUDA GPU: {flagged_cells(nb, 'cuda')} CUDA cell(s) of {nb.name} not run")
    flags = os.environ.get('FASTMTL_TEST_FLAGS', '').split()
    res = run_nb(nb, flags + ['cuda'] * ('cuda' not in flags))
    assert res.returncode == 0, f"{nb.name} (CUDA cells) failed:\n{res.stdout[-5000:]}\n{res.stderr[-10000:]}"
