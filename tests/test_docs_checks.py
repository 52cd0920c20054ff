"The checks that keep the docs readable find what they are meant to: figures (`figcheck`) and pages (`tools/docs_check.py`)"
import sys
from pathlib import Path
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt, nbformat, numpy as np, pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools')); sys.path.insert(0, str(ROOT/'tests'))
from figcheck import figure_problems, FigureWatch
from docs_check import notebook_problems

@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close('all')

def test_squeezed_panels_overlap():
    "Four titled panels in 6 inches: their titles overlap; a legend outside its panel covers the next one"
    fig, axs = plt.subplots(1, 4, figsize=(6, 3.5))
    for a, t in zip(axs, ['UncertaintyWeighting', 'DynamicWeightAverage', 'GradientAggregation', 'FAMO']):
        a.plot([1, 2, 3], label='count'); a.set_title(t)
    axs[0].legend(bbox_to_anchor=(1.2, 1))
    p = figure_problems(fig)
    assert "titles 'UncertaintyWeighting' and 'DynamicWeightAverage' overlap" in p
    assert 'a legend covers panel 2' in p

def test_legible_grid_passes():
    "The same four panels in a 2×2 grid with one legend outside them: no problem"
    fig, axs = plt.subplots(2, 2, figsize=(8, 6), layout='constrained')
    for a, t in zip(axs.flat, ['UncertaintyWeighting', 'DynamicWeightAverage', 'GradientAggregation', 'FAMO']):
        a.plot([1, 2, 3], label='count'); a.set_title(t)
    fig.legend(*axs[0, 0].get_legend_handles_labels(), loc='outside right')
    assert figure_problems(fig) == []

def test_small_titles_and_panels():
    "A 20-inch grid shown in an 800-px column: titles at 7 pt display at ~4 px; 12 panels in a row are too narrow"
    fig, axs = plt.subplots(3, 3, figsize=(20, 20))
    for a in axs.flat: a.imshow(np.zeros((4, 4))); a.set_title('depth', fontsize=7); a.axis('off')
    assert any("title 'depth' is" in p for p in figure_problems(fig))
    fig, axs = plt.subplots(1, 12, figsize=(12, 2))
    assert any('px wide (< 100)' in p for p in figure_problems(fig))

def test_tick_notation():
    "Scientific minor ticks on a log axis and an offset text are both reported; plain ticks are not"
    fig, ax = plt.subplots(); ax.semilogy([0.21, 0.24, 0.23])
    assert any('scientific notation' in p for p in figure_problems(fig))
    fig, ax = plt.subplots(); ax.plot([1e-5, 2e-5, 3e-5])
    assert any('offset text' in p for p in figure_problems(fig))
    fig, ax = plt.subplots(); ax.plot([0.21, 0.24, 0.23])
    assert figure_problems(fig) == []

def test_watch_records_shown_figures():
    "FigureWatch checks each figure saved while active, and restores print_figure after"
    import io
    from matplotlib.backend_bases import FigureCanvasBase
    orig = FigureCanvasBase.print_figure
    with FigureWatch() as w:
        w.where = 3
        fig, ax = plt.subplots(); ax.plot([1e-5, 2e-5]); fig.savefig(io.BytesIO(), format='png')
    assert w.problems and w.problems[0][0] == 3 and 'offset text' in w.problems[0][1]
    assert FigureCanvasBase.print_figure is orig

def _cell(src, *outs, tags=()):
    c = nbformat.v4.new_code_cell(src, outputs=list(outs)); c.metadata['tags'] = list(tags)
    return c

def test_notebook_problems():
    "stderr, plots without images, text progress tables and empty progress tables fail a page; hidden outputs do not"
    o = nbformat.v4
    warn = o.new_output('stream', name='stderr', text='/x/fastai/learner.py:456: UserWarning: pickle\n')
    text_table = o.new_output('stream', name='stdout', text='epoch     train_loss  valid_loss  time\n0         1.0  0.9  00:01\n')
    empty = o.new_output('display_data', data={'text/html': '<table><thead><tr><th>epoch</th></tr></thead><tbody>\n</tbody></table>'})
    png = o.new_output('display_data', data={'image/png': 'iVBOR', 'text/plain': '<Figure>'})
    nb = o.new_notebook(cells=[_cell('learn.export(p)', warn), _cell('learn.show_results()'), _cell('learn.fit(1)', text_table),
                               _cell('learn.fit(1)', empty), _cell('dls.show_batch()', png), _cell('x.plot()', warn, tags=['hide-output']),
                               _cell('test_fail(lambda: dls.show_batch())'),
                               _cell('test_eq(learn.show_results(), None)')])
    p = notebook_problems(nb)
    assert p == ["stderr output in `learn.export(p)`: '/x/fastai/learner.py:456: UserWarning: pickle'",
                 'a plot call shows no image in `learn.show_results()`', 'a progress table or bar as text in `learn.fit(1)`',
                 'a progress table with no rows in `learn.fit(1)`']
