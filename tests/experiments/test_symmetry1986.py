"""The 1986 symmetry experiment: data, gradients, and agreement with MLP + SGD."""
import itertools

import numpy as np
import pytest

from backprop_lib.experiments.symmetry1986 import (antisymmetry, init_params, mirror_ratios, patterns,
                                       summed_gradients, train_symmetry_runs, train_with_mlp)


def stack(*ps):
    return {k: np.stack([p[k] for p in ps]) for k in ps[0]}


def test_64_patterns_8_symmetric():
    X, d = patterns()
    assert X.shape == (6, 64) and d.shape == (1, 64)
    assert len({tuple(c) for c in X.T}) == 64
    sym = [bits for bits in itertools.product([0, 1], repeat=6) if bits == bits[::-1]]
    assert len(sym) == 8 == int(d.sum())
    assert {tuple(int(v) for v in c) for c, t in zip(X.T, d[0]) if t == 1} == set(sym)


def test_gradients_match_central_differences():
    X, d = patterns()
    params = stack(init_params(3, scale=2.0), init_params(4, scale=2.0))
    _, E, grads = summed_gradients(params, X, d)
    h = 1e-6
    for k, p in params.items():
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            Ep = summed_gradients(params, X, d)[1][idx[0]]
            p[idx] = old - h
            Em = summed_gradients(params, X, d)[1][idx[0]]
            p[idx] = old
            assert grads[k][idx] == pytest.approx((Ep - Em) / (2 * h), rel=1e-5, abs=1e-7), (k, idx)
    # the error is a sum over patterns: 64 times MLP's batch-mean loss
    assert E[0] == pytest.approx(0.5 * np.sum((summed_gradients(params, X, d)[0][0] - d) ** 2))


def test_batched_training_equals_mlp_plus_sgd():
    res = train_symmetry_runs([5, 11], sweeps=40)
    for i, seed in enumerate([5, 11]):
        net = train_with_mlp(seed, sweeps=40)
        for k in net.params:
            np.testing.assert_allclose(res["params"][k][i], net.params[k], rtol=1e-10, atol=1e-12)


def test_hand_built_solution_with_ratio_1_2_4_solves_the_task():
    k, K = 20.0, 20.0
    w = np.array([1.0, 2.0, 4.0, -4.0, -2.0, -1.0])
    p = {"W1": (k * np.stack([w, -w]))[None], "b1": np.full((1, 2, 1), -k / 2),
         "W2": np.full((1, 1, 2), -K), "b2": np.full((1, 1, 1), K / 2)}
    X, d = patterns()
    y = summed_gradients(p, X, d)[0]
    assert np.abs(y - d).max() < 0.1
    np.testing.assert_allclose(mirror_ratios(p["W1"][0]), [[1, 2, 4], [1, 2, 4]])
    assert antisymmetry(p["W1"][0]) == 0.0


def test_converged_at_means_every_output_within_tol():
    res = train_symmetry_runs(range(4), sweeps=3000)
    for s, t in enumerate(res["converged_at"]):
        if t >= 0:
            assert res["max_dev"][t, s] < 0.1 and (t == 0 or res["max_dev"][:t, s].min() >= 0.1)
        else:
            assert res["max_dev"][:, s].min() >= 0.1
    assert np.isfinite(res["error"]).all()


def test_init_is_uniform_in_range_and_seeded():
    p = init_params(0)
    assert all(np.abs(v).max() <= 0.3 for v in p.values())
    np.testing.assert_array_equal(init_params(0)["W1"], p["W1"])


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="at least one integer seed"):
        train_symmetry_runs([], 10)
    with pytest.raises(ValueError, match="sweeps must be a positive integer"):
        train_symmetry_runs([0], 0)
    with pytest.raises(ValueError, match=r"momentum must lie in \[0, 1\)"):
        train_symmetry_runs([0], 5, momentum=1.0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        init_params("zero")
    with pytest.raises(ValueError, match=r"W1 must have shape \(2, 6\)"):
        mirror_ratios(np.zeros((6, 2)))
    with pytest.raises(ValueError, match=r"W1 must have shape \(2, 6\)"):
        antisymmetry(np.zeros(6))


def test_half_sum_gap_and_1_2_4_by_hand():
    from backprop_lib.experiments.symmetry1986 import half_sum_gap, matches_1_2_4
    w124 = np.array([[1.0, 2, 4, -4, -2, -1], [-2, -4, -8, 8, 4, 2]])
    # subset sums of {1, 2, 4} are 0..7: smallest gap 1, largest weight 4
    np.testing.assert_allclose(half_sum_gap(w124), [0.25, 0.25])
    assert matches_1_2_4(w124)
    w123 = np.array([[1.0, 2, 3, -3, -2, -1], [2, 3, 4, -4, -3, -2]])
    # 1 + 2 = 3 collides (gap 0); {2, 3, 4} sums 0,2,3,4,5,6,7,9 are distinct (gap 1 / 4)
    np.testing.assert_allclose(half_sum_gap(w123), [0.0, 0.25])
    assert not matches_1_2_4(w123)
    with pytest.raises(ValueError, match=r"W1 must have shape \(2, 6\)"):
        half_sum_gap(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="rtol must be > 0"):
        matches_1_2_4(w124, rtol=0.0)


def test_exercise_checker_accepts_the_sum_and_names_the_factor_for_the_mean():
    from backprop_lib.teaching.chapter_checkers import check_paper_gradients
    good = check_paper_gradients(lambda net, X, d: {k: X.shape[1] * g for k, g in
                                                    net.loss_and_gradients(X, d)[1].items()})
    assert good.passed and "match" in good.message
    mean = check_paper_gradients(lambda net, X, d: net.loss_and_gradients(X, d)[1])
    assert not mean.passed and "0.01562" in mean.message      # 1/64 = 0.015625
    boom = check_paper_gradients(lambda net, X, d: 1 / 0)
    assert not boom.passed and "ZeroDivisionError" in boom.message
    with pytest.raises(TypeError, match="needs a function"):
        check_paper_gradients("not a function")


def test_first_below_by_hand_and_agrees_with_converged_at():
    from backprop_lib.experiments.symmetry1986 import first_below
    m = np.array([[0.9, 0.9], [0.4, 0.9], [0.05, 0.6]])
    assert first_below(m, 0.5).tolist() == [1, -1]
    assert first_below(m, 0.1).tolist() == [2, -1]
    res = train_symmetry_runs(range(3), sweeps=1500)
    np.testing.assert_array_equal(first_below(res["max_dev"], 0.1), res["converged_at"])
    with pytest.raises(ValueError, match=r"\(sweeps \+ 1, S\)"):
        first_below(np.zeros(3), 0.1)
