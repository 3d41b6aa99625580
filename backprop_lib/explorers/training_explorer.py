"""Training explorer: watch a small network learn a 2-D dataset (xor, blobs, spiral).

:class:`TrainingSession` is pure and tested: it clips the controls to their ranges, builds the
network, and trains it full-batch with :func:`backprop_lib.nn.train.train` (SGD with momentum),
keeping the loss curve and the per-layer gradient norms ||dL/dW^(l)||;
:meth:`TrainingSession.snapshot` returns what the view shows, a :class:`TrainingSnapshot`.
:class:`TrainingExplorer` is the thin ipywidgets view: one figure (boundary, loss curve, gradient
norms) built once and updated in place; run/step/reset buttons.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import finite_scalar, valid_name
from backprop_lib.data.toy import blobs, spiral, xor
from backprop_lib.explorers import static_page
from backprop_lib.explorers.base import ExplorerView, clip, reader_value
from backprop_lib.explorers.blit import BlitFigureImage
from backprop_lib.nn.mlp import MLP
from backprop_lib.nn.optim import SGD
from backprop_lib.nn.train import accuracy, train
from backprop_lib.viz.boundary import CLASS_COLORS, boundary_grid, grid_extent, target_classes
from backprop_lib.viz.style import FORWARD, GRADIENT

DATASETS = {
    "xor": lambda: xor(repeats=25, noise=0.15, seed=0),
    "blobs": lambda: blobs(n=200, separation=3.0, seed=0),
    "spiral": lambda: spiral(n_per_class=100, seed=0),
}
TRAINING_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
LR_RANGE, MOMENTUM_RANGE, WIDTH_RANGE = (1e-3, 10.0), (0.0, 0.99), (1, 64)
GRID = 60
LOSS_LIMITS, NORM_LIMITS = (1e-4, 1e2), (1e-6, 1e2)  # fixed log axes of the view (values clipped)
STATIC_EPOCH_STEP = 20   # the static page's frames: epochs 0, 20, ..., run_epochs (and the chapter's)


@dataclass(frozen=True)
class TrainingSnapshot:
    """What the explorer shows after ``epoch`` full-batch steps."""

    epoch: int
    loss: float
    accuracy: float
    losses: np.ndarray        # (epoch + 1,): loss before training, then after every step
    grad_norms: np.ndarray    # (epoch, L): ||dL/dW^(l)|| at every step
    classes: np.ndarray       # (GRID, GRID) predicted class on the boundary grid
    message: str

    def summary(self) -> str:
        norms = ", ".join(f"{g:.3e}" for g in self.grad_norms[-1]) if len(self.grad_norms) else "-"
        acc = "-" if np.isnan(self.accuracy) else f"{self.accuracy:.4f}"
        text = (f"epoch {self.epoch}: loss {self.loss:.6f}, accuracy {acc}, "
                f"||dL/dW^(l)||: {norms}")
        return text + (f"\n{self.message}" if self.message else "")


class TrainingSession:
    """A network on one dataset and its optimiser; ``step(n)`` trains n more full-batch epochs."""

    def __init__(self, dataset: str = "spiral", lr: float = 1.0, momentum: float = 0.9,
                 hidden: int = 16, activation: str = "tanh", seed: int = 0):
        valid_name(dataset, DATASETS, "dataset")
        valid_name(activation, TRAINING_ACTIVATIONS, "activation")
        lr, momentum = finite_scalar(lr, "lr"), finite_scalar(momentum, "momentum")
        if isinstance(hidden, bool) or not isinstance(hidden, (int, np.integer)):
            raise TypeError(f"hidden must be an integer width, got {hidden!r}")
        self.lr = clip(lr, *LR_RANGE)
        self.momentum = clip(momentum, *MOMENTUM_RANGE)
        self.hidden = int(clip(hidden, *WIDTH_RANGE))
        notes = []
        if (self.lr, self.momentum, self.hidden) != (lr, momentum, hidden):
            notes.append(f"controls clipped to lr {self.lr:g}, momentum {self.momentum:g}, width {self.hidden}")
        self.dataset, self.activation, self.seed = dataset, activation, seed
        self.X, self.Y = DATASETS[dataset]()
        multi = self.Y.shape[0] > 1
        init = "he" if "relu" in activation else "xavier"
        self.net = MLP([2, self.hidden, self.Y.shape[0]], activation, "softmax" if multi else "sigmoid",
                       "softmax_ce" if multi else "bce", init, seed=seed)
        self.optimizer = SGD(self.net.params, lr=self.lr, momentum=self.momentum)
        self.extent = grid_extent(self.X, margin=0.3)
        out, cache = self.net.forward(self.X)
        self.losses = [self.net.loss(out, self.Y, cache)]
        self.grad_norms: list[np.ndarray] = []
        self.diverged = False
        self.notes = notes

    @property
    def epoch(self) -> int:
        return len(self.grad_norms)

    def step(self, epochs: int = 1) -> TrainingSnapshot:
        """Train ``epochs`` more full-batch steps (nothing once diverged); return the snapshot."""
        if not self.diverged:
            hist = train(self.net, self.X, self.Y, epochs=epochs, lr=self.lr, optimizer=self.optimizer)
            self.losses += hist.loss
            self.grad_norms += hist.grad_norms
            self.diverged = hist.diverged
        return self.snapshot()

    def snapshot(self) -> TrainingSnapshot:
        notes = list(self.notes)
        if self.diverged:
            notes.append(f"diverged at epoch {self.epoch}: the loss overflowed; lower the learning rate and reset")
            losses = np.array(self.losses[:-1])  # the last entry is inf or > 1e6: not shown
            classes = np.zeros((GRID, GRID), dtype=int)
            acc = float("nan")
        else:
            losses = np.array(self.losses)
            classes = boundary_grid(self.net, self.extent, GRID).classes
            acc = accuracy(self.net, self.X, self.Y)
        norms = np.array(self.grad_norms[:len(losses) - 1]).reshape(-1, self.net.num_layers)
        return TrainingSnapshot(len(losses) - 1, float(losses[-1]), acc, losses, norms, classes, "; ".join(notes))


class TrainingExplorer(ExplorerView):
    """Dataset, learning rate, momentum, width and activation controls; run / step / reset.

    The loss and gradient-norm panels have fixed log axes (``LOSS_LIMITS``, ``NORM_LIMITS``) and an
    epoch axis that doubles when a run outgrows it, so most updates redraw only the curves.
    """

    def __init__(self, dataset: str = "spiral", lr: float = 1.0, momentum: float = 0.9, hidden: int = 16,
                 activation: str = "tanh", run_epochs: int = 300, chunk: int = 25):
        import ipywidgets as widgets

        self.run_epochs, self.chunk, self.max_epoch = run_epochs, chunk, run_epochs
        self._build_figure()
        self._build_controls(widgets, dataset, lr, momentum, hidden, activation)
        self.reset()
        static_page.register(self)

    def train_to(self, epoch: int) -> TrainingSnapshot:
        """A new session from the controls ("reset"), then ``epoch`` epochs in one go (as a
        chapter's ``advance(epoch)``); returns the snapshot."""
        snap = self.reset()
        return self.advance(epoch) if epoch else snap

    def static_control(self) -> static_page.StaticControl:
        """The static page shows epochs 0, 20, ..., run_epochs and the epoch reached now."""
        now = self.session.epoch
        epochs = sorted(set(range(0, self.run_epochs + 1, STATIC_EPOCH_STEP)) | {now})
        return static_page.StaticControl(
            "epoch", [str(e) for e in epochs], lambda i: self.train_to(epochs[i]), epochs.index(now),
            readouts=[self.status],
            live=("Live, you pick the dataset, the activation, the learning rate, the momentum and the "
                  "width, and train step by step or in one run."))

    def _build_figure(self) -> None:
        """The three panels (boundary, loss, gradient norms) and their animated artists."""
        from matplotlib.colors import ListedColormap
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=(10.5, 3.4), dpi=72)
        self.ax_b, self.ax_l, self.ax_g = self.figure.subplots(1, 3)
        cmap = ListedColormap(CLASS_COLORS)
        self.regions = self.ax_b.imshow(np.zeros((GRID, GRID)), origin="lower", cmap=cmap, vmin=-0.5,
                                        vmax=2.5, alpha=0.35, aspect="auto", animated=True)
        self.points = self.ax_b.scatter([0.0], [0.0], c=[0.0], s=10, cmap=cmap, vmin=-0.5, vmax=2.5,
                                        edgecolors="#333333", linewidths=0.4, zorder=3,
                                        animated=True)   # drawn over the regions on each blit
        self.ax_b.set(xlabel="$x_1$", ylabel="$x_2$")
        self.ax_b.grid(False)   # a grid would sit above the regions in a full draw, below on a blit
        self.title = self.ax_b.text(0.5, 1.03, "", transform=self.ax_b.transAxes, ha="center",
                                    fontsize=11, animated=True)
        (self.loss_line,) = self.ax_l.semilogy([], [], color=FORWARD, animated=True)
        self.ax_l.set(xlabel="epoch", ylabel="training loss", title="loss (log scale)", ylim=LOSS_LIMITS)
        self.norm_lines = [self.ax_g.semilogy([], [], color=GRADIENT, ls=ls, label=f"layer {l}",
                                              animated=True)[0] for l, ls in ((1, "-"), (2, "--"))]
        self.ax_g.set(xlabel="epoch", ylabel=r"$\|\partial L/\partial W^{(l)}\|_F$", title="gradient norms (log scale)",
                      ylim=NORM_LIMITS)
        self.ax_g.legend(handles=[self.ax_g.plot([], [], color=GRADIENT, ls=ls)[0] for ls in ("-", "--")],
                         labels=["layer 1", "layer 2"], fontsize=10, loc="upper right")
        self.figure.tight_layout()
        dynamic = sorted(self.figure.findobj(lambda a: a.get_animated()), key=lambda a: a.get_zorder())
        self.image = BlitFigureImage(self.figure, dynamic,   # the regions first, the points on top
                                     alt="decision regions, loss curve and gradient norms")

    def _build_controls(self, widgets, dataset, lr, momentum, hidden, activation) -> None:
        """The dropdowns, sliders and buttons, wired through :class:`ExplorerView`; the status line."""
        wide = {"style": {"description_width": "initial"}}
        self.controls = {
            "dataset": widgets.Dropdown(options=list(DATASETS), value=dataset, description="dataset", **wide),
            "activation": widgets.Dropdown(options=list(TRAINING_ACTIVATIONS), value=activation,
                                           description="activation", **wide),
            "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=0.25,
                                         description="learning rate", **wide),
            "momentum": widgets.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01,
                                            description="momentum", **wide),
            "hidden": widgets.IntSlider(value=hidden, min=1, max=64, description="hidden width",
                                        layout=widgets.Layout(width="300px"), **wide),
        }
        self.buttons = {"step": widgets.Button(description="step (10 epochs)"),
                        "run": widgets.Button(description=f"run {self.run_epochs} epochs"),
                        "reset": widgets.Button(description="reset")}
        self._observe(self.controls.values(), self.reset)
        self._on_click(self.buttons["step"], self.advance, 10)
        self._on_click(self.buttons["run"], self.run)
        self._on_click(self.buttons["reset"], self.reset)
        self.status = widgets.HTML()
        c = self.controls
        self.widget = widgets.VBox([widgets.HBox([c["dataset"], c["activation"]]),
                                    widgets.HBox([c["lr"], c["momentum"]]), c["hidden"],
                                    widgets.HBox(list(self.buttons.values())),
                                    self.image.widget, self.status])

    def _set_epoch_axes(self, max_epoch: int) -> None:
        self.max_epoch = max_epoch
        self.ax_l.set_xlim(0, max_epoch)
        self.ax_g.set_xlim(0, max_epoch)

    def reset(self) -> TrainingSnapshot:
        """New session from the controls; redraws the background (data points, axes)."""
        c = self.controls
        self.session = TrainingSession(c["dataset"].value, reader_value(c["lr"]), reader_value(c["momentum"]),
                                       c["hidden"].value, c["activation"].value)
        s = self.session
        self.regions.set_extent(s.extent)
        self.points.set_offsets(s.X.T)
        self.points.set_array(target_classes(s.Y).astype(float))
        self.ax_b.set_xlim(s.extent[:2])
        self.ax_b.set_ylim(s.extent[2:])
        self._set_epoch_axes(self.run_epochs)
        return self.draw(s.snapshot(), full=True)

    def advance(self, epochs: int) -> TrainingSnapshot:
        return self.draw(self.session.step(epochs))

    def run(self) -> TrainingSnapshot:
        snap = self.session.snapshot()
        for _ in range(self.run_epochs // self.chunk):
            snap = self.advance(self.chunk)
            if self.session.diverged:
                break
        return snap

    def draw(self, snap: TrainingSnapshot, full: bool = False) -> TrainingSnapshot:
        """Update the animated artists from a snapshot and refresh the image (values outside
        the fixed log axes are clipped to their edges)."""
        self.regions.set_data(snap.classes)
        self.loss_line.set_data(np.arange(len(snap.losses)), np.clip(snap.losses, *LOSS_LIMITS))
        norms = np.clip(np.nan_to_num(snap.grad_norms, nan=NORM_LIMITS[1]), *NORM_LIMITS)
        for l, line in enumerate(self.norm_lines):
            line.set_data(np.arange(1, len(norms) + 1), norms[:, l])
        self.title.set_text(f"epoch {snap.epoch}: accuracy "
                            + ("-" if np.isnan(snap.accuracy) else f"{snap.accuracy:.1%}"))
        if snap.epoch > self.max_epoch:
            new_max = self.max_epoch
            while new_max < snap.epoch:
                new_max *= 2
            self._set_epoch_axes(new_max)
            full = True
        if full:
            self.image.invalidate()
            self.image.refresh()
        else:
            self.image.refresh()
        self.status.value = snap.summary().replace("\n", "<br>")
        return snap
