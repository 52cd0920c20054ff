"""Write README.md from nbs/index.ipynb with nbconvert's markdown exporter (Quarto, and so `nbdev-readme`, is not
available everywhere). `python tools/readme.py` writes it; `python tools/readme.py --check` exits 1 if it is stale."""
import re, sys
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parents[1]

def _md_table(html:str) -> str:
    "fastprogress's HTML progress table as a Markdown table (GitHub and PyPI drop its `<style>` and show raw HTML poorly)"
    rows = [re.findall(r'<t[hd]>(.*?)</t[hd]>', r, re.S) for r in re.findall(r'<tr>(.*?)</tr>', html, re.S)]
    head, *body = rows
    return '\n'.join(['| ' + ' | '.join(head) + ' |', '|' + '---|'*len(head)] + ['| ' + ' | '.join(r) + ' |' for r in body])

def _plain_outputs(c):
    "Replace each of code cell `c`'s fastprogress tables by a Markdown table and drop the `<style>` fastprogress prints"
    outs = []
    for o in c.get('outputs', []):
        html = o.get('data', {}).get('text/html', '')
        if 'class="fastprogress"' in html: o = nbformat.from_dict({'output_type': 'display_data', 'metadata': {}, 'data': {'text/markdown': _md_table(html)}})
        elif html.lstrip().startswith('<style>') and '</style>' in html and not html.split('</style>', 1)[1].strip(): continue
        outs.append(o)
    c.outputs = outs

def readme_text(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    "The README for the notebook at `nb_path`: hidden cells dropped, `#|` directives removed, outputs kept"
    nb = nbformat.read(nb_path, as_version=4)
    cells = []
    for c in nb.cells:
        lines = c.source.splitlines()
        directives = [l for l in lines if re.match(r'\s*#\|', l)]
        if any(re.match(r'\s*#\|\s*hide\b', l) for l in directives): continue
        if c.cell_type == 'code':
            c.source = '\n'.join(l for l in lines if l not in directives).strip('\n')
            _plain_outputs(c)
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
