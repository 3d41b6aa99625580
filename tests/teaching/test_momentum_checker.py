"""The chapter 6 exercise checker for one momentum step (teaching.chapter_checkers)."""
import pytest

from backprop_lib.teaching.chapter_checkers import check_momentum_step


def test_momentum_checker_passes_the_book_update():
    result = check_momentum_step(lambda p, v, g, lr, mu: (p + (mu * v - lr * g), mu * v - lr * g))
    assert result and "Correct" in result.message


def test_momentum_checker_explains_mistakes():
    forgot_v = check_momentum_step(lambda p, v, g, lr, mu: (p - lr * g, -lr * g))
    assert not forgot_v and "Step 2" in forgot_v.message and "old velocity" in forgot_v.message
    torch = check_momentum_step(lambda p, v, g, lr, mu: (p - lr * (mu * v + g), mu * v + g))
    assert not torch and "PyTorch convention" in torch.message
    wrong_p = check_momentum_step(lambda p, v, g, lr, mu: (p - lr * g, mu * v - lr * g))
    assert not wrong_p and "p_new should be p + v_new" in wrong_p.message
    raises = check_momentum_step(lambda p, v, g, lr, mu: 1 / 0)
    assert not raises and "ZeroDivisionError" in raises.message
    single = check_momentum_step(lambda p, v, g, lr, mu: p)
    assert not single and "Return a pair" in single.message
    with pytest.raises(TypeError, match="momentum_step"):
        check_momentum_step("not a function")
