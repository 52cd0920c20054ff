__version__ = "2.0.0"

# Imported once here, whatever part of fastmtl is imported first (the only imports made for their side effects):
from . import fastai_fixes   # every change fastmtl makes to fastai's own behaviour
from . import data           # fastmtl's show_batch/show_results methods (clips, several targets) on fastai's dispatchers
