"""The family-trees task: the data, and the bespoke backward pass against autograd and finite differences."""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from backprop_lib.experiments import family_trees as ft


def test_counts_104_queries_24_people_12_relations():
    P, R, T, queries = ft.dataset()
    assert P.shape == (24, 104) and R.shape == (12, 104) and T.shape == (24, 104)
    assert len(ft.PEOPLE) == len(set(ft.PEOPLE)) == 24 and len(ft.RELATIONS) == 12
    assert (P.sum(0) == 1).all() and (R.sum(0) == 1).all() and (T.sum(0) >= 1).all()
    assert len(set(queries)) == 104
    assert int(T.sum()) == len(ft.triples()) == 112  # 8 queries (uncle/aunt) have two answers


def test_facts_by_hand():
    facts = set(ft.triples())
    assert {b for a, r, b in facts if (a, r) == ("Colin", "aunt")} == {"Jennifer", "Margaret"}
    assert {b for a, r, b in facts if (a, r) == ("Charlotte", "uncle")} == {"Arthur", "Charles"}
    assert ("Penelope", "husband", "Christopher") in facts
    assert ("Victoria", "son", "Colin") in facts and ("James", "daughter", "Charlotte") in facts
    assert ("Jennifer", "brother", "James") in facts and ("Margaret", "nephew", "Colin") in facts
    assert not any(a == b for a, _, b in facts)


def test_the_two_trees_are_isomorphic():
    to_it = dict(zip(ft.ENGLISH, ft.ITALIAN))
    facts = set(ft.triples())
    english = {f for f in facts if f[0] in to_it}
    italian = facts - english
    assert len(english) == len(italian) == 56
    assert {(to_it[a], r, to_it[b]) for a, r, b in english} == italian


def _autograd_error(flat, shapes, P, R, T):
    p, i = {}, 0
    for k, s in shapes.items():
        n = int(np.prod(s))
        p[k] = flat[i:i + n].reshape(s)
        i += n
    sig = lambda z: 1 / (1 + anp.exp(-z))
    a = sig(anp.dot(p["Wp"], P) + p["bp"])
    r = sig(anp.dot(p["Wr"], R) + p["br"])
    h = sig(anp.dot(p["Wh1"], a) + anp.dot(p["Wh2"], r) + p["bh"])
    o = sig(anp.dot(p["Wo"], h) + p["bo"])
    y = sig(anp.dot(p["Wy"], o) + p["by"])
    return 0.5 * anp.sum((y - T) ** 2)


def test_backward_matches_autograd_and_central_differences():
    P, R, T, _ = ft.dataset()
    cols = np.arange(0, 104, 7)
    P, R, T = P[:, cols], R[:, cols], T[:, cols]
    params = ft.init_params(1, scale=1.5)
    y, cache = ft.forward(params, P, R)
    grads = ft.backward(params, cache, T, margin=None)
    flat = np.concatenate([params[k].ravel() for k in ft.SHAPES])
    assert ft.error(y, T, margin=None) == pytest.approx(_autograd_error(flat, ft.SHAPES, P, R, T))
    auto = autograd.grad(_autograd_error)(flat, ft.SHAPES, P, R, T)
    mine = np.concatenate([grads[k].ravel() for k in ft.SHAPES])
    np.testing.assert_allclose(mine, auto, rtol=1e-9, atol=1e-12)
    rng = np.random.default_rng(0)
    for k in ft.SHAPES:                       # a few entries of every array by central differences
        for _ in range(3):
            idx = tuple(rng.integers(0, n) for n in ft.SHAPES[k])
            old, h = params[k][idx], 1e-6
            params[k][idx] = old + h
            Ep = ft.error(ft.forward(params, P, R)[0], T, margin=None)
            params[k][idx] = old - h
            Em = ft.error(ft.forward(params, P, R)[0], T, margin=None)
            params[k][idx] = old
            assert grads[k][idx] == pytest.approx((Ep - Em) / (2 * h), rel=1e-5, abs=1e-8), (k, idx)


def test_correct_needs_every_answer_on_and_every_other_unit_off():
    T = np.zeros((24, 3)); T[[1, 2], 0] = 1; T[3, 1] = 1; T[4, 2] = 1
    y = np.full((24, 3), 0.1)
    y[[1, 2], 0] = 0.9               # both answers on: right
    y[3, 1], y[5, 1] = 0.9, 0.6      # a wrong unit also on: wrong
    y[4, 2] = 0.4                    # answer below 0.5: wrong
    assert ft.correct(y, T).tolist() == [True, False, False]


def test_margin_zeroes_the_error_of_units_already_past_it():
    T = np.zeros((24, 2)); T[0, 0] = T[1, 1] = 1
    y = np.full((24, 2), 0.1); y[0, 0] = 0.9; y[1, 1] = 0.5; y[2, 0] = 0.3
    r = ft.residual(y, T)
    expected = np.zeros((24, 2)); expected[1, 1] = -0.5; expected[2, 0] = 0.3   # by hand
    np.testing.assert_allclose(r, expected)
    assert ft.error(y, T) == pytest.approx(0.5 * (0.25 + 0.09))
    assert ft.error(y, T, margin=None) == pytest.approx(0.5 * (0.01 * 45 + 0.01 + 0.25 + 0.09 + 0.01 * 0))


def test_margin_gradient_matches_central_differences_away_from_the_kinks():
    P, R, T, _ = ft.dataset()
    params = ft.init_params(2, scale=2.0)
    y, cache = ft.forward(params, P, R)
    g = ft.backward(params, cache, T)
    k, idx, h = "Wo", (1, 3), 1e-7
    old = params[k][idx]
    params[k][idx] = old + h; Ep = ft.error(ft.forward(params, P, R)[0], T)
    params[k][idx] = old - h; Em = ft.error(ft.forward(params, P, R)[0], T)
    assert g[k][idx] == pytest.approx((Ep - Em) / (2 * h), rel=1e-4)


def test_stacked_runs_equal_separate_runs_and_mask_equals_dropping_columns():
    P, R, T, _ = ft.dataset()
    a, b = ft.init_params(0), ft.init_params(1)
    stacked = {k: np.stack([a[k], b[k]]) for k in ft.SHAPES}
    ys, cs = ft.forward(stacked, P, R)
    mask = np.ones((2, 1, 104)); mask[1, 0, :4] = 0
    gs = ft.backward(stacked, cs, T, weight=mask)
    for i, p in enumerate((a, b)):
        cols = np.arange(104) if i == 0 else np.arange(4, 104)
        y, c = ft.forward(p, P[:, cols], R[:, cols])
        np.testing.assert_allclose(ys[i][:, cols], y, rtol=1e-12)
        g = ft.backward(p, c, T[:, cols])
        for k in ft.SHAPES:
            np.testing.assert_allclose(gs[k][i], g[k], rtol=1e-10, atol=1e-13)


def test_training_lowers_the_error_and_decay_shrinks_weights():
    res = ft.train_family_trees([0, 1], sweeps=60, schedule=((None, 0.01, 0.9),), decay=0.0, scale=1.0)
    assert (res["error"][-1] < res["error"][0]).all()
    assert res["error"].shape == (60, 2) and res["test_sets"].shape == (2, 4)
    assert (res["train_correct"] <= 100).all() and (res["test_correct"] <= 4).all()
    a = ft.train_family_trees(0, [[]], sweeps=5, schedule=((None, 1e-12, 0.0),),
                              decay=0.1)["params"]["Wp"][0]
    np.testing.assert_allclose(a, ft.init_params(0)["Wp"] * 0.9 ** 5, rtol=1e-6)


def test_schedule_phases_follow_the_paper_update_by_hand():
    # Δw(t) = −ε ∂E/∂w + α Δw(t−1), (ε, α) switching at sweep 3, then w *= 1 − decay
    P, R, T, _ = ft.dataset()
    p = ft.init_params(0)
    v = {k: np.zeros_like(w) for k, w in p.items()}
    for t in range(6):
        eps, alpha = (0.01, 0.5) if t < 3 else (0.02, 0.9)
        _, cache = ft.forward(p, P, R)
        g = ft.backward(p, cache, T)
        for k in p:
            v[k] = alpha * v[k] - eps * g[k]
            p[k] = (p[k] + v[k]) * (1 - 0.01)
    res = ft.train_family_trees(0, [[]], sweeps=6, schedule=((3, 0.01, 0.5), (None, 0.02, 0.9)),
                                decay=0.01)
    for k in p:
        np.testing.assert_allclose(res["params"][k][0], p[k], rtol=1e-12, atol=1e-15)


def test_a_zero_momentum_phase_still_leaves_its_step_as_the_velocity():
    P, R, T, _ = ft.dataset()
    p = ft.init_params(0)
    v = {k: np.zeros_like(w) for k, w in p.items()}
    for t in range(4):
        eps, alpha = (0.01, 0.0) if t < 2 else (0.02, 0.9)
        _, cache = ft.forward(p, P, R)
        g = ft.backward(p, cache, T)
        for k in p:
            v[k] = alpha * v[k] - eps * g[k]
            p[k] = p[k] + v[k]
    res = ft.train_family_trees(0, [[]], sweeps=4, schedule=((2, 0.01, 0.0), (None, 0.02, 0.9)),
                                decay=0.0)
    for k in p:
        np.testing.assert_allclose(res["params"][k][0], p[k], rtol=1e-12, atol=1e-15)


def test_bad_schedules_are_refused_before_training():
    with pytest.raises(ValueError, match="the last with until_sweep None"):
        ft.train_family_trees(0, schedule=((20, 0.005, 0.5),))
    with pytest.raises(ValueError, match="lr must be > 0"):
        ft.train_family_trees(0, schedule=((20, 0.005, 0.5), (None, -0.1, 0.9)))
    with pytest.raises(ValueError, match=r"momentum must lie in \[0, 1\)"):
        ft.train_family_trees(0, schedule=((None, 0.005, 1.0),))


def test_held_out_sets_are_four_distinct_queries_and_seeded():
    t = ft.held_out(3)
    assert t.shape == (4,) and len(set(t.tolist())) == 4 and 0 <= t.min() and t.max() < 104
    np.testing.assert_array_equal(t, ft.held_out(3))


def test_bad_input_is_refused():
    P, R, T, _ = ft.dataset()
    with pytest.raises(ValueError, match="must have 24 rows"):
        ft.forward(ft.init_params(0), P[:5], R)
    with pytest.raises(ValueError, match="must have 104 columns"):
        ft.forward(ft.init_params(0), P, R[:, :3])
    with pytest.raises(ValueError, match=r"params needs arrays Wy\(24, 6\)"):
        ft.forward({k: v for k, v in ft.init_params(0).items() if k != "Wy"}, P, R)
    with pytest.raises(ValueError, match="distinct column indices in 0..103"):
        ft.train_family_trees(0, [[0, 200]])
    with pytest.raises(ValueError, match="one test set per seed"):
        ft.train_family_trees([0, 1], [[0, 1]])
    with pytest.raises(ValueError, match="at least one integer seed"):
        ft.train_family_trees([])
    with pytest.raises(ValueError, match=r"decay must lie in \[0, 1\)"):
        ft.train_family_trees(0, decay=1.5)
    with pytest.raises(ValueError, match="margin must be"):
        ft.residual(np.zeros((24, 1)), np.zeros((24, 1)), margin=(0.8, 0.2))
    with pytest.raises(TypeError, match="seed must be an integer"):
        ft.init_params(1.5)
