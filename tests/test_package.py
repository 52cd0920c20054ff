"The wheel holds the package, its metadata and the demo command; every module imports on its own"
import subprocess, sys, zipfile
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
# every module of fastmtl/ but __init__ and _modidx (nbdev's index), written out: a new module fails `test_every_module_listed`
# until it is added here, and so gets the wheel and import checks below. `datasets` is a package (its __init__ and its modules)
MODULES = ['parallel', 'tasks', 'fastai_fixes', 'loss', 'metric', 'baselines', 'callbacks', 'models', 'learner', 'data',
           'datasets', 'datasets.cache', 'datasets.images', 'datasets.video', 'datasets.scene', 'datasets.tables',
           'dense', 'weighting', 'tune', 'training', 'tabular', 'demo', 'all']

def _file(mod:str) -> str:
    "The file of module `mod` in the package: 'loss' → 'fastmtl/loss.py', the package 'datasets' → 'fastmtl/datasets/__init__.py'"
    path = 'fastmtl/' + mod.replace('.', '/')
    return f'{path}/__init__.py' if (ROOT/path).is_dir() else f'{path}.py'

def test_every_module_listed():
    "MODULES is exactly the modules in fastmtl/"
    found = sorted('.'.join(p.relative_to(ROOT/'fastmtl').with_suffix('').parts).removesuffix('.__init__')
                   for p in (ROOT/'fastmtl').rglob('*.py') if p.name not in ('__init__.py', '_modidx.py') or p.parent != ROOT/'fastmtl')
    assert found == sorted(MODULES), f"in fastmtl/ but not in MODULES: {sorted(set(found) - set(MODULES))}; " \
                                     f"in MODULES but not in fastmtl/: {sorted(set(MODULES) - set(found))}"

def test_wheel(tmp_path):
    res = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q', '-w', str(tmp_path), str(ROOT)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    whl, = tmp_path.glob('fastmtl-*.whl')
    z = zipfile.ZipFile(whl)
    names = z.namelist()
    # the wheel's modules are exactly the source tree's: none missing, none stale (e.g. from an old build/ folder)
    assert sorted(n for n in names if n.startswith('fastmtl/') and n.endswith('.py')) == \
           sorted(['fastmtl/__init__.py', 'fastmtl/_modidx.py', *map(_file, MODULES)])
    meta = z.read(next(n for n in names if n.endswith('METADATA'))).decode()
    assert 'Requires-Dist: fastai>=2.8' in meta and 'License-Expression: Apache-2.0' in meta and 'Requires-Python: >=3.10' in meta
    optuna = [l for l in meta.splitlines() if l.startswith('Requires-Dist: optuna')]   # only tune_loss_weights imports it, lazily
    assert optuna and all('extra ==' in l for l in optuna) and any('tune' in l for l in optuna), optuna   # an extra: fastmtl[tune]
    ep = z.read(next(n for n in names if n.endswith('entry_points.txt'))).decode()
    assert 'fastmtl-demo = fastmtl.demo:main' in ep

@pytest.mark.parametrize('mod', MODULES)
def test_import_first(mod):
    "Each module imports on its own in a fresh process (no circular-import trap, whatever is imported first)"
    res = subprocess.run([sys.executable, '-c', f'import fastmtl.{mod}'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
