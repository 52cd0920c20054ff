"""Offline preview and check of the documentation site, for machines without Quarto (and for CI).

Run `nbdev-proc-nbs` first (it writes the processed pages to `_proc/`), then `python tools/docs_check.py`:

1. every page the site renders (`_proc/*.ipynb` but those whose name starts with `_`, or the `project: render:` list of
   `nbs/_quarto.yml` when it has one, less `--exclude`) becomes a standalone HTML page in `_site_offline/`, written by
   nbconvert as Quarto would show it (cell options `#| echo/output/include` applied, images embedded), next to an
   `index.html` that lists them: open `_site_offline/index.html` in a browser to read the docs offline;
2. each page is checked, first from its notebook, then opened in headless Chromium (Debian's `/usr/bin/chromium`, driven
   by Playwright; requests that leave the machine are blocked). A page fails when it does not load, an image does not
   load, or it shows an nbdev directive, a Python traceback, `NameError` or an error output; a stderr output (a warning,
   a log line); an executed plot call (`show_batch`, `.plot(`, `plt.subplots(`, ...; not on a line of a test:
   `test_…(`, `assert`, a `lambda` or a `def`) with no image among its cell's outputs; a progress table as text, a
   console progress bar or a wall of numbers (an output block of over 8 lines, over 60 % of its characters digits, dots
   or minus signs); an HTML progress table with a header and no rows; a table wider
   than the content column (`COLUMN` px, Quarto's default body width) outside a scroll container. A wide table inside a
   scroll container is a warning (check that the columns the prose discusses are in view), a failure with `--strict`.
   Figures are checked where they are drawn, by the tests (`tests/figcheck.py`);
3. full-page screenshots (1200 px wide) of the home page, the tutorials and the loss and weighting pages go to
   `_site_offline/screenshots/`.

One line per page, a summary, and exit status 1 if a page fails. `--no-browser` renders the pages and reports only what
the notebooks show (no browser check).
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
COLUMN = 800   # Quarto's default body width (grid: body-width): the column a page's outputs get

# nbconvert's JupyterLab template, offline: a sidebar listing the pages (as the site's), no require.js or MathJax from a
# CDN (formulas show as TeX), and error outputs marked with the class `output_error` (the lab template gives them none)
TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{% block html_head_js_requirejs %}{% endblock %}
{% block html_head_js_mathjax %}{% endblock %}
{% block extra_css %}<style>
.offline-site {display: flex} .offline-site main {flex: 1; min-width: 0; max-width: {{ resources.column }}px; padding: 0 24px}
.jp-OutputArea-output {overflow-x: auto}   /* as the site's styles.css: .cell-output-display {overflow-x: auto} */
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
            elif isinstance(e, dict) and e.get('href') in by_nb:   # an entry with its own sidebar text
                n, _ = by_nb[e['href']]
                res.append(f'<li><a href="{n}"{" class=here" if n == here else ""}>{html.escape(str(e.get("text", n)))}</a></li>')
            elif isinstance(e, str) and e in by_nb:
                n, t = by_nb[e]
                res.append(f'<li><a href="{n}"{" class=here" if n == here else ""}>{t}</a></li>')
        return ''.join(res)
    return items((((yaml.safe_load(sb.read_text()) or {}).get('website') or {}).get('sidebar') or {}).get('contents', []))

def render(proc:Path, out:Path, pages:list) -> tuple:
    "Write each page of `pages` to `out` (and an index.html if none is the home page); return the names written and each page's `notebook_problems`"
    site = (yaml.safe_load((proc/'nbdev.yml').read_text()) if (proc/'nbdev.yml').exists() else {}).get('website', {})
    site_url, site_title = site.get('site-url', '').rstrip('/'), site.get('title', 'docs')
    exporter = HTMLExporter(template_name='lab', template_file='offline.html.j2',
                            extra_loaders=[DictLoader({'offline.html.j2': TEMPLATE})],
                            embed_images=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'hide-input'},
                                                         remove_all_outputs_tags={'hide-output'}), enabled=True)
    views, found = [], {}
    for p in pages:
        nb = nbformat.read(p, as_version=4)
        fm = quarto_view(nb)
        name = fm.get('output-file') or re.sub(r'^\d+[a-zA-Z0-9]*_', '', p.stem.lower()) + '.html'   # as nbdev names it
        views.append((name, html.escape(str(fm.get('title', p.stem))), nb))
        found[name] = notebook_problems(nb)
    by_nb = {p.name: (name, title) for p, (name, title, _) in zip(pages, views)}
    for name, title, nb in views:
        nav = sidebar_nav(proc, by_nb, name) or ''.join(f'<li><a href="{n}"{" class=here" if n == name else ""}>{t}</a></li>' for n, t, _ in views)
        body, _ = exporter.from_notebook_node(nb, resources={'metadata': {'path': str(proc), 'name': title},
                                                             'site_title': site_title, 'nav': nav,
                                                             'column': COLUMN})
        if site_url: body = body.replace(f'{site_url}/', '')   # links between pages stay in the offline site
        (out/name).write_text(body)
    names = [n for n, *_ in views]
    if 'index.html' not in names:   # no home page among the pages rendered: a plain list of them
        items = ''.join(f'<li><a href="{n}">{t}</a></li>' for n, t, _ in views)
        (out/'index.html').write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{site_title}</title>'
                                      f'</head><body><h1>{site_title} (offline preview)</h1><ul>{items}</ul></body></html>\n')
        names.insert(0, 'index.html')
    return names, found

PAGE_FACTS = """(column) => {
  const main = document.querySelector('main') || document.body;
  const width = Math.min(main.clientWidth, column);
  const scrolls = el => { for (let e = el.parentElement; e && e !== main; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  const tables = [...main.querySelectorAll('table')].map(t => ({w: t.getBoundingClientRect().width, scroll: scrolls(t),
      head: [...t.querySelectorAll('th')].slice(0, 3).map(h => h.innerText.trim()).join(', ')}));
  return {
    text: document.body ? document.body.innerText : '',
    images: [...document.images].map(i => ({src: i.src.slice(0, 60), ok: i.complete && i.naturalWidth > 0})),
    errors: document.querySelectorAll('.output_error').length,
    width: width, tables: tables.filter(t => t.w > width + 1),
  };
}"""

PLOT_CALL = re.compile(r'(\bshow_batch|\bshow_results|\bshow_images?|\bplot_\w+|\.plot|\bimshow|\bplt\.subplots|\bplt\.figure)\s*\(')
TEXT_PROGRESS = re.compile(r'^\s*epoch\s+train_loss\s+valid_loss', re.M)   # fastai's progress table printed as text
PROGRESS_BAR = re.compile(r'\|[█-]{10,}\| *\d+\.\d+% \[')   # fastprogress printed to a console, \r and all

def number_wall(text:str) -> bool:
    "Is `text` (an output block) a wall of numbers: over 8 lines, over 60 % of its non-space characters digits . -"
    chars = re.sub(r'\s', '', text)
    numeric = sum(ch in '0123456789.-' for ch in chars)
    return len(text.strip().splitlines()) > 8 and bool(chars) and numeric > 0.6*len(chars)

def _first(src:str) -> str:
    "A cell's first line of code, for a message"
    return next((l.strip() for l in src.splitlines() if l.strip() and not l.lstrip().startswith('#')), '')[:60]

def _joined(v) -> str: return ''.join(v) if isinstance(v, list) else (v or '')

def notebook_problems(nb) -> list:
    "What a page (its notebook as `quarto_view` left it) shows that it must not, read from its cells: a sentence each"
    probs = []
    for c in nb.cells:
        if c.cell_type != 'code' or 'hide-output' in c.metadata.get('tags', []): continue
        outs, first = c.get('outputs', []), _first(c.source)
        for o in outs:
            data = o.get('data', {})
            if o.output_type == 'stream' and o.name == 'stderr' and o.text.strip():
                probs.append(f"stderr output in `{first}`: {o.text.strip().splitlines()[0][:80]!r}")
            text = _joined(o.text) if o.output_type == 'stream' else '' if 'text/html' in data else _joined(data.get('text/plain'))
            if TEXT_PROGRESS.search(text) or PROGRESS_BAR.search(text): probs.append(f"a progress table or bar as text in `{first}`")
            elif number_wall(text): probs.append(f"a wall of numbers in `{first}`")
            for t in re.findall(r'<table.*?</table>', _joined(data.get('text/html')), re.S):
                if '<th>epoch</th>' in t and not re.search(r'<tbody>\s*<tr', t): probs.append(f"a progress table with no rows in `{first}`")
        code = [l for l in c.source.splitlines() if not l.lstrip().startswith('#') and not re.search(r'\btest_\w+\(|\bassert\b|lambda|\bdef\b', l)]
        if any(PLOT_CALL.search(l) for l in code) and not any({'image/png', 'image/svg+xml'} & set(o.get('data', {})) for o in outs):
            probs.append(f"a plot call shows no image in `{first}`")
    return list(dict.fromkeys(probs))

def check(facts:dict, found:list=()) -> tuple:
    "Failures and warnings of one page, from the facts the browser read off it and the problems its notebook showed (`found`: text outputs are judged there, with the cell named)"
    fails, text = list(found), facts['text']
    if not text.strip(): fails.append('empty page')
    if bad := [i['src'] for i in facts['images'] if not i['ok']]:
        fails.append(f"{len(bad)}/{len(facts['images'])} images not loaded")
    if d := [l.strip() for l in text.splitlines() if l.lstrip().startswith('#|')]:
        fails.append(f"{len(d)} nbdev directives shown ({d[0]!r})")
    if 'Traceback (most recent call last)' in text: fails.append('a Python traceback')
    if re.search(r'\bNameError\b', text): fails.append('NameError')
    if facts['errors']: fails.append(f"{facts['errors']} error output(s)")
    wide = facts.get('tables', [])
    fails += [f"a table {t['w']:.0f} px wide ({t['head']}…) outside a scroll container: the column is {facts['width']:.0f} px"
              for t in wide if not t['scroll']]
    scrolled = [t for t in wide if t['scroll']]
    warns = [f"{len(scrolled)} table(s) wider than the column scroll (" + '; '.join(t['head'] for t in scrolled[:3])
             + "): are the columns the prose discusses in view?"] * bool(scrolled)
    return fails, warns

def browse(out:Path, names:list, strict:bool, chromium:str=CHROMIUM, found:dict={}) -> int:
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
                fails, warns = check(page.evaluate(PAGE_FACTS, COLUMN), found.get(name, []))
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
    ap.add_argument('--strict', action='store_true', help='warnings (wide tables that scroll) fail the page')
    args = ap.parse_args()
    pages = site_pages(args.proc, args.exclude)
    if not pages: sys.exit(f'no processed pages in {args.proc}: run nbdev-proc-nbs first')
    args.out.mkdir(parents=True, exist_ok=True)   # a fresh site: no page of an earlier run left behind
    for f in args.out.glob('*.html'): f.unlink()
    shutil.rmtree(args.out/'screenshots', ignore_errors=True)
    names, found = render(args.proc, args.out, pages)
    print(f'{len(names)} pages written to {args.out}: open {args.out/"index.html"}', flush=True)
    if args.no_browser:   # the problems read from the notebooks only
        for n in names: print(f"{'FAIL' if found.get(n) else 'OK':4} {n}" + (': ' + '; '.join(found[n]) if found.get(n) else ''))
        sys.exit(1 if any(found.values()) else 0)
    sys.exit(1 if browse(args.out, names, args.strict, args.chromium, found) else 0)

if __name__ == '__main__': main()
