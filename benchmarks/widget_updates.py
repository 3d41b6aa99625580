"""One update of each chapter's explorer (compute + redraw), driven headlessly.

Each entry builds an explorer once and returns a function that performs one control change and
the redraw it triggers (the same observers a slider move runs in JupyterLab); benchmarks/run.py
reports the median milliseconds per call. Values alternate so every call really changes something.
"""
from __future__ import annotations

import itertools


def _toggle(widget, a, b):
    values = itertools.cycle([b, a])
    return lambda: setattr(widget, "value", next(values))


def chain_rule():  # chapter 1: move x
    from backprop_lib.explorers.chain_rule import ChainRuleExplorer
    ex = ChainRuleExplorer("nested", x=1.0)
    return _toggle(ex.x, 1.0, 1.25)


def backward_stepper():  # chapter 2: move a
    from backprop_lib.explorers.backward_stepper import BackwardStepper
    ex = BackwardStepper(a=2.0, b=1.0, step=3)
    return _toggle(ex.a, 2.0, 2.5)


def equation_explorer():  # chapter 3: pick another unit
    from backprop_lib.explorers.equation_explorer import EquationExplorer
    ex = EquationExplorer(layer=1, unit=0)
    return _toggle(ex.unit, 1, 2)        # the slider numbers units from 1


def network_explorer():  # chapter 4: move one weight of the 2-3-1 network
    from backprop_lib.explorers.network_explorer import NetworkExplorer
    ex = NetworkExplorer()
    slider = next(iter(ex.param_sliders.values()))
    return _toggle(slider, slider.value, slider.value + 0.1)


def gradient_flow_explorer():  # chapter 5: change the depth
    from backprop_lib.explorers.gradient_flow_explorer import GradientFlowExplorer
    ex = GradientFlowExplorer(depth=20)
    return _toggle(ex.depth, 20, 21)


def training_explorer():  # chapter 6: the "step (10 epochs)" button: train and redraw
    from backprop_lib.explorers.training_explorer import TrainingExplorer
    ex = TrainingExplorer()
    return ex.buttons["step"].click


EXPLORER_UPDATES: dict = {f.__name__: f for f in (chain_rule, backward_stepper, equation_explorer,
                                                   network_explorer, gradient_flow_explorer, training_explorer)}
