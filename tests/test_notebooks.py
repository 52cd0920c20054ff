"Run every notebook in nbs/ as a test, each in a fresh process, as `nbdev-test` does"
import os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
NBDEV_TEST = Path(sys.executable).parent/'nbdev-test'

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    "Cells flagged with a test flag (`#| slow`) run only when the flag is in $FASTMTL_TEST_FLAGS"
    flags = os.environ.get('FASTMTL_TEST_FLAGS', '').split()
    cmd = [str(NBDEV_TEST), str(nb)] + (['--flags', ' '.join(flags)] if flags else [])
    # notebooks run side by side under `pytest -n`: share the cores instead of letting every torch spin on all of them
    # (2 processes x 2 OpenMP threads on 2 cores runs ~20x slower)
    threads = max(1, (os.cpu_count() or 1) // int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', 1)))
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', str(threads)), 'MPLBACKEND': 'Agg'}
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    assert res.returncode == 0, f"{nb.name} failed:\n{res.stdout[-5000:]}\n{res.stderr[-10000:]}"
