"README.md is generated from nbs/index.ipynb and says exactly two set-up commands"
import re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from readme import readme_text

def test_readme_matches_index():
    assert (ROOT/'README.md').read_text() == readme_text(), "README.md is stale: run `python tools/readme.py`"

def test_two_setup_commands():
    blocks = re.findall(r'```sh\n(.*?)```', (ROOT/'README.md').read_text(), re.S)
    assert len(blocks) == 2, blocks
    install, tests = (b.strip() for b in blocks)
    assert 'pip install -e ".[dev]"' in install and install.endswith('fastmtl-demo')
    assert tests.endswith('pytest -n 2')
    ci = (ROOT/'.ci'/'run').read_text()
    assert install in ci and tests in ci, ".ci/run must run the README's commands verbatim"
