"The task weightings the benchmarks compare, by name: each entry makes the callbacks for one `Learner`"
from fastmtl.weighting import *
from torchjd.aggregation import UPGrad
import torch, torchjd.scalarization as tjs

STRATEGIES = {
    'equal weighting': lambda: [],
    "UncertaintyWeighting(init='loss')": lambda: [UncertaintyWeighting(init='loss')],
    'DynamicWeightAverage': lambda: [DynamicWeightAverage()],
    'RandomLossWeighting': lambda: [RandomLossWeighting()],
    'GeometricLossStrategy': lambda: [GeometricLossStrategy()],
    'GradNorm': lambda: [GradNorm()],
    'FAMO': lambda: [FAMO()],
    "GradientAggregation(UPGrad, 'features')": lambda: [GradientAggregation(UPGrad(), mode='features')],
    "GradientAggregation(UPGrad, 'params')": lambda: [GradientAggregation(UPGrad(), mode='params')],
    'STCH': lambda: [STCH()],
    'DualBalancing (DB-MTL)': lambda: [DualBalancing()],
}

# torchjd's scalarizers that fastmtl has no strategy of its own for, through `Scalarization` (preference vectors all ones); kept
# apart from STRATEGIES, which the weighting tutorial trains one by one, and added to them by the two benchmarks
SCALARIZERS = {
    'Scalarization(IMTLL)': lambda: [Scalarization(tjs.IMTLL)],
    'Scalarization(COSMOS(λ=1))': lambda: [Scalarization(lambda n: tjs.COSMOS(1., torch.ones(n)))],
    'Scalarization(PBI(θ=5))': lambda: [Scalarization(lambda n: tjs.PBI(5., torch.ones(n)))],
}

# FAMO, GLS and STCH with loss floors (issue 24): every task's loss floored at 0.01 (a cross-entropy at which the right class
# has 99 %), so that a solved task's weight stops growing; trained by the quality benchmark only
BOUNDED = {
    'FAMO(min_losses=0.01)': lambda: [FAMO(min_losses=0.01)],
    'GeometricLossStrategy(min_losses=0.01)': lambda: [GeometricLossStrategy(min_losses=0.01)],
    'STCH(min_losses=0.01)': lambda: [STCH(min_losses=0.01)],
    # floors on each loss's own scale: 30 % of each task's loss at the first training step
    'GeometricLossStrategy(min_losses=FloorShare(0.3))': lambda: [GeometricLossStrategy(min_losses=FloorShare(0.3))],
    'STCH(min_losses=FloorShare(0.3))': lambda: [STCH(min_losses=FloorShare(0.3))],
}
