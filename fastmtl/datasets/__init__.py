"""Small datasets written to disk from data that installed packages ship, no download ever: one module a domain.

`cache` (where datasets go, and the one helper that writes them once), `images`, `video`, `scene` and `tables`. This
file is written by hand (nbdev exports the modules, not it): it re-exports every public name of the modules, so that
`from fastmtl.datasets import digits` and `fastmtl.datasets.digits` work whichever module a name lives in.

Docs: https://fastmtl.github.io/fastmtl/datasets.html.md"""
import sys
from .cache import *
from .images import *
from .video import *
from .scene import *
from .tables import *

__all__ = [n for m in ('cache', 'images', 'video', 'scene', 'tables') for n in sys.modules[f'{__name__}.{m}'].__all__]
