"""Exercise checkers (right and wrong answers), the teaching API, the widget guard and the timing
helpers."""
import subprocess
import sys

import numpy as np
import pytest

from backprop_lib.teaching.checkers import check_arrays, check_derivative
from backprop_lib.experiments.timing import loglog_slope, median_time
from backprop_lib.explorers.base import safe_call


def f(x):
    return (2 * x + 1) ** 3


def test_check_derivative_accepts_the_right_answer():
    result = check_derivative(lambda x: 6 * (2 * x + 1) ** 2, f)
    assert result and "Correct" in repr(result)


@pytest.mark.parametrize("wrong,hint", [
    (lambda x: 3 * (2 * x + 1) ** 2, "factor of"),           # forgot the inner derivative 2
    (lambda x: -6 * (2 * x + 1) ** 2, "sign is flipped"),
    (lambda x: (2 * x + 1) ** 2, "Not yet"),
    (lambda x: 1 / 0, "ZeroDivisionError"),
    (lambda x: "six", "should return one number"),
    (lambda x: float("nan"), "nan"),
])
def test_check_derivative_explains_wrong_answers(wrong, hint):
    result = check_derivative(wrong, f)
    assert not result
    assert hint in result.message


def test_check_derivative_uses_given_points_and_checks_arguments():
    assert check_derivative(lambda x: 2 * x, lambda x: x * x, points=[0.0, 1.0, -3.0])
    with pytest.raises(ValueError, match="low < high"):
        check_derivative(lambda x: 0.0, lambda x: 0.0, low=1.0, high=0.0)
    with pytest.raises(TypeError):
        check_derivative(3, f)


def test_check_arrays_names_the_bad_key_and_the_factor():
    ref = {"W1": np.array([[1.0, 2.0], [3.0, 4.0]]), "b1": np.array([[1.0], [1.0]])}
    assert check_arrays({k: v.copy() for k, v in ref.items()}, ref)
    r = check_arrays({"W1": ref["W1"] * 4, "b1": ref["b1"]}, ref)
    assert not r and "'W1' is off" in r.message and "4 times" in r.message
    r = check_arrays({"W1": ref["W1"].T, "b1": ref["b1"]}, ref)
    assert "transpose" in r.message
    r = check_arrays({"W1": ref["W1"], "b1": np.ones(2)}, ref)
    assert "'b1' has shape (2,), expected (2, 1)" in r.message
    r = check_arrays({"W1": ref["W1"]}, ref)
    assert "no 'b1'" in r.message
    assert "Expected a dict" in check_arrays([1, 2], ref).message


def test_safe_call_reports_instead_of_raising():
    seen = []
    assert safe_call(lambda: 1 / 0, on_error=seen.append) is None
    assert seen == ["ZeroDivisionError: division by zero"]
    assert safe_call(lambda a, b=1: a + b, 2, b=3) == 5


def test_loglog_slope_recovers_a_power_law():
    x = np.array([1.0, 10.0, 100.0])
    assert loglog_slope(x, 3 * x**2) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="positive"):
        loglog_slope([1.0, 2.0], [0.0, 1.0])


def test_median_time_returns_a_positive_number_and_checks_arguments():
    assert median_time(lambda: sum(range(10)), repeat=3) > 0  # behaviour only, no threshold
    with pytest.raises(TypeError):
        median_time(5)


def test_figure_image_redraws_the_same_figure_in_place():
    from matplotlib.figure import Figure

    from backprop_lib.explorers.base import FigureImage

    fig = Figure(figsize=(2, 2))
    line, = fig.add_subplot().plot([0, 1], [0, 1])
    view = FigureImage(fig, alt="a line")
    first = bytes(view.widget.value)
    assert first.startswith(b"\x89PNG")
    line.set_data([0, 1], [1, 0])
    view.refresh()
    assert view.figure is fig and bytes(view.widget.value) != first


def test_teaching_exports_the_glue_verdicts_and_every_checker():
    import backprop_lib.teaching as teaching
    from backprop_lib.teaching import (backward_check, chapter_checkers, checkers, graph_checkers,
                                       network_checkers, prose, training_checkers, verdicts)

    homes = {"ChapterGlue": prose, "above": prose, "below": prose, "rounded": prose,
             "shown": prose, "CheckResult": verdicts, "PASS": verdicts, "FAIL": verdicts,
             "check_arrays": checkers, "check_derivative": checkers, "check_jacobian": checkers,
             "check_backward": backward_check, "check_init_std": chapter_checkers,
             "check_layer_norm_backward": chapter_checkers,
             "check_momentum_step": chapter_checkers, "check_paper_gradients": chapter_checkers,
             "TODO": verdicts, "learner_call": verdicts, "learner_number": verdicts,
             "not_attempted": verdicts}
    homes.update({name: graph_checkers for name in ("check_affine_backward", "check_central_step",
                                                    "check_max_gate", "check_value_op")})
    homes.update({name: network_checkers for name in ("check_bp1_sigmoid_bce", "check_gd_step",
                                                      "check_numerical_gradient", "check_ranking",
                                                      "check_w13_deltas")})
    homes.update({name: training_checkers for name in ("check_best_lr", "check_clip",
                                                       "check_minibatches", "check_paper_delta",
                                                       "check_symmetry_targets")})
    assert sorted(teaching.__all__) == sorted(homes)
    for name, module in homes.items():
        assert getattr(teaching, name) is getattr(module, name), name


@pytest.mark.parametrize("first", ["backprop_lib.nn.train", "backprop_lib.teaching",
                                   "backprop_lib.teaching.tables",
                                   "backprop_lib.teaching.chapter_checkers",
                                   "backprop_lib.experiments.init_sweep", "backprop_lib"])
def test_no_import_cycle_whichever_module_comes_first(first):
    # nn.train imports teaching.prose, and teaching's __init__ imports checkers that import nn:
    # a fresh interpreter must manage every order
    code = (f"import {first}\nimport backprop_lib.nn.train as t\n"
            "from backprop_lib.teaching import check_momentum_step, shown\n"
            "assert t.shown is shown and callable(check_momentum_step)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
