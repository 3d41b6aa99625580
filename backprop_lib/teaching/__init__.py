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
from backprop_lib.teaching.verdicts import (FAIL, PASS, TODO, CheckResult, learner_call, learner_number,
                                            not_attempted)
from backprop_lib.teaching.checkers import check_arrays, check_derivative, check_jacobian
from backprop_lib.teaching.backward_check import check_backward
from backprop_lib.teaching.chapter_checkers import (check_init_std, check_layer_norm_backward,
                                                    check_momentum_step, check_paper_gradients)
from backprop_lib.teaching.graph_checkers import (check_affine_backward, check_central_step,
                                                  check_max_gate, check_value_op)
from backprop_lib.teaching.network_checkers import (check_bp1_sigmoid_bce, check_gd_step,
                                                    check_numerical_gradient, check_ranking,
                                                    check_w13_deltas)
from backprop_lib.teaching.training_checkers import (check_best_lr, check_clip, check_minibatches,
                                                     check_paper_delta, check_symmetry_targets)

__all__ = ["ChapterGlue", "above", "below", "rounded", "shown",
           "CheckResult", "PASS", "FAIL", "TODO", "learner_call", "learner_number",
           "not_attempted",
           "check_arrays", "check_derivative", "check_jacobian", "check_backward",
           "check_init_std", "check_layer_norm_backward", "check_momentum_step",
           "check_paper_gradients", "check_affine_backward", "check_central_step",
           "check_max_gate", "check_value_op", "check_bp1_sigmoid_bce", "check_gd_step",
           "check_numerical_gradient", "check_ranking", "check_w13_deltas", "check_best_lr",
           "check_clip", "check_minibatches", "check_paper_delta", "check_symmetry_targets"]
