"""The symmetry explorer shows the precomputed runs as they are, and its seed control never raises."""
import numpy as np
import pytest

from backprop_lib.experiments import symmetry1986 as sym
from backprop_lib.explorers.symmetry_explorer import SymmetryExplorer, symmetry_run


@pytest.fixture(scope="module")
def result():
    return sym.train_symmetry_runs([3, 4, 5], sweeps=60)


def test_run_is_the_trained_run_of_that_seed(result):
    run = symmetry_run(result, 4)
    assert run.seed == 4 and run.index == 1
    np.testing.assert_array_equal(run.W1, result["params"]["W1"][1])
    np.testing.assert_array_equal(run.error, result["error"][:, 1])
    assert run.converged_at == result["converged_at"][1]


def test_an_untrained_seed_shows_the_nearest_trained_one(result):
    assert symmetry_run(result, 100).seed == 5 and symmetry_run(result, -7).seed == 3


def test_summary_names_the_outcome_and_fits_79_characters():
    error = np.full((11, 1), 4.0)
    W1 = np.array([[1.0, 2.0, 4.0, -4.0, -2.0, -1.0], [-1.0, -2.0, -4.0, 4.0, 2.0, 1.0]])
    stuck = {"seeds": [7], "params": {"W1": W1[None]}, "converged_at": np.array([-1]),
             "error": error}
    assert symmetry_run(stuck, 7).summary() == ("seed 7: not converged in 10 sweeps, "
                                                "final E 4.0000")
    done = dict(stuck, converged_at=np.array([9]))
    lines = symmetry_run(done, 7).summary().splitlines()
    assert lines[0] == "seed 7: converged after 9 sweeps, final E 4.0000"
    assert lines[1].startswith("mirror ratios 1 : 2.00 : 4.00, antisymmetry 0e+00")
    assert max(map(len, lines)) <= 79


def test_bad_input_is_refused_clearly(result):
    with pytest.raises(TypeError, match="train_symmetry_runs"):
        symmetry_run({"seeds": [1]}, 1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        symmetry_run(result, 1.5)


def test_the_view_follows_the_slider_and_never_raises(result):
    view = SymmetryExplorer(result, seed=5)
    assert view.seed.value == 5
    first = view.image.widget.value
    view.seed.value = 3
    assert view.image.widget.value != first
    np.testing.assert_array_equal(view.line.get_ydata(), result["error"][:, 0])
    heights = [b.get_height() for b in view.bars[0]]
    np.testing.assert_array_equal(heights, result["params"]["W1"][0][0])
    assert "seed 3" in view.status.value and "<code>" not in view.status.value
