"The package is layered: fastmtl modules import each other in one direction only, never another's private names"
import ast, subprocess, sys
from pathlib import Path
import pytest

PKG = Path(__file__).resolve().parents[1]/'fastmtl'

def _module_name(p:Path) -> str:
    "fastmtl/loss.py → 'loss'; a package's modules are dotted: fastmtl/datasets/video.py → 'datasets.video', its __init__.py → 'datasets'"
    parts = p.relative_to(PKG).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)

FILES = {_module_name(p): p for p in sorted(PKG.rglob('*.py')) if p.relative_to(PKG).parts[0] not in ('__init__.py', '_modidx.py')}
MODULES = sorted(FILES)
PACKAGES = {m for m, p in FILES.items() if p.name == '__init__.py'}   # 'datasets': a domain of several modules

def _resolve(name:str) -> str|None:
    "The module of `MODULES` that the dotted name below fastmtl (`'datasets.video.distort'`, `'loss'`) is, or is in"
    parts = name.split('.')
    return next(('.'.join(parts[:i]) for i in range(len(parts), 0, -1) if '.'.join(parts[:i]) in FILES), None)

def _target(node, mod):
    "The fastmtl modules an `import`/`from … import` node in module `mod` names, and the names taken from each"
    if isinstance(node, ast.Import):
        return [(_resolve(a.name[len('fastmtl.'):]), []) for a in node.names if a.name.startswith('fastmtl.')]
    if node.level:                                        # relative to the package holding `mod` (`mod` itself if a package)
        pkg = mod.split('.') if mod in PACKAGES else mod.split('.')[:-1]
        base = '.'.join(pkg[:len(pkg) - node.level + 1] + ([node.module] if node.module else []))
    elif node.module == 'fastmtl' or (node.module or '').startswith('fastmtl.'): base = node.module[len('fastmtl.'):]
    else: return []
    owner = _resolve(base) if base else None              # the module the names are taken from
    subs = [_resolve(f'{base}.{a.name}'.lstrip('.')) for a in node.names]
    if owner is None or all(m not in (None, owner) for m in subs):   # from . import loss as _loss: modules, for themselves
        return [(m, []) for m in subs]
    return [(owner, [a.name for a in node.names])]

def _imports(tree, in_functions=True):
    "The import nodes of `tree` (with `in_functions=False`: those that run when the module is imported)"
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)): yield node
        if in_functions or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))

def import_graph(in_functions=True):
    "{module: {fastmtl module it imports: names it takes}}, imports inside functions included (unless `in_functions=False`)"
    graph = {}
    for m in MODULES:
        deps = graph.setdefault(m, {})
        for node in _imports(ast.parse(FILES[m].read_text()), in_functions):
            for dep, names in _target(node, m): deps.setdefault(dep, []).extend(names)
    return graph

def test_graph_is_known():
    g = import_graph()
    assert all(d in MODULES for deps in g.values() for d in deps), g
    assert g['parallel'] == {} and g['tasks'] == {}       # the bottom layer imports no fastmtl module
    assert {'datasets.cache', 'datasets.video'} <= set(g['datasets']), g['datasets']   # the package's modules, found
    assert 'datasets.cache' in g['datasets.video'] and 'datasets' in g['all'], (g['datasets.video'], g['all'])

# DESIGN.md's layers: every import points down this list (or within a layer, without cycles: `test_no_cycle`).
# A package is one domain: its modules ('datasets.video') are in its layer, and may import each other (without cycles)
LAYERS = {'tasks': 0, 'parallel': 0, 'loss': 1, 'data': 1, 'models': 1, 'metric': 2, 'callbacks': 2, 'baselines': 3, 'weighting': 3,
          'learner': 4, 'dense': 4, 'tabular': 4, 'training': 4, 'tune': 4, 'datasets': 5, 'demo': 5, 'all': 5}

def layer(m:str) -> int|None:
    "The layer of module `m`: its own, or its package's ('datasets.video' → `LAYERS['datasets']`)"
    return LAYERS.get(m, LAYERS.get(m.split('.')[0]))

def test_layer_order():
    "Each module imports modules of its own layer or below; `fastai_fixes` (outside the layers) imports below `datasets` and nothing imports it"
    assert set(LAYERS) | {'fastai_fixes'} == {m.split('.')[0] for m in MODULES}, "a module is missing from LAYERS (and from DESIGN.md's table)"
    assert all(layer(m) is not None for m in MODULES if m != 'fastai_fixes')
    g = import_graph()
    up = [(m, d) for m, deps in g.items() if layer(m) is not None for d in deps if layer(d) is not None and layer(d) > layer(m)]
    assert not up, f"imports that point up the layers (module → module above it): {up}"
    assert all(layer(d) < 5 for d in g['fastai_fixes']), g['fastai_fixes']
    assert not [m for m, deps in g.items() if 'fastai_fixes' in deps], "only fastmtl/__init__ imports fastai_fixes"

def test_no_cycle():
    g, done, path = import_graph(), set(), []
    def visit(m):
        if m in path: pytest.fail(f"import cycle: {' → '.join(path[path.index(m):] + [m])}")
        if m in done: return
        path.append(m)
        for d in g[m]: visit(d)
        path.pop(); done.add(m)
    for m in MODULES: visit(m)

def test_no_private_import():
    bad = [(m, d, n) for m, deps in import_graph().items() for d, names in deps.items() for n in names
           if n.startswith('_') and n != '*']
    assert not bad, f"private names imported from another fastmtl module: {bad}"

def _private_members() -> dict:
    "{private method or class attribute name: the modules whose classes define it}"
    defined = {}
    for m in MODULES:
        for node in ast.walk(ast.parse(FILES[m].read_text())):
            if not isinstance(node, ast.ClassDef): continue
            for b in node.body:
                names = [b.name] if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)) else \
                        [t.id for t in getattr(b, 'targets', []) if isinstance(t, ast.Name)]
                for n in names:
                    if n.startswith('_') and not n.startswith('__'): defined.setdefault(n, set()).add(m)
    return defined

def test_no_private_attribute_across_modules():
    "No module reads a private method or attribute that another module's class defines (`lf._who(i)`): what modules share is public"
    defined, bad = _private_members(), set()
    for m in MODULES:
        for node in ast.walk(ast.parse(FILES[m].read_text())):
            if isinstance(node, ast.Attribute) and node.attr in defined and m not in defined[node.attr]:
                bad.add((m, node.attr, tuple(sorted(defined[node.attr]))))
    assert not bad, f"private members used outside the module that defines them (module, name, defined in): {sorted(bad)}"

def test_no_side_effect_import():
    "At import time, only `fastmtl/__init__` imports a fastmtl module for its side effects (the fixes), and `all` its modules"
    bad = [(m, d) for m, deps in import_graph(in_functions=False).items() for d, names in deps.items() if not names and m != 'all']
    assert not bad, bad

def test_package_reexports():
    "A package (`fastmtl.datasets`) re-exports every public name of its modules: `from fastmtl.datasets import digits` works"
    for pkg in PACKAGES:
        subs = [m for m in MODULES if m.startswith(pkg + '.')]
        assert subs, pkg
        code = (f"import importlib\np = importlib.import_module('fastmtl.{pkg}')\n"
                f"for s in {subs!r}:\n    m = importlib.import_module('fastmtl.' + s)\n"
                "    missing = [n for n in m.__all__ if n not in p.__all__ or getattr(p, n) is not getattr(m, n)]\n"
                "    assert not missing, (s, missing)\n"
                "print(len(p.__all__), len(set(p.__all__)))")
        n, distinct = _run(code).split()
        assert n == distinct, f"fastmtl.{pkg}: two modules export the same name"

def _run(code:str) -> str:
    "stdout of `code` run in a fresh Python process; a failure shows its stderr"
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout

@pytest.mark.parametrize('mod', MODULES)
def test_imports_alone(mod):
    "Each module imports on its own in a fresh process, whatever is imported first"
    _run(f'import fastmtl.{mod}')

def test_init_applies_fixes():
    "Importing any part of fastmtl applies the fastai fixes (e.g. `from fastmtl.loss import CombinedLoss` alone)"
    code = ("from fastmtl.loss import CombinedLoss\nfrom fastai.basics import Learner, AvgLoss\n"
            "print(Learner.predict.__module__, Learner._call_one.__module__, AvgLoss.accumulate.__module__)")
    assert set(_run(code).split()) == {'fastmtl.fastai_fixes'}

def test_init_registers_show():
    "Importing any part of fastmtl registers its `show_batch` for several targets on fastai's dispatcher"
    code = ("import fastmtl.parallel\nfrom fastai.vision.all import show_batch\n"
            "print(sorted({m.implementation.__module__ for m in show_batch.methods}))")
    assert "'fastmtl.data'" in _run(code).splitlines()[-1]
