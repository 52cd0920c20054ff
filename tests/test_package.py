"The wheel holds the package, its metadata and the demo command"
import subprocess, sys, zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_wheel(tmp_path):
    res = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q', '-w', str(tmp_path), str(ROOT)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    whl, = tmp_path.glob('fastmtl-*.whl')
    z = zipfile.ZipFile(whl)
    names = z.namelist()
    for mod in ['__init__', '_modidx', 'parallel', 'tasks', 'fastai_fixes', 'loss', 'metric', 'baselines', 'callbacks', 'models', 'learner', 'data', 'datasets', 'weighting', 'demo', 'all']:
        assert f'fastmtl/{mod}.py' in names, mod
    meta = z.read(next(n for n in names if n.endswith('METADATA'))).decode()
    assert 'Requires-Dist: fastai>=2.8' in meta and 'License-Expression: Apache-2.0' in meta and 'Requires-Python: >=3.10' in meta
    ep = z.read(next(n for n in names if n.endswith('entry_points.txt'))).decode()
    assert 'fastmtl-demo = fastmtl.demo:main' in ep

import pytest
MODULES = ['loss', 'metric', 'baselines', 'callbacks', 'models', 'learner', 'data', 'datasets', 'weighting', 'demo', 'all']

@pytest.mark.parametrize('mod', MODULES)
def test_import_first(mod):
    "Each module imports on its own in a fresh process (no circular-import trap, whatever is imported first)"
    res = subprocess.run([sys.executable, '-c', f'import fastmtl.{mod}'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
