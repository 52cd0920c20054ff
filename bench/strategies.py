"The task weightings the benchmarks compare, by name: each entry makes the callbacks for one `Learner`"
from fastmtl.weighting import *
from torchjd.aggregation import UPGrad

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
