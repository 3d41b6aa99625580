"""Losses: values by hand, gradients against central differences, targets checked, saturation safe."""
import warnings

import numpy as np
import pytest

from backprop_lib import LOSSES, get_loss, sigmoid, softmax


def test_mse_has_the_half_and_averages_over_the_batch():
    a = np.array([[1.0, 2.0], [0.0, 0.0]])
    Y = np.array([[0.0, 0.0], [0.0, 2.0]])
    # per example: 1/2*(1) = 0.5 and 1/2*(4 + 4) = 4.0 -> mean 2.25
    assert get_loss("mse").value(a, Y) == pytest.approx(2.25)


def test_bce_sums_over_units_and_averages_over_batch():
    a = np.array([[0.8, 0.4], [0.5, 0.9]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    per = [-(np.log(0.8) + np.log(0.5)), -(np.log(0.6) + np.log(0.9))]
    assert get_loss("bce").value(a, Y) == pytest.approx(np.mean(per))


def test_softmax_ce_is_minus_log_of_the_true_class():
    p = np.array([[0.7, 0.1], [0.2, 0.3], [0.1, 0.6]])
    Y = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    assert get_loss("softmax_ce").value(p, Y) == pytest.approx(-(np.log(0.7) + np.log(0.6)) / 2)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_grad_a_matches_central_differences(name, rng):
    a = rng.uniform(0.1, 0.9, size=(3, 4))
    Y = np.eye(3)[:, [0, 2, 1, 1]] if name != "mse" else rng.normal(size=(3, 4))
    loss = get_loss(name)
    h = 1e-6
    numeric = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        e = np.zeros_like(a)
        e[idx] = h
        # per-example gradient = B * d(batch mean)/da
        numeric[idx] = a.shape[1] * (loss.value(a + e, Y) - loss.value(a - e, Y)) / (2 * h)
    np.testing.assert_allclose(loss.grad_a(a, Y), numeric, rtol=1e-6, atol=1e-8)


def test_logits_forms_equal_probability_forms_where_both_are_accurate(rng):
    z = rng.normal(size=(1, 5))
    Y = (rng.uniform(size=(1, 5)) > 0.5).astype(float)
    bce = get_loss("bce")
    assert bce.value_from_logits(z, Y) == pytest.approx(bce.value(sigmoid(z), Y), rel=1e-12)
    z3 = rng.normal(size=(3, 5))
    Y3 = np.eye(3)[:, [0, 1, 2, 2, 1]]
    ce = get_loss("softmax_ce")
    assert ce.value_from_logits(z3, Y3) == pytest.approx(ce.value(softmax(z3), Y3), rel=1e-12)


@pytest.mark.parametrize("big", [1000.0, 1e4])
def test_saturated_losses_are_finite_and_silent(big):
    z = np.array([[big, -big, big, -big]])
    Y = np.array([[1.0, 0.0, 0.0, 1.0]])  # two confident right, two confident wrong
    z3 = np.array([[big, -big], [0.0, 0.0], [-big, big]])
    Y3 = np.array([[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            values = [get_loss("bce").value(sigmoid(z), Y), get_loss("bce").value_from_logits(z, Y),
                      get_loss("softmax_ce").value(softmax(z3), Y3),
                      get_loss("softmax_ce").value_from_logits(z3, Y3),
                      *get_loss("bce").grad_a(sigmoid(z), Y).ravel(),
                      *get_loss("softmax_ce").grad_a(softmax(z3), Y3).ravel()]
    assert np.all(np.isfinite(values))
    # from logits the value is exact: two confident mistakes cost |z| each, averaged over 4
    assert get_loss("bce").value_from_logits(z, Y) == pytest.approx(2 * big / 4)
    assert get_loss("softmax_ce").value_from_logits(z3, Y3) == pytest.approx(2 * big)


def test_bce_targets_outside_unit_interval_are_refused():
    with pytest.raises(ValueError, match=r"bce targets must lie in \[0, 1\].*-0\.5"):
        get_loss("bce").validate_targets(np.array([[0.0, -0.5, 1.0]]))


def test_softmax_targets_must_be_distributions():
    with pytest.raises(ValueError, match=r"one-hot.*column 1 sums to 2"):
        get_loss("softmax_ce").validate_targets(np.array([[1.0, 1.0], [0.0, 1.0]]))


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown loss 'cross_entropy'.*'bce'.*'mse'.*'softmax_ce'"):
        get_loss("cross_entropy")
