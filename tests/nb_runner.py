"""Run one notebook as `nbdev-test` does, cell by cell, and say which cell failed and which were skipped.

`python tests/nb_runner.py NOTEBOOK [--flags cuda]` runs the notebook's code cells in one IPython shell (execnb's
`CaptureShell`, nbdev's executor), from the notebook's folder, leaving out the cells nbdev-test leaves out (`#| eval:
false`, and cells carrying a test flag of `pyproject.toml`'s `tst_flags` that is not in `--flags`). Its last line is
`NBRUN {json}`: the cells run and skipped (by flag), the training cells run and skipped, the seconds taken, and, on a
failure, the failing cell's index among the notebook's cells and its first line of code. Exit status 1 on a failure.
Every figure a cell shows is checked for legibility on a docs page (`tests/figcheck.py`: panels wide enough, titles and
ticks large enough, no overlapping titles or legends, no axis offset text); a problem fails the notebook after its last
cell ran, naming the cell.

Why not `nbdev-test` itself: it stops at the first failing cell and prints only the traceback, so a report could not
say which cell failed, nor how many were left out; `tests/test_notebooks.py` reads this script's summary instead."""
import argparse, json, os, re, sys, time, traceback
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from figcheck import FigureWatch

# A cell that trains a model: the cells a reader's claims rest on, which must not all be skipped unnoticed
TRAINING = re.compile(r'\.(fit|fit_one_cycle|fine_tune|fit_flat_cos|fit_sgdr)\(|\b(run_demo|tune_loss_weights|single_task_baselines)\(')

def first_line(src:str) -> str:
    "The first line of a cell that is code: not a directive, a comment or blank"
    return next((l.strip() for l in src.splitlines() if l.strip() and not l.lstrip().startswith('#')), '')[:120]

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('nb'); p.add_argument('--flags', default='')
    a = p.parse_args()
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    from nbdev.frontmatter import nb_frontmatter
    from fastcore.nbio import does_cell_eval, fm_default_eval
    from execnb.shell import CaptureShell
    fn = Path(a.nb).resolve()
    cfg = get_config(fn.parent)
    skip_flags = set(cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else cfg.tst_flags) - set(a.flags.split())
    nb = NBProcessor(fn, rm_directives=False, process=True).nb
    dflt = fm_default_eval(nb_frontmatter(nb))
    todo, res = [], dict(notebook=fn.name, cells=0, run=0, skipped={}, training=0, training_run=0, failed=None)
    for i, c in enumerate(nb.cells):
        if c.cell_type != 'code': continue
        d = getattr(c, 'directives_', None) or {}; res['cells'] += 1   # nbdev's reading of the cell's `#|` lines
        why = 'eval: false' if not does_cell_eval(c, dflt) else next((f for f in sorted(skip_flags) if f in d), None)
        train = bool(TRAINING.search(c.source)); res['training'] += train
        if why: res['skipped'][why] = res['skipped'].get(why, 0) + 1
        else: todo.append((i, c)); res['training_run'] += train
    sys.path.insert(0, str(cfg.config_path))
    os.environ['IN_TEST'] = '1'
    os.chdir(fn.parent)
    shell, start = CaptureShell(fn), time.time()
    watch = FigureWatch().__enter__()
    for i, c in todo:
        watch.where = i + 1
        shell.cell(c, timeout=None)
        if shell.exc is not None:
            res['failed'] = dict(index=i + 1, first_line=first_line(c.source))   # counting from 1, as nbdev's 'Cell #'
            tb = ''.join(traceback.format_exception(shell.exc))
            sys.stderr.write(f"{fn.name}: cell #{i+1} failed: {first_line(c.source)}\n{shell.prettytb(fname=fn) or tb}\n")
            break
        res['run'] += 1
    watch.__exit__()
    if watch.problems and not res['failed']:
        i = watch.problems[0][0]
        res['failed'] = dict(index=i, first_line=f"a figure is hard to read on the page: {watch.problems[0][1]}")
        sys.stderr.write(f"{fn.name}: figures hard to read on a docs page (tests/figcheck.py):\n"
                         + ''.join(f"  cell #{w}: {p}\n" for w, p in watch.problems))
    res['seconds'] = round(time.time() - start, 1)
    print('NBRUN ' + json.dumps(res), flush=True)
    sys.exit(1 if res['failed'] else 0)

if __name__ == '__main__': main()
