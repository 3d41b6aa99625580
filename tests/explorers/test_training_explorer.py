"""The training explorer: the pure session (numbers the view shows) and the thin widget view."""
import numpy as np
import pytest

from backprop_lib import MLP, spiral
from backprop_lib.viz.boundary import boundary_grid
from backprop_lib.explorers.training_explorer import (DATASETS, GRID, TrainingExplorer, TrainingSession,
                                                      TrainingSnapshot)
from backprop_lib.nn.train import accuracy, train


def test_session_numbers_equal_the_library_training():
    session = TrainingSession("spiral", lr=0.5, momentum=0.8, hidden=8, activation="tanh", seed=2)
    snap = session.step(5)
    snap = session.step(7)     # continues with the same velocity: 12 epochs in all
    X, Y = spiral(n_per_class=100, seed=0)
    net = MLP([2, 8, 3], "tanh", "softmax", "softmax_ce", "xavier", seed=2)
    out, cache = net.forward(X)
    first = net.loss(out, Y, cache)
    hist = train(net, X, Y, epochs=12, lr=0.5, momentum=0.8)
    np.testing.assert_allclose(snap.losses, [first] + hist.loss, rtol=1e-12)
    np.testing.assert_allclose(snap.grad_norms, hist.grad_norm_array(), rtol=1e-12)
    assert snap.epoch == 12 and snap.accuracy == accuracy(net, X, Y)
    np.testing.assert_array_equal(snap.classes, boundary_grid(net, session.extent, GRID).classes)
    assert f"loss {hist.loss[-1]:.6f}" in snap.summary()


def test_summary_fits_a_79_character_line():
    snap = TrainingSnapshot(9999, 0.123456, 0.9933, np.zeros(3), np.array([[1.234e-3, 2.345e-3]]),
                    np.zeros((GRID, GRID), dtype=int), "")
    assert snap.summary() == ("epoch 9999: loss 0.123456, accuracy 0.9933, "
                              "||dL/dW^(l)||: 1.234e-03, 2.345e-03")
    assert len(snap.summary()) <= 79


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_every_dataset_trains_without_nan(dataset, activation):
    snap = TrainingSession(dataset, lr=0.3, momentum=0.5, hidden=4, activation=activation).step(20)
    assert np.all(np.isfinite(snap.losses)) and np.isfinite(snap.accuracy)
    assert snap.classes.shape == (GRID, GRID) and snap.losses[-1] < snap.losses[0]


def test_extreme_controls_are_clipped_and_never_show_nan():
    session = TrainingSession("spiral", lr=1e9, momentum=5.0, hidden=10**6, activation="relu")
    assert (session.lr, session.momentum, session.hidden) == (10.0, 0.99, 64)
    snap = session.step(60)
    assert "controls clipped" in snap.message
    assert np.all(np.isfinite(snap.losses)) and np.all(np.isfinite(snap.grad_norms))
    assert "nan" not in snap.summary().lower() and "inf" not in snap.summary().lower()
    tiny = TrainingSession("xor", lr=-3.0, momentum=-1.0, hidden=0, activation="sigmoid")
    assert (tiny.lr, tiny.momentum, tiny.hidden) == (1e-3, 0.0, 1)


def test_a_diverged_session_stops_and_says_so():
    session = TrainingSession("blobs", lr=1.0, momentum=0.9, hidden=4, activation="tanh")
    session.diverged = True            # as after an overflow: further steps do nothing
    session.losses.append(np.inf)
    session.grad_norms.append(np.array([np.inf, np.inf]))
    snap = session.step(5)
    assert session.epoch == 1 and "diverged" in snap.message
    assert np.all(np.isfinite(snap.losses)) and "accuracy -" in snap.summary()


def test_session_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown dataset 'moons'"):
        TrainingSession("moons")
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        TrainingSession(activation="softmax")
    with pytest.raises(TypeError, match="hidden must be an integer"):
        TrainingSession(hidden=2.5)
    with pytest.raises(ValueError, match="lr must be finite"):
        TrainingSession(lr=float("nan"))


def test_view_buttons_controls_and_status():
    ex = TrainingExplorer(dataset="xor", lr=1.0, momentum=0.9, hidden=8, run_epochs=50, chunk=25)
    first = ex.image.widget.value
    assert first[:4] == b"\x89PNG"
    ex.buttons["step"].click()
    assert ex.session.epoch == 10 and ex.status.value.startswith("epoch 10:")
    assert ex.image.widget.value != first
    ex.buttons["run"].click()
    assert ex.session.epoch == 60 and ex.max_epoch == 100      # epoch axis doubled from 50
    ex.controls["dataset"].value = "spiral"                     # a control change resets
    assert ex.session.epoch == 0 and ex.session.dataset == "spiral"
    assert "nan" not in ex.status.value.lower()
    ex.controls["lr"].value = 10.0
    ex.buttons["run"].click()
    assert "nan" not in ex.status.value.lower()


def test_view_reports_errors_instead_of_raising():
    ex = TrainingExplorer(dataset="blobs", run_epochs=20)
    ex.session = None                    # any failure inside a callback becomes a status message
    ex.buttons["step"].click()
    assert ex.status.value.startswith("<code>AttributeError")


def test_blit_image_draws_the_animated_artists_over_the_background():
    import io

    from matplotlib.figure import Figure
    from PIL import Image

    from backprop_lib.explorers.blit import BlitFigureImage

    fig = Figure(figsize=(2, 2), dpi=50)
    ax = fig.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    (line,) = ax.plot([0, 1], [0.5, 0.5], color="red", lw=6, animated=True)
    image = BlitFigureImage(fig, [line])

    def red_pixels():
        rgb = np.asarray(Image.open(io.BytesIO(image.widget.value)).convert("RGB")).astype(int)
        return int(np.sum((rgb[..., 0] > 200) & (rgb[..., 1] < 60) & (rgb[..., 2] < 60)))
    assert red_pixels() > 0                      # the animated line is drawn
    line.set_data([], [])
    image.refresh()
    assert red_pixels() == 0                     # and erased: the background has no trace of it


def test_blitted_frame_matches_a_full_redraw_after_training():
    """The decision regions are an animated image: a background cached with the epoch-0 regions
    in it would show both sets of regions (more colours than classes) after training."""
    from helpers import assert_blit_matches_full_redraw
    from matplotlib.colors import to_rgb

    import matplotlib

    from backprop_lib.viz.style import use_course_style

    with matplotlib.rc_context():
        use_course_style()                         # as in the chapter (its grid, its fonts)
        view = TrainingExplorer("spiral", lr=1.0, momentum=0.9, hidden=16, activation="tanh")
    view.advance(60)
    # the regions image is drawn over the boundary panel's spines (a 1-pixel frame, 0.3 % of the
    # pixels), which a full redraw draws on top of it: the only difference allowed
    assert_blit_matches_full_redraw(view.image, max_differ=0.004)
    view.advance(60)                               # and again, from the cached background
    assert_blit_matches_full_redraw(view.image, max_differ=0.004)
    frame = view.image.render_rgba()[..., :3].astype(int)
    h, box = frame.shape[0], view.ax_b.get_window_extent()
    inner = frame[int(h - box.y1) + 3:int(h - box.y0) - 3, int(box.x0) + 3:int(box.x1) - 3]
    colours, counts = np.unique(inner.reshape(-1, 3), axis=0, return_counts=True)
    clusters = []                                  # colours within 4 levels are one (resampling)
    # a region covers > 5 % of the panel; a class's points (solid at 2x density) about 3 %
    for colour in colours[counts > 0.05 * counts.sum()]:
        if not any(np.max(np.abs(colour - c)) <= 4 for c in clusters):
            clusters.append(colour)
    assert len(clusters) == 3, clusters            # one region colour per class, none mixed
