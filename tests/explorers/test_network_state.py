"""The network explorer's pure state: it reproduces the published 2-3-1 numbers, matches a scalar
hand computation and central differences for every activation, stays finite at extreme settings,
and refuses bad input with a useful message."""
import numpy as np
import pytest
from helpers import hand_pass, unpack

from backprop_lib.data.worked_231 import params_231, parameter_names, xy_231
from backprop_lib.explorers.network_state import (ETA_RANGE, HISTORY_MAX, INPUT_LIMIT, NETWORK_ACTIVATIONS,
                                                  PARAM_LIMIT, NetworkSession, relative_history)


def random_state(rng, act, scale=1.5):
    s = NetworkSession.published()
    for key, idx, _ in parameter_names():
        s.set_param(key, idx, rng.uniform(-scale, scale))
    s.set_input(0, rng.uniform(-2, 2))
    s.set_input(1, rng.uniform(-2, 2))
    s.set_target(rng.uniform(-1, 1))
    s.set_activation(act)
    return s


def test_published_setting_is_the_course_brief_example():
    s = NetworkSession.published()
    x, y = xy_231()
    assert np.array_equal(s.x, x) and [[s.y]] == y.tolist() and s.activation == "sigmoid"
    for key, value in params_231().items():
        assert np.array_equal(s.params[key], value)


def test_reproduces_the_published_numbers():
    snap = NetworkSession.published().compute()
    c, g = snap.cache, snap.grads
    assert np.allclose(c["z1"][:, 0], [0.3775, 0.3925, 0.4075], atol=1e-12)
    assert np.allclose(c["a1"][:, 0], [0.593270, 0.596884, 0.600488], atol=5e-7)
    assert c["z2"][0, 0] == pytest.approx(1.406150, abs=5e-7)
    assert snap.output == pytest.approx(0.803158, abs=5e-7)
    assert snap.loss == pytest.approx(0.314550, abs=5e-7)
    assert g["delta2"][0, 0] == pytest.approx(0.125394, abs=5e-7)
    assert np.allclose(g["delta1"][:, 0], [0.012103, 0.013577, 0.015041], atol=5e-7)
    assert np.allclose(g["W2"][0], [0.074393, 0.074846, 0.075298], atol=5e-7)
    assert g["W1"][0, 0] == pytest.approx(0.00060516, abs=5e-9)
    assert np.allclose(g["W1"], np.outer(g["delta1"][:, 0], [0.05, 0.10]), rtol=1e-14)   # BP3
    assert np.array_equal(g["b1"], g["delta1"]) and np.array_equal(g["b2"], g["delta2"])  # BP4
    assert snap.message == ""


def test_one_step_with_eta_half_gives_the_published_output_and_loss():
    s = NetworkSession.published()
    assert s.eta == 0.5
    after = s.step()
    assert after.output == pytest.approx(0.781491, abs=5e-7)
    assert after.loss == pytest.approx(0.297599, abs=5e-7)
    assert s.history == [pytest.approx(0.314550, abs=5e-7), after.loss] and s.steps == 1
    # every one of the 13 parameters moved by exactly -eta * gradient
    start = NetworkSession.published()
    g = start.compute().grads
    for key in ("W1", "b1", "W2", "b2"):
        assert np.allclose(s.params[key], start.params[key] - 0.5 * g[key], rtol=0, atol=1e-15)


@pytest.mark.parametrize("act", NETWORK_ACTIVATIONS)
def test_matches_a_scalar_hand_computation(act):
    rng = np.random.default_rng({"sigmoid": 1, "tanh": 2, "relu": 3}[act])
    for _ in range(5):
        s = random_state(rng, act)
        snap = s.compute()
        L, a1, a2, d1, d2, gW1, gW2 = hand_pass(*unpack(s), act)
        assert snap.loss == pytest.approx(L, rel=1e-12, abs=1e-15)
        assert snap.output == pytest.approx(a2, rel=1e-12, abs=1e-15)
        assert np.allclose(snap.cache["a1"][:, 0], a1, rtol=1e-12, atol=1e-15)
        assert np.allclose(snap.grads["delta1"][:, 0], d1, rtol=1e-10, atol=1e-15)
        assert snap.grads["delta2"][0, 0] == pytest.approx(d2, rel=1e-10, abs=1e-15)
        assert np.allclose(snap.grads["W1"], gW1, rtol=1e-10, atol=1e-15)
        assert np.allclose(snap.grads["W2"][0], gW2, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("act", NETWORK_ACTIVATIONS)
def test_gradients_match_central_differences(act):
    rng = np.random.default_rng(10 + NETWORK_ACTIVATIONS.index(act))
    s = random_state(rng, act)
    snap = s.compute()
    h = 1e-6
    for key, idx, name in parameter_names():
        def loss_at(v):
            t = NetworkSession(params={k: a.copy() for k, a in s.params.items()}, x=s.x.copy(), y=s.y,
                              activation=act)
            t.params[key][idx] = v
            return hand_pass(*unpack(t), act)[0]
        v0 = s.params[key][idx]
        fd = (loss_at(v0 + h) - loss_at(v0 - h)) / (2 * h)
        assert snap.grads[key][idx] == pytest.approx(fd, rel=1e-5, abs=1e-8), name


@pytest.mark.parametrize("act", NETWORK_ACTIVATIONS)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_extreme_settings_stay_finite_and_are_explained(act, sign):
    s = NetworkSession.published()
    s.set_activation(act)
    for key, idx, _ in parameter_names():
        assert s.set_param(key, idx, sign * 1e9) == sign * PARAM_LIMIT      # clipped to the slider range
    assert s.set_input(0, 1e300) == INPUT_LIMIT and s.set_input(1, -1e300) == -INPUT_LIMIT
    assert s.set_target(-7.0) == -INPUT_LIMIT
    assert s.set_eta(1e6) == ETA_RANGE[1]
    snaps = [s.compute()] + [s.step() for _ in range(HISTORY_MAX + 5)]
    for snap in snaps:
        numbers = [snap.loss, *snap.cache.values(), *snap.grads.values(), *snap.params.values()]
        assert all(np.all(np.isfinite(v)) for v in numbers)
        assert all(np.all(np.abs(p) <= PARAM_LIMIT) for p in snap.params.values())
        assert "nan" not in snap.table() and "inf" not in snap.table()
    assert len(s.history) == HISTORY_MAX + 1 and s.steps == HISTORY_MAX + 5
    if act != "relu":                     # |z| >= 5 * 3 - 5 * 3 + 5 ... : saturated units are named
        assert "saturated" in snaps[0].message
    elif sign < 0:                        # z^(2) = -5 * sum(a1) - 5 < 0: the ReLU output is off
        assert "output unit is inactive" in snaps[0].message


def test_messages_name_dead_and_saturated_units():
    s = NetworkSession.published()
    s.set_activation("relu")
    s.set_param("b1", (1, 0), -1.0)       # z^(1)_2 = 0.25*0.05 + 0.30*0.10 - 1 < 0
    snap = s.compute()
    assert "hidden unit(s) 2 inactive" in snap.message
    assert snap.grads["delta1"][1, 0] == 0.0 and np.all(snap.grads["W1"][1] == 0.0)
    s.set_param("b2", (0, 0), -5.0)       # z^(2) < 0: the output unit is off
    snap = s.compute()
    assert "output unit is inactive" in snap.message
    assert all(np.all(snap.grads[k] == 0.0) for k in ("W1", "b1", "W2", "b2"))
    s = NetworkSession.published()
    s.set_param("b1", (2, 0), 5.0)
    s.set_param("W1", (2, 1), 5.0)        # z^(1)_3 = 0.35*0.05 + 5*0.10 + 5 > 5
    assert "saturated unit(s) hidden 3" in s.compute().message


def test_step_clipping_is_reported():
    s = NetworkSession.published()
    s.set_param("b2", (0, 0), 4.99)
    s.set_target(-3.0)
    s.set_eta(5.0)
    s.step()
    # sigmoid: dL/db2 = (a2 - y) a2 (1 - a2) with a2 ~ 0.997, y = -3: b2 moves by about 5 * 4 * 0.003
    assert not s.clipped and 4.8 < s.params["b2"][0, 0] < 4.99 and "limit" not in s.compute().message
    s2 = NetworkSession.published()
    s2.set_activation("relu")
    s2.set_param("b2", (0, 0), 5.0)
    s2.set_eta(5.0)
    s2.step()                             # relu: dL/db2 = a2 - y > 5, so b2 - 5 * 5 < -5
    assert s2.clipped and s2.params["b2"][0, 0] == -PARAM_LIMIT
    assert "against the limit" in s2.compute().message


def test_reset_and_history_rules():
    s = NetworkSession.published()
    s.set_eta(0.7)
    s.step()
    s.step()
    assert len(s.history) == 3 and s.steps == 2
    s.set_eta(0.2)                        # eta is not a change of the network: history kept
    assert len(s.history) == 3
    s.set_param("W2", (0, 0), 0.9)        # a hand-made change starts a new history
    assert s.history == [] and s.steps == 0
    s.set_activation("tanh")
    s.reset()
    assert s.activation == "sigmoid" and s.eta == 0.2 and s.history == []
    assert s.compute().loss == pytest.approx(0.314550, abs=5e-7)


def test_snapshot_does_not_change_when_the_state_moves_on():
    s = NetworkSession.published()
    snap = s.compute()
    s.set_input(0, 2.0)
    s.set_param("W1", (0, 0), 2.0)
    assert snap.cache["a0"][0, 0] == 0.05 and snap.params["W1"][0, 0] == 0.15


def test_tables_are_fixed_format():
    snap = NetworkSession.published().compute()
    table = snap.parameter_table()
    assert len(table.rows) == 13
    assert table.rows[0] == ("W⁽¹⁾₁₁", "0.150000", "0.000605")
    assert table.rows[-1] == ("b⁽²⁾₁", "0.600000", "0.125394")
    assert snap.parameter_table(ascii=True).rows[0][0] == "W(1)_11"
    assert snap.parameter_table(precision=8).rows[0][2] == "0.00060516"
    text = snap.table()
    assert "a(2) = 0.803158,  L = 0.314550" in text and "delta(2) = 0.125394" in text
    assert "delta(1) = (0.012103, 0.013577, 0.015041)" in text and "W(2)_13" in text
    assert text.isascii()


def test_compared_tables_refuse_the_ties_of_relu_but_the_widget_shows_them():
    s = NetworkSession.published()
    s.set_activation("relu")
    snap = s.compute()
    # with ReLU every number is a short decimal: dL/db(1)_3 = delta(1)_3 = 0.5 * 1.121375 = 0.5606875
    with pytest.raises(ValueError, match="rounding tie"):
        snap.parameter_table()
    with pytest.raises(ValueError, match="rounding tie"):
        snap.table()
    unchecked = snap.parameter_table(check_ties=False)          # what the live widget shows
    assert unchecked.rows[8][:2] == ("b⁽¹⁾₃", "0.350000") and unchecked.rows[8][2] in ("0.560687", "0.560688")


def test_relative_history():
    steps, ratios, off = relative_history([0.4, 0.2, 0.6, 0.1])
    assert steps.tolist() == [0, 1, 2, 3] and np.allclose(ratios, [1.0, 0.5, 1.25, 0.25]) and off
    assert relative_history([0.0, 0.0])[1].tolist() == [1.0, 1.0]
    assert relative_history([])[0].size == 0
    with pytest.raises(ValueError, match="finite losses >= 0"):
        relative_history([0.3, float("nan")])
    with pytest.raises(ValueError, match="finite losses >= 0"):
        relative_history([[0.3]])


def test_bad_input_is_refused_with_a_useful_message():
    s = NetworkSession.published()
    with pytest.raises(ValueError, match="unknown parameter 'W3'"):
        s.set_param("W3", (0, 0), 1.0)
    with pytest.raises(ValueError, match="index for W1 must be a pair"):
        s.set_param("W1", (3, 0), 1.0)
    with pytest.raises(ValueError, match="index for b2 must be a pair"):
        s.set_param("b2", 0, 1.0)
    with pytest.raises(TypeError, match="must be a real number"):
        s.set_param("W1", (0, 0), "0.3")
    with pytest.raises(ValueError, match="must be finite"):
        s.set_param("W1", (0, 0), float("nan"))
    with pytest.raises(ValueError, match="input index must be the integer 0 or 1"):
        s.set_input(2, 0.1)
    with pytest.raises(ValueError, match="input index must be the integer 0 or 1"):
        s.set_input(1.0, 0.1)
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        s.set_activation("softmax")
    with pytest.raises(ValueError, match="eta must be finite"):
        s.set_eta(float("inf"))
    with pytest.raises(TypeError, match="y must be a real number"):
        s.set_target(None)
