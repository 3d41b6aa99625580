"""What the chapters need to teach rather than to compute: numbers for the prose, verdicts and
the exercise checkers that return them.

Glue helpers (:mod:`~backprop_lib.teaching.prose`): ``ChapterGlue``, ``above``, ``below``,
``rounded``, ``shown``.  Verdicts (:mod:`~backprop_lib.teaching.verdicts`): ``CheckResult``,
``PASS``, ``FAIL``.  Checkers, each comparing a learner's code with a trusted reference
(:mod:`~backprop_lib.teaching.checkers`, :mod:`~backprop_lib.teaching.backward_check`,
:mod:`~backprop_lib.teaching.chapter_checkers`).

Import order: ``prose`` and ``verdicts`` import nothing from the library, so
``backprop_lib.nn.train`` (which prints with ``prose.shown``) can import this package; the
checkers import ``nn`` and ``experiments`` modules, none of which imports ``nn.train``.
"""
from backprop_lib.teaching.prose import ChapterGlue, above, below, rounded, shown
from backprop_lib.teaching.verdicts import FAIL, PASS, CheckResult
from backprop_lib.teaching.checkers import check_arrays, check_derivative, check_jacobian
from backprop_lib.teaching.backward_check import check_backward
from backprop_lib.teaching.chapter_checkers import (check_init_std, check_layer_norm_backward,
                                                    check_momentum_step, check_paper_gradients)

__all__ = ["ChapterGlue", "above", "below", "rounded", "shown",
           "CheckResult", "PASS", "FAIL",
           "check_arrays", "check_derivative", "check_jacobian", "check_backward",
           "check_init_std", "check_layer_norm_backward", "check_momentum_step",
           "check_paper_gradients"]
