"""Is a matplotlib figure legible on a docs page? Checked on every figure a notebook draws while the tests run it.

A figure is shown on the site at its size in inches × its dpi (CSS pixels: Jupyter's inline backend saves retina PNGs at
twice the dpi with half the width in their metadata), scaled down to the content column when wider (Quarto's page at
1200 px has a column of about `COLUMN` px). At that displayed size `figure_problems` reports:

- a panel (an `Axes`, colour bars aside) narrower than `MIN_PANEL` px;
- a title (an axes' title, the figure's suptitle) or a tick label smaller than `MIN_TITLE` or `MIN_TICK` px;
- two texts that overlap: titles of different panels, a title and a legend, or a legend over another panel than its own
  (a figure legend over any panel);
- an axis offset text (matplotlib's "1e-3" or "+2.2e-1" beside the ticks, which makes the ticks read as other numbers), or
  tick labels in scientific notation ("2.25×10⁻¹", a log axis' minor ticks).

The bounding boxes are matplotlib's own (`get_window_extent` after a draw), so they are exact for the fonts used.
`tests/nb_runner.py` wraps `FigureCanvasBase.print_figure`, which Jupyter's inline backend calls for every figure it shows,
and fails the notebook's test on any problem, naming the cell and the texts."""
import matplotlib
from matplotlib.backend_bases import FigureCanvasBase

COLUMN, MIN_PANEL, MIN_TITLE, MIN_TICK = 800, 100, 9, 7   # CSS pixels as displayed
PAD = 1.   # overlaps of under a pixel are anti-aliasing, not overlaps

def _panels(fig) -> list:
    "The figure's visible axes that are panels: colour bars and inset axes without any artist aside"
    return [ax for ax in fig.axes if ax.get_visible() and not hasattr(ax, '_colorbar') and ax.get_label() != '<colorbar>']

def _texts(ax) -> list:
    "An axes' visible, non-empty titles"
    return [t for t in (ax.title, ax._left_title, ax._right_title) if t.get_visible() and t.get_text().strip()]

def _overlap(a, b) -> bool:
    return a.x0 + PAD < b.x1 and b.x0 + PAD < a.x1 and a.y0 + PAD < b.y1 and b.y0 + PAD < a.y1

def _show(t) -> str: return repr(t.get_text()[:40])

def figure_problems(fig) -> list:
    "What makes `fig` hard to read at its displayed size on a docs page (a list of sentences, empty when none)"
    fig.draw_without_rendering()
    r = fig.canvas.get_renderer()
    scale = 1.   # the displayed size: the tight bounding box in CSS px, scaled down to the column
    try: w = fig.get_tightbbox(r).width*fig.dpi
    except Exception: w = fig.get_figwidth()*fig.dpi
    if w > COLUMN: scale = COLUMN/w
    px = lambda pt: pt*fig.dpi/72*scale
    probs, panels = [], _panels(fig)
    for i, ax in enumerate(panels):
        name = f"panel {i + 1}" + (f" ({ax.get_title()[:30]!r})" if ax.get_title() else '')
        if (aw := ax.get_window_extent(r).width*scale) < MIN_PANEL: probs.append(f"{name} is {aw:.0f} px wide (< {MIN_PANEL})")
        for t in _texts(ax):
            if (s := px(t.get_fontsize())) < MIN_TITLE: probs.append(f"{name}: title {_show(t)} is {s:.1f} px (< {MIN_TITLE})")
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_visible() and (ot := axis.get_offset_text()).get_visible() and ot.get_text().strip():
                    probs.append(f"{name}: an axis offset text {_show(ot)} (the ticks read as other numbers: format them)")
                ticks = [t for t in axis.get_ticklabels(which='both') if t.get_visible() and t.get_text().strip()]
                if sci := [t for t in ticks if '\\times' in t.get_text()]:
                    probs.append(f"{name}: tick labels in scientific notation ({_show(sci[0])}: format them, e.g. plain decimals)")
                if ticks and (s := px(ticks[0].get_fontsize())) < MIN_TICK: probs.append(f"{name}: tick labels {s:.1f} px (< {MIN_TICK})")
    sup = [fig._suptitle] if getattr(fig, '_suptitle', None) is not None and fig._suptitle.get_text().strip() else []
    for t in sup:
        if (s := px(t.get_fontsize())) < MIN_TITLE: probs.append(f"suptitle {_show(t)} is {s:.1f} px (< {MIN_TITLE})")
    titles = [(i, t, t.get_window_extent(r)) for i, ax in enumerate(panels) for t in _texts(ax)] + [(-1, t, t.get_window_extent(r)) for t in sup]
    for a in range(len(titles)):
        for b in range(a + 1, len(titles)):
            (i, t, bb), (j, u, bu) = titles[a], titles[b]
            if i != j and _overlap(bb, bu): probs.append(f"titles {_show(t)} and {_show(u)} overlap")
    legends = [(panels.index(ax) if ax in panels else None, ax.get_legend()) for ax in fig.axes if ax.get_legend() is not None]
    legends += [(-1, l) for l in fig.legends]
    for i, lg in legends:
        if not lg.get_visible(): continue
        bl = lg.get_window_extent(r)
        for j, t, bt in titles:
            if _overlap(bl, bt): probs.append(f"a legend covers the title {_show(t)}")
        for j, ax in enumerate(panels):
            if j != i and _overlap(bl, ax.get_window_extent(r)): probs.append(f"a legend covers panel {j + 1}")
    return list(dict.fromkeys(probs))

class FigureWatch:
    "Check every figure `FigureCanvasBase.print_figure` saves (a shown figure) while active: `problems` holds (where, sentence)"
    def __init__(self): self.problems, self.where, self._orig = [], None, None
    def __enter__(self):
        orig = self._orig = FigureCanvasBase.print_figure
        watch = self
        def print_figure(canvas, *args, **kwargs):
            res = orig(canvas, *args, **kwargs)
            try: probs = figure_problems(canvas.figure)
            except Exception as e: probs = [f"the figure could not be checked: {type(e).__name__}: {e}"]
            watch.problems += [(watch.where, p) for p in probs]
            return res
        FigureCanvasBase.print_figure = print_figure
        return self
    def __exit__(self, *exc): FigureCanvasBase.print_figure = self._orig
