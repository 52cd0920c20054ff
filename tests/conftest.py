"Test-session set-up: a fresh `FASTMTL_HOME` per session, and a table of each notebook's time and skipped cells"
import os, shutil, tempfile
import pytest

def pytest_configure(config):
    "Every test process writes generated datasets to a temporary folder of its own, removed at the end: no test reads what an earlier run, or another version of the code, left in `~/.fastmtl`"
    config._fastmtl_home = tempfile.mkdtemp(prefix='fastmtl_home_')
    os.environ['FASTMTL_HOME'] = config._fastmtl_home

def pytest_unconfigure(config):
    home = getattr(config, '_fastmtl_home', None)
    if home: shutil.rmtree(home, ignore_errors=True)

@pytest.fixture(scope='session')
def nb_home(pytestconfig):
    "The folder under which each notebook gets its own `FASTMTL_HOME` (`<this>/<notebook stem>`)"
    from pathlib import Path
    return Path(pytestconfig._fastmtl_home)

def pytest_terminal_summary(terminalreporter):
    "Each notebook's time, cells run and cells skipped, slowest first (from `test_notebooks.py`'s recorded summaries)"
    rows = [dict(r.user_properties)['notebook'] for k in ('passed', 'failed', 'skipped') for r in terminalreporter.stats.get(k, [])
            if getattr(r, 'when', None) == 'call' and 'notebook' in dict(getattr(r, 'user_properties', ()))]
    if not rows: return
    terminalreporter.section('notebooks: seconds, cells run / code cells, cells not run')
    for s in sorted(rows, key=lambda s: -s['seconds']):
        skipped = ', '.join(f'{n} {why}' for why, n in s['skipped'].items()) or '-'
        terminalreporter.write_line(f"{s['notebook']:34s} {s['seconds']:7.1f} s  {s['run']:3d}/{s['cells']:<3d} {skipped}"
                                    + ('  FAILED' if s['failed'] else ''))
    terminalreporter.write_line(f"{'total':34s} {sum(s['seconds'] for s in rows):7.1f} s")
