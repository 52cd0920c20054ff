"Run every notebook in nbs/ as a test, each in a fresh process, as `nbdev-test` does, naming a failing cell"
import json, os, subprocess, sys, warnings
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
RUNNER = Path(__file__).with_name('nb_runner.py')
# A notebook that runs longer than this is a failure, not a hung CI run: the slowest notebook takes ~5 min on the
# reference machine
TIMEOUT = int(os.environ.get('FASTMTL_NB_TIMEOUT', 1200))

def flagged_cells(nb:Path, flag:str) -> int:
    "How many code cells of `nb` carry the test flag `#| <flag>`"
    cells = json.loads(nb.read_text())['cells']
    return sum(c['cell_type'] == 'code' and any(l.strip() == f'#| {flag}' for l in ''.join(c['source']).splitlines()) for c in cells)

def summary(out:str) -> dict|None:
    "The `NBRUN {json}` line `nb_runner.py` ends with"
    line = next((l for l in reversed(out.splitlines()) if l.startswith('NBRUN ')), None)
    return json.loads(line[6:]) if line else None

def run_nb(nb:Path, flags:list, home:Path) -> tuple:
    "`nb_runner.py` on `nb` with the test `flags`, in a fresh process with its own `FASTMTL_HOME`; (process, summary)"
    cmd = [sys.executable, str(RUNNER), str(nb), '--flags', ' '.join(flags)]
    # notebooks run side by side under `pytest -n`: share the cores instead of letting every torch spin on all of them
    # (2 processes x 2 OpenMP threads on 2 cores runs ~20x slower)
    threads = max(1, (os.cpu_count() or 1) // int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', 1)))
    # each notebook writes the datasets it generates to a folder of its own: two notebooks running at once never write
    # the same files, and no test reads what an earlier run (or another version of the code) left behind
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', str(threads)), 'MPLBACKEND': 'Agg',
           'FASTMTL_HOME': str(home/nb.stem)}
    try: res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{nb.name} ran longer than {TIMEOUT} s (FASTMTL_NB_TIMEOUT):\n{(e.stdout or b'')[-3000:]!r}")
    return res, summary(res.stdout)

def check(nb:Path, flags:list, home:Path, record_property):
    "Run `nb`; fail naming the failing cell; warn about skipped cells; skip (not pass) when every training cell was skipped"
    res, s = run_nb(nb, flags, home)
    if s is None: pytest.fail(f"{nb.name}: the runner died before its summary (exit {res.returncode}):\n{res.stdout[-3000:]}\n{res.stderr[-8000:]}")
    record_property('notebook', s)
    if s['failed']:
        c = s['failed']
        pytest.fail(f"{nb.name}: cell #{c['index']} failed: {c['first_line']}\n{res.stderr[-8000:]}", pytrace=False)
    assert res.returncode == 0, f"{nb.name} exited {res.returncode}:\n{res.stderr[-8000:]}"
    if s['skipped']:
        warnings.warn(f"{nb.name}: {sum(s['skipped'].values())} of {s['cells']} code cells not run ({s['skipped']})")
    if s['training'] and not s['training_run']:
        pytest.skip(f"{nb.name}: all {s['training']} training cells were skipped ({s['skipped']}); {s['run']} other cells passed")

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, nb_home, record_property):
    "Every cell but the `#| cuda` ones (those run too when `cuda` is in $FASTMTL_TEST_FLAGS)"
    check(nb, os.environ.get('FASTMTL_TEST_FLAGS', '').split(), nb_home, record_property)

CUDA_NBS = [p for p in NBS if flagged_cells(p, 'cuda')]

@pytest.mark.parametrize('nb', CUDA_NBS, ids=[p.stem for p in CUDA_NBS])
def test_notebook_cuda(nb, nb_home, record_property):
    "The `#| cuda` cells (mixed precision and aggregation on a GPU): run where there is one, reported as skipped elsewhere"
    import torch
    if not torch.cuda.is_available(): pytest.skip(f"no CUDA GPU: {flagged_cells(nb, 'cuda')} CUDA cell(s) of {nb.name} not run")
    flags = os.environ.get('FASTMTL_TEST_FLAGS', '').split()
    check(nb, flags + ['cuda'] * ('cuda' not in flags), nb_home/'cuda', record_property)

def test_every_cell_runs_in_ci():
    "CI runs every cell but the `#| cuda` ones: no test flag may leave a tutorial's training or claims out of the default run"
    import tomllib
    flags = tomllib.loads((ROOT/'pyproject.toml').read_text())['tool']['nbdev']['tst_flags'].split()
    assert flags == ['cuda'], f"pyproject's tst_flags must be 'cuda' alone (CI runs every other cell), got {flags}"
    slow = {p.name: n for p in NBS if (n := flagged_cells(p, 'slow'))}
    assert not slow, f"`#| slow` cells are no longer skipped by anything, so they run in CI: drop the flag and make them fast: {slow}"
