"""Offline preview and check of the documentation site, for machines without Quarto (and for CI).

Run `nbdev-proc-nbs` first (it writes the processed pages to `_proc/`), then `python tools/docs_check.py`:

1. every page the site renders (`_proc/*.ipynb` but those whose name starts with `_`, or the `project: render:` list of
   `nbs/_quarto.yml` when it has one, less `--exclude`) becomes a standalone HTML page in `_site_offline/`, written by
   nbconvert as Quarto would show it (cell options `#| echo/output/include` applied, images embedded), next to an
   `index.html` that lists them: open `_site_offline/index.html` in a browser to read the docs offline;
2. each page is opened in headless Chromium (Debian's `/usr/bin/chromium`, driven by Playwright; requests that leave the
   machine are blocked) and checked: it loads, every image loads, and no nbdev directive, Python traceback, `NameError`
   or error output shows. An output `<pre>` block that is a wall of numbers (more than 8 lines, over 60 % of its
   non-space characters digits, dots or minus signs: a progress table printed as text) or a console progress bar is a
   warning, a failure with `--strict`;
3. full-page screenshots (1200 px wide) of the home page, the tutorials and the loss and weighting pages go to
   `_site_offline/screenshots/`.

One line per page, a summary, and exit status 1 if a page fails. `--no-browser` only renders the pages.
"""
import argparse, fnmatch, html, re, shutil, sys, tempfile
from pathlib import Path
import nbformat, yaml
from jinja2 import DictLoader
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'   # Debian's package
# without the background-networking flags Chromium stalls on a closed network
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']
SCREENSHOTS = ['index', 'tutorial.*', 'loss', 'weighting']   # page names (without .html) to photograph
WIDTH = 1200

# nbconvert's JupyterLab template, offline: a sidebar listing the pages (as the site's), no require.js or MathJax from a
# CDN (formulas show as TeX), and error outputs marked with the class `output_error` (the lab template gives them none)
TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{% block html_head_js_requirejs %}{% endblock %}
{% block html_head_js_mathjax %}{% endblock %}
{% block extra_css %}<style>
.offline-site {display: flex} .offline-site main {flex: 1; min-width: 0; max-width: 1000px; padding: 0 24px}
.offline-nav {position: sticky; top: 0; align-self: flex-start; height: 100vh; overflow-y: auto; flex: 0 0 210px;
  padding: 12px 16px; border-right: 1px solid #ddd; font: 14px sans-serif}
.offline-nav ul {padding: 0} .offline-nav li {list-style: none; margin: 5px 0} .offline-nav .here {font-weight: bold}
</style>{% endblock %}
{% block body_header %}<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<div class="offline-site"><nav class="offline-nav"><a href="index.html"><b>{{ resources.site_title }}</b></a><br>
<small>offline preview</small><ul>{{ resources.nav }}</ul></nav><main>{% endblock %}
{% block body_footer %}</main></div></body>{% endblock %}
{% block error %}<div class="output_error">{{ super() }}</div>{% endblock %}
"""

def site_pages(proc:Path, exclude=()) -> list:
    "The processed notebooks the site renders, the home page first"
    qy = ROOT/'nbs'/'_quarto.yml'
    render = ((yaml.safe_load(qy.read_text()) or {}).get('project') or {}).get('render') if qy.exists() else None
    nbs = sorted(proc.glob('*.ipynb'), key=lambda p: (p.stem != 'index', p.name))
    if render:   # Quarto's list: globs, a leading `!` excludes
        keep = lambda n: (any(fnmatch.fnmatch(n, g) for g in render if not g.startswith('!'))
                          and not any(fnmatch.fnmatch(n, g[1:]) for g in render if g.startswith('!')))
        nbs = [p for p in nbs if keep(p.name)]
    else: nbs = [p for p in nbs if not p.name.startswith('_')]
    return [p for p in nbs if not any(fnmatch.fnmatch(p.name, e) or fnmatch.fnmatch(p.stem, e) for e in exclude)]

OPTION = re.compile(r'#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')
CELL_KEYS = {'cell_type', 'id', 'metadata', 'source', 'outputs', 'execution_count', 'attachments'}
LINK_ATTRS = re.compile(r'(\]\([^)\s]*\))\{[^}\n]*\}')   # Pandoc's [text](url){target="_blank"}: Quarto-only syntax

def quarto_view(nb) -> dict:
    "Make `nb` (a processed page) show what Quarto shows; return its front matter"
    fm = {}
    if nb.cells and nb.cells[0].cell_type == 'raw' and (m := re.match(r'---\n(.*?)\n---', nb.cells[0].source, re.S)):
        fm = yaml.safe_load(m[1]) or {}
        nb.cells.pop(0)
    head = f"# {fm.get('title', '')}" + (f"\n\n> {fm['description']}" if fm.get('description') else '')
    cells = [nbformat.v4.new_markdown_cell(head)]
    for c in nb.cells:
        c.setdefault('source', '')   # nbdev's rm_export leaves exported cells without a source
        for k in set(c) - CELL_KEYS: del c[k]   # nor the extra key of a show_doc cell (has_sd) or its timings
        c.metadata = nbformat.NotebookNode(tags=c.metadata.get('tags', []))
        if c.cell_type == 'markdown':   # Pandoc wants a space after a heading's #: `#| x` is text there, not a heading
            c.source = re.sub(r'^(\s*)#\|', r'\1\\#|', LINK_ATTRS.sub(r'\1', c.source), flags=re.M)
        if c.cell_type != 'code': cells.append(c); continue
        lines, opts = c.source.splitlines(), {}
        while lines and (m := OPTION.match(lines[0])): opts[m[1]] = m[2].lower(); lines.pop(0)   # Quarto's cell options
        c.source, tags = '\n'.join(lines), set(c.metadata.tags)
        if opts.get('include') == 'false' or (not c.source.strip() and not c.outputs): continue
        if opts.get('echo') == 'false' or not c.source.strip(): tags.add('hide-input')
        if opts.get('output') == 'false': tags.add('hide-output')
        for o in c.outputs:
            if 'text/markdown' in o.get('data', {}): o.data['text/markdown'] = LINK_ATTRS.sub(r'\1', o.data['text/markdown'])
        c.metadata['tags'] = sorted(tags)
        cells.append(c)
    nb.cells = cells
    return fm

def sidebar_nav(proc:Path, by_nb:dict, here:str) -> str:
    "The site's sidebar (`sidebar.yml`: pages and sections, in the reader's order) as the offline nav; '' if there is none"
    sb = proc/'sidebar.yml'
    if not sb.exists(): return ''
    def items(entries):
        res = []
        for e in entries:
            if isinstance(e, dict) and 'section' in e:
                res.append(f'<li><b>{html.escape(e["section"])}</b><ul style="padding-left:10px">{items(e.get("contents", []))}</ul></li>')
            elif isinstance(e, str) and e in by_nb:
                n, t = by_nb[e]
                res.append(f'<li><a href="{n}"{" class=here" if n == here else ""}>{t}</a></li>')
        return ''.join(res)
    return items((((yaml.safe_load(sb.read_text()) or {}).get('website') or {}).get('sidebar') or {}).get('contents', []))

def render(proc:Path, out:Path, pages:list) -> list:
    "Write each page of `pages` to `out` (and an index.html if none is the home page); return the names written"
    site = (yaml.safe_load((proc/'nbdev.yml').read_text()) if (proc/'nbdev.yml').exists() else {}).get('website', {})
    site_url, site_title = site.get('site-url', '').rstrip('/'), site.get('title', 'docs')
    exporter = HTMLExporter(template_name='lab', template_file='offline.html.j2',
                            extra_loaders=[DictLoader({'offline.html.j2': TEMPLATE})],
                            embed_images=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'hide-input'},
                                                         remove_all_outputs_tags={'hide-output'}), enabled=True)
    views = []
    for p in pages:
        nb = nbformat.read(p, as_version=4)
        fm = quarto_view(nb)
        name = fm.get('output-file') or re.sub(r'^\d+[a-zA-Z0-9]*_', '', p.stem.lower()) + '.html'   # as nbdev names it
        views.append((name, html.escape(str(fm.get('title', p.stem))), nb))
    by_nb = {p.name: (name, title) for p, (name, title, _) in zip(pages, views)}
    for name, title, nb in views:
        nav = sidebar_nav(proc, by_nb, name) or ''.join(f'<li><a href="{n}"{" class=here" if n == name else ""}>{t}</a></li>' for n, t, _ in views)
        body, _ = exporter.from_notebook_node(nb, resources={'metadata': {'path': str(proc), 'name': title},
                                                             'site_title': site_title, 'nav': nav})
        if site_url: body = body.replace(f'{site_url}/', '')   # links between pages stay in the offline site
        (out/name).write_text(body)
    names = [n for n, *_ in views]
    if 'index.html' not in names:   # no home page among the pages rendered: a plain list of them
        items = ''.join(f'<li><a href="{n}">{t}</a></li>' for n, t, _ in views)
        (out/'index.html').write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{site_title}</title>'
                                      f'</head><body><h1>{site_title} (offline preview)</h1><ul>{items}</ul></body></html>\n')
        names.insert(0, 'index.html')
    return names

PAGE_FACTS = """() => ({
  text: document.body ? document.body.innerText : '',
  images: [...document.images].map(i => ({src: i.src.slice(0, 60), ok: i.complete && i.naturalWidth > 0})),
  errors: document.querySelectorAll('.output_error').length,
  outputs: [...document.querySelectorAll('.jp-OutputArea-output pre')].map(p => p.innerText),
})"""

PROGRESS_BAR = re.compile(r'\|[█-]{10,}\| *\d+\.\d+% \[')   # fastprogress printed to a console, \r and all

def number_wall(text:str) -> bool:
    "Is `text` (an output block) a wall of numbers: over 8 lines, over 60 % of its non-space characters digits . -"
    chars = re.sub(r'\s', '', text)
    numeric = sum(ch in '0123456789.-' for ch in chars)
    return len(text.strip().splitlines()) > 8 and bool(chars) and numeric > 0.6*len(chars)

def check(facts:dict) -> tuple:
    "Failures and warnings of one page, from the facts the browser read off it"
    fails, text = [], facts['text']
    if not text.strip(): fails.append('empty page')
    if bad := [i['src'] for i in facts['images'] if not i['ok']]:
        fails.append(f"{len(bad)}/{len(facts['images'])} images not loaded")
    if d := [l.strip() for l in text.splitlines() if l.lstrip().startswith('#|')]:
        fails.append(f"{len(d)} nbdev directives shown ({d[0]!r})")
    if 'Traceback (most recent call last)' in text: fails.append('a Python traceback')
    if re.search(r'\bNameError\b', text): fails.append('NameError')
    if facts['errors']: fails.append(f"{facts['errors']} error output(s)")
    walls = sum(map(number_wall, facts['outputs']))
    bars = sum(bool(PROGRESS_BAR.search(t)) for t in facts['outputs'])
    warns = [f'{walls} output block(s) a wall of numbers'] * bool(walls) + [f'{bars} console progress bar(s)'] * bool(bars)
    return fails, warns

def browse(out:Path, names:list, strict:bool, chromium:str=CHROMIUM) -> int:
    "Open every page in headless Chromium, check it, photograph some; print a line each; return the number failed"
    from playwright.sync_api import sync_playwright
    shots = out/'screenshots'; shots.mkdir(exist_ok=True)
    n_fail = n_warn = 0
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:   # a fresh profile
        try: ctx = pw.chromium.launch_persistent_context(profile, executable_path=chromium, args=CHROMIUM_ARGS,
                                                         headless=True, viewport={'width': WIDTH, 'height': 900})
        except Exception as e: sys.exit(f'Chromium ({chromium}) does not start: {str(e).splitlines()[0]}\n'
                                        'apt-get install chromium, or run with --no-browser')
        page, blocked = ctx.new_page(), []
        def block(route): blocked.append(route.request.url); route.abort()
        page.route(lambda url: not url.startswith(('file:', 'data:')), block)   # the docs must read offline
        for name in names:
            blocked.clear()
            try:
                page.goto((out/name).resolve().as_uri(), wait_until='load', timeout=60_000)
                fails, warns = check(page.evaluate(PAGE_FACTS))
                if any(fnmatch.fnmatch(name[:-len('.html')], s) for s in SCREENSHOTS):
                    page.screenshot(path=str(shots/name.replace('.html', '.png')), full_page=True)
            except Exception as e: fails, warns = [f'does not load: {str(e).splitlines()[0]}'], []
            if strict: fails, warns = fails + warns, []
            n_fail += bool(fails); n_warn += bool(warns) and not fails
            note = f' ({len(blocked)} requests off the machine blocked)' if blocked else ''
            status = 'FAIL' if fails else 'WARN' if warns else 'OK'
            print(f'{status:4} {name}' + (': ' + '; '.join(fails + warns) if fails or warns else '') + note, flush=True)
        ctx.close()
    print(f'{len(names)} pages: {len(names) - n_fail} ok ({n_warn} with warnings), {n_fail} failed; '
          f'screenshots in {shots.relative_to(ROOT) if shots.is_relative_to(ROOT) else shots}')
    return n_fail

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--proc', type=Path, default=ROOT/'_proc', help='the processed pages (default: _proc)')
    ap.add_argument('--out', type=Path, default=ROOT/'_site_offline', help='where the HTML goes (default: _site_offline)')
    ap.add_argument('--exclude', nargs='*', default=[], metavar='GLOB', help='pages not to render, e.g. 43_training')
    ap.add_argument('--no-browser', action='store_true', help='only render the pages: no Chromium')
    ap.add_argument('--chromium', default=CHROMIUM, help=f'the browser (default: {CHROMIUM})')
    ap.add_argument('--strict', action='store_true', help='warnings (walls of numbers, progress bars) fail the page')
    args = ap.parse_args()
    pages = site_pages(args.proc, args.exclude)
    if not pages: sys.exit(f'no processed pages in {args.proc}: run nbdev-proc-nbs first')
    args.out.mkdir(parents=True, exist_ok=True)   # a fresh site: no page of an earlier run left behind
    for f in args.out.glob('*.html'): f.unlink()
    shutil.rmtree(args.out/'screenshots', ignore_errors=True)
    names = render(args.proc, args.out, pages)
    print(f'{len(names)} pages written to {args.out}: open {args.out/"index.html"}', flush=True)
    if not args.no_browser: sys.exit(1 if browse(args.out, names, args.strict, args.chromium) else 0)

if __name__ == '__main__': main()
