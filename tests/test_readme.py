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

def _sources_sha256(root:Path) -> str:
    "The recipe `fastmtl.demo.sources_sha256` follows, written again here: each `fastmtl/**/*.py`'s relative path and bytes, in path order"
    import hashlib
    h = hashlib.sha256()
    for f in sorted(root.rglob('*.py'), key=lambda f: f.relative_to(root).as_posix()):
        h.update(f.relative_to(root).as_posix().encode() + b'\0' + f.read_bytes() + b'\0')
    return h.hexdigest()

def _demo_metrics() -> dict:
    "`./out/metrics.json` if it is the default `fastmtl-demo` run of the current sources; else, in CI a failure, elsewhere a skip saying why"
    import json, os, pytest
    m = ROOT/'out'/'metrics.json'
    why = ("no ./out/metrics.json: `fastmtl-demo` writes it (.ci/run runs the demo before the tests)" if not m.exists() else None)
    res = None if why else json.loads(m.read_text())
    if res is not None and res.get('sources_sha256') != _sources_sha256(ROOT/'fastmtl'):
        why = ("./out/metrics.json is stale: it was made from other fastmtl sources than these (its sources_sha256 "
               f"{str(res.get('sources_sha256'))[:12]}… is not theirs, {_sources_sha256(ROOT/'fastmtl')[:12]}…): run `fastmtl-demo`")
    elif res is not None and res.get('argv') != []:
        why = f"./out/metrics.json is not the default run: it is `fastmtl-demo {' '.join(res.get('argv') or ['?'])}`; run `fastmtl-demo`"
    if why and os.environ.get('CI'): pytest.fail(why)   # CI has just run the demo: its result must be there, and current
    if why: pytest.skip(why)
    return res

def test_demo_numbers():
    "The README's demo numbers are those of the demo run that CI makes before the tests (`./out/metrics.json`, checked current)"
    res, text = _demo_metrics(), ' '.join((ROOT/'README.md').read_text().split())   # lines joined
    dist, sev = res['tasks']['distortion'], res['tasks']['severity']
    said = lambda pat: re.search(pat, text).group(1)
    # measured on scenes no training clip shows
    assert res['split'] == 'scene' and res['valid_scenes'] and not set(res['valid_scenes']) & set(res['train_scenes']), res
    # what the README promises of every seed, from random weights: bench/RESULTS.md's seeds 0-2 gave macro-F1 0.88-0.90,
    # severity 0.73-0.77, lowest class recall 0.58-0.70; issue 22's targets (0.88, 0.75, every recall 0.5) hold for the
    # default run, and seed 1 misses the severity one (0.73)
    assert dist['metrics']['f1_score_macro'] >= 0.85 and sev['metrics']['accuracy'] >= 0.70, (dist['metrics'], sev['metrics'])
    assert min(dist['recall'].values()) >= 0.45, dist['recall']
    # the lowest class recall, on 64 clips a class (one clip: 0.016), within 0.15 of this run's: seeds gave 0.58-0.70
    assert abs(float(said(r'the least \(recall (\d\.\d+)\)')) - min(dist['recall'].values())) <= 0.15, dist['recall']
    # the README's numbers (the default seed's) within 0.05 of this run: another CPU's rounding may take another path
    assert abs(float(said(r'distortion macro-F1 of (\d\.\d+)')) - dist['metrics']['f1_score_macro']) <= 0.05, dist['metrics']
    assert abs(float(said(r'severity accuracy of (\d\.\d+)')) - sev['metrics']['accuracy']) <= 0.05, sev['metrics']
    assert float(said(r'scores (\d\.\d+) and')) == round(dist['trivial_baseline']['f1_score_macro'], 2)   # the same data: exactly
    assert float(said(r'scores \d\.\d+ and (\d\.\d+)')) == round(sev['trivial_baseline']['accuracy'], 2)
    assert int(said(r'on its (\d+) validation clips')) == res['n_valid']
    assert said(r'held-out scenes \(([^)]*)\)') == ', '.join(f'`{s}`' for s in res['valid_scenes']), res['valid_scenes']
