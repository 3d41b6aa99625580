"""Multiply-add counts checked by hand on tiny networks, and the timing helpers' contracts."""
import math

import numpy as np
import pytest

from backprop_lib import MLP
from backprop_lib.experiments.compute_cost import (PassTimes, backward_multiply_adds, cache_floats, checkpointed_cache_floats,
                               count_table, finite_difference_multiply_adds, forward_multiply_adds, num_params,
                               time_finite_differences, time_passes)


def test_counts_of_a_2_3_1_network_by_hand():
    # forward: W1 (3x2) a0 -> 6, W2 (1x3) a1 -> 3: 9 multiply-adds per example
    assert forward_multiply_adds([2, 3, 1]) == 9
    assert forward_multiply_adds([2, 3, 1], batch=4) == 36
    # backward: BP3 for both layers (6 + 3) and BP2 for layer 1 only, W2^T delta2 (3)
    assert backward_multiply_adds([2, 3, 1]) == 12
    assert backward_multiply_adds([2, 3, 1], input_gradient=True) == 18   # + W1^T delta1 (6)
    # P = 3 * (2 + 1) + 1 * (3 + 1) = 13; finite differences: 2 * 13 forward passes of 9
    assert num_params([2, 3, 1]) == 13
    assert finite_difference_multiply_adds([2, 3, 1]) == 234


def test_counts_of_a_deeper_network_by_hand():
    sizes = [4, 5, 2, 3]          # products 20, 10, 6
    assert forward_multiply_adds(sizes, 2) == 72
    assert backward_multiply_adds(sizes, 2) == 72 + (10 + 6) * 2
    assert num_params(sizes) == 25 + 12 + 9


@pytest.mark.parametrize("sizes", [[1, 1], [3, 7, 2], [10, 4, 4, 4, 1], [784, 128, 64, 10]])
def test_backward_is_at_most_twice_forward_and_exactly_twice_with_the_input_gradient(sizes):
    f = forward_multiply_adds(sizes, 3)
    assert backward_multiply_adds(sizes, 3) == 2 * f - sizes[0] * sizes[1] * 3
    assert backward_multiply_adds(sizes, 3, input_gradient=True) == 2 * f


def test_counts_match_the_shapes_of_the_matrix_products_actually_used():
    # independent count: the inner dimension times the output size of every product in a run
    net = MLP([3, 6, 4, 2], seed=0)
    B = 5
    _, cache = net.forward(np.ones((3, B)))
    fwd = sum(net.params[f"W{l}"].size * cache[f"a{l - 1}"].shape[1] for l in range(1, 4))
    assert forward_multiply_adds(net.sizes, B) == fwd
    assert num_params(net.sizes) == net.num_params


def test_count_table_is_fixed_format():
    table = count_table([[2, 3, 1], [784, 128, 64, 10]], batch=1)
    lines = table.splitlines()
    assert len(lines) == 3 and "bwd/fwd" in lines[0]
    assert "1.333" in lines[1] and "109,386" in lines[2]
    wide = count_table([[2, 3, 1], [784, 128, 64, 10], [256] * 5], batch=1)
    assert max(len(line) for line in wide.splitlines()) <= 79   # a notebook's output line


def test_timing_helpers_return_positive_finite_times():
    t = time_passes([3, 4, 2], batch=4, repeat=2)
    assert isinstance(t, PassTimes) and t.sizes == (3, 4, 2) and t.batch == 4
    assert all(math.isfinite(v) and v > 0 for v in (t.forward, t.backward, t.ratio))
    assert time_finite_differences([2, 2, 1], batch=2) > 0


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="at least two layer widths"):
        forward_multiply_adds([5])
    with pytest.raises(ValueError, match="at least two layer widths"):
        num_params("784-10")
    with pytest.raises(ValueError, match=r"sizes\[1\] must be a positive integer"):
        backward_multiply_adds([3, 0, 1])
    with pytest.raises(TypeError, match="batch must be a positive integer"):
        forward_multiply_adds([2, 3, 1], batch=2.5)
    with pytest.raises(TypeError, match="input_gradient must be True or False"):
        backward_multiply_adds([2, 3, 1], input_gradient="yes")
    with pytest.raises(ValueError, match="batch must be a positive integer"):
        count_table([[2, 1]], batch=0)


def test_count_table_columns_stay_aligned_for_long_size_lists():
    table = count_table([[2, 3, 1], [256] * 5, [4] * 12], batch=1)
    lines = table.splitlines()
    assert len({len(line) for line in lines}) == 1          # every row as wide as the header
    p_end = lines[0].index("P") + 1
    assert lines[1][:p_end].endswith("13")                     # P of [2, 3, 1], by hand: 9 + 4
    assert lines[3][:p_end].endswith("220")                    # 11 layers of 4 * (4 + 1)


def test_cache_floats_is_what_the_forward_cache_of_an_mlp_holds():
    net = MLP([3, 6, 4, 2], seed=0)
    _, cache = net.forward(np.ones((3, 5)))
    assert cache_floats(net.sizes, 5) == sum(v.size for v in cache.values())
    assert cache_floats([2, 3, 1], 1) == 2 + 2 * (3 + 1)          # by hand: a0, z1, a1, z2, a2


def test_checkpointing_counts_by_hand():
    # 4 layers of width 10, batch 2, 2 segments (layers 1-2, 3-4): keep a^(0) and a^(2),
    # recompute one segment's z and a (2 * 2 layers * 10)
    sizes = [10] * 5
    assert checkpointed_cache_floats(sizes, 2, segments=2) == 2 * (10 + 10 + 2 * 20)
    assert checkpointed_cache_floats(sizes, 2, segments=1) == cache_floats(sizes, 2)
    # one segment per layer: every input kept, one layer's z and a recomputed at a time
    assert checkpointed_cache_floats(sizes, 1, segments=4) == 4 * 10 + 2 * 10
    # deep and equal widths: sqrt(L) segments (the default) keep far fewer numbers
    deep = [256] * 65                                               # L = 64, 8 segments of 8
    assert checkpointed_cache_floats(deep, 64) == 64 * (8 * 256 + 2 * 8 * 256)
    assert checkpointed_cache_floats(deep, 64) < cache_floats(deep, 64) / 5
    with pytest.raises(ValueError, match="at most the number of layers"):
        checkpointed_cache_floats([3, 4, 2], segments=3)
