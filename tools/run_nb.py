"""Execute notebooks and save their outputs (for the README and the tutorials, which are committed executed).
`python tools/run_nb.py nbs/index.ipynb ...`. Progress bars printed to a console end up in the saved text as
carriage-return animations; they are replaced by what a terminal finally shows (the table rows), and metadata is
cleaned as `nbdev-clean` does."""
import re, subprocess, sys
from pathlib import Path
import nbformat
from nbdev.test import test_nb

def terminal_text(text:str) -> str:
    "What a terminal shows of `text`: each line after its last carriage return, progress-bar residue and blank lines dropped"
    lines = [l.split('\r')[-1].rstrip() for l in text.split('\n')]
    return '\n'.join(l for l in lines if l.strip() and l.strip() != '█') + ('\n' if text.endswith('\n') else '')

def clean_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for c in nb.cells:
        if c.cell_type != 'code': continue
        outs = []
        for o in c.outputs:
            if o.output_type == 'stream':
                o.text = terminal_text(o.text)
                if not o.text.strip(): continue
            outs.append(o)
        c.outputs = outs
    nbformat.write(nb, path)

if __name__ == '__main__':
    for fn in map(lambda p: Path(p).resolve(), sys.argv[1:]):
        ok, secs = test_nb(fn, save=True, cell_timeout=None)   # a tutorial's training cell may run for many minutes
        if not ok: sys.exit(f"{fn} failed")
        clean_outputs(fn)
        print(f"{fn}: executed in {secs:.0f}s, outputs saved")
    subprocess.run([str(Path(sys.executable).parent/'nbdev-clean')], check=True)
