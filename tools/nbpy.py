"""Write notebooks as cell scripts and back, for editing notebooks outside Jupyter.

    python tools/nbpy.py to-nb SCRIPT.py NOTEBOOK.ipynb   # `# %%` starts a code cell, `# %% [md]` a markdown cell
    python tools/nbpy.py to-py NOTEBOOK.ipynb SCRIPT.py   # the reverse (outputs are dropped)

In a markdown cell every line is written with a leading `# ` (or a lone `#` for a blank line).
Run `nbdev-clean` after `to-nb`; outputs of an existing notebook are not kept.
"""
import sys, re, nbformat

def to_nb(src, dst):
    text = open(src).read()
    cells = []
    for m in re.finditer(r'^# %%( \[md\])?[^\n]*\n(.*?)(?=^# %%|\Z)', text, flags=re.S|re.M):
        body = m.group(2).rstrip('\n')
        if m.group(1):
            lines = [l[2:] if l.startswith('# ') else l[1:] if l.startswith('#') else l for l in body.split('\n')]
            cells.append(nbformat.v4.new_markdown_cell('\n'.join(lines)))
        else: cells.append(nbformat.v4.new_code_cell(body))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.update(kernelspec=dict(display_name='python3', language='python', name='python3'))
    nbformat.write(nb, dst)

def to_py(src, dst):
    nb = nbformat.read(src, as_version=4)
    out = []
    for c in nb.cells:
        if c.cell_type == 'markdown':
            out.append('# %% [md]\n' + '\n'.join(('# ' + l) if l else '#' for l in c.source.split('\n')))
        elif c.cell_type == 'code': out.append('# %%\n' + c.source)
    open(dst, 'w').write('\n\n'.join(out) + '\n')

if __name__ == '__main__':
    cmd, src, dst = sys.argv[1:]
    {'to-nb': to_nb, 'to-py': to_py}[cmd](src, dst)
