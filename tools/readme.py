"""Write README.md from nbs/index.ipynb with nbconvert's markdown exporter (Quarto, and so `nbdev-readme`, is not
available everywhere). `python tools/readme.py` writes it; `python tools/readme.py --check` exits 1 if it is stale."""
import re, sys
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parents[1]

def readme_text(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    "The README for the notebook at `nb_path`: hidden cells dropped, `#|` directives removed, outputs kept"
    nb = nbformat.read(nb_path, as_version=4)
    cells = []
    for c in nb.cells:
        lines = c.source.splitlines()
        directives = [l for l in lines if re.match(r'\s*#\|', l)]
        if any(re.match(r'\s*#\|\s*hide\b', l) for l in directives): continue
        if c.cell_type == 'code': c.source = '\n'.join(l for l in lines if l not in directives).strip('\n')
        cells.append(c)
    nb.cells = cells
    nb.metadata['language_info'] = {'name': 'python'}   # fenced code blocks as ```python
    body, _ = MarkdownExporter(exclude_input_prompt=True, exclude_output_prompt=True).from_notebook_node(nb)
    body = re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'
    return "<!-- Generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file -->\n\n" + body

if __name__ == '__main__':
    text, dest = readme_text(), ROOT/'README.md'
    if '--check' in sys.argv[1:]:
        ok = dest.exists() and dest.read_text() == text
        print('README.md is up to date' if ok else 'README.md is stale: run python tools/readme.py')
        sys.exit(0 if ok else 1)
    dest.write_text(text)
    print(f'wrote {dest}')
