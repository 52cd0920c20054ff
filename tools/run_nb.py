"""Execute notebooks in a Jupyter kernel and save their outputs: the tutorials, the reference notebooks and the README's
notebook are committed executed, as fastai's are, so the docs show each example's result.

`python tools/run_nb.py nbs/10_loss.ipynb ...` (`--flags cuda` to run the `#| cuda` cells too; `--timeout` per cell).

The notebook runs in a real kernel (ipykernel, the venv's Python), as in Jupyter: fastai's progress bars are stored as
the HTML table a notebook front-end shows, and plots as images. Cells flagged with a test flag that is not asked for
(`#| cuda` unless `--flags cuda`) and `#| eval: false` cells are not run, as `nbdev-test` does. Outputs are
saved only when every cell ran; then `nbdev-clean` tidies that notebook's metadata."""
import argparse, os, re, subprocess, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

FLAGS = ('cuda',)   # the project's test flags (pyproject's `tst_flags`)

def directives(cell) -> set:
    "The `#|` directives of a code cell, as written (`'cuda'`, `'eval: false'`, …)"
    return {m.group(1).strip() for m in re.finditer(r'^\s*#\|\s*(.+)$', cell.source, re.M)}

def skipped(cell, flags) -> bool:
    "Whether `nbdev-test --flags <flags>` would leave this cell out"
    d = directives(cell)
    return 'eval: false' in d or any(f in d and f not in flags for f in FLAGS)

# Warnings that third-party imports print in every kernel, about themselves, not about the notebook
NOISE = [r"[^\n]*FutureWarning: `torch\.jit\.script` is deprecated[^\n]*\n\s*warnings\.warn\(\n",
         r"[^\n]*TqdmWarning: IProgress not found[^\n]*\n\s*from \.autonotebook import tqdm as notebook_tqdm\n"]

def terminal_text(text:str) -> str:
    "What a terminal shows of `text`: each line after its last carriage return, progress-bar residue and blank lines dropped"
    lines = [l.split('\r')[-1].rstrip() for l in text.split('\n')]
    return '\n'.join(l for l in lines if l.strip() and l.strip() != '█') + ('\n' if text.endswith('\n') else '')

class SkippingClient(NotebookClient):
    "nbclient's executor, leaving out the cells `skipped` names (their old outputs are cleared)"
    flags = ()
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type == 'code' and skipped(cell, self.flags):
            cell.outputs, cell.execution_count = [], None
            return cell
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

def run(path:Path, flags=(), timeout=None) -> float:
    "Execute `path` in a fresh kernel from its own folder; save it with its outputs if every cell ran. Returns seconds"
    nb = nbformat.read(path, as_version=4)
    client = SkippingClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}})
    client.flags = tuple(flags)
    t0 = time.time()
    client.execute()   # raises CellExecutionError on the first failing cell: nothing is saved
    for c in nb.cells:
        if c.cell_type != 'code': continue
        for o in c.outputs:
            if o.output_type == 'stream': o.text = terminal_text(re.sub('|'.join(NOISE), '', o.text))
        c.outputs = [o for o in c.outputs if o.output_type != 'stream' or o.text.strip()]
    nbformat.write(nb, path)
    return time.time() - t0

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('notebooks', nargs='+')
    p.add_argument('--flags', nargs='*', default=[], help="test flags whose cells run (e.g. cuda; default: none)")
    p.add_argument('--timeout', type=int, default=None, help="seconds per cell (default: none)")
    a = p.parse_args()
    os.environ.pop('MPLBACKEND', None)   # the kernel's inline backend stores the plots
    for fn in map(lambda s: Path(s).resolve(), a.notebooks):
        secs = run(fn, a.flags, a.timeout)
        print(f"{fn.name}: executed in {secs:.0f}s, outputs saved", flush=True)
        subprocess.run([str(Path(sys.executable).parent/'nbdev-clean'), '--fname', str(fn)], check=True)   # this notebook only: others may be being edited
