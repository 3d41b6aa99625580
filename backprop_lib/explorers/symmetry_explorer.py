"""Symmetry explorer (Chapter 7): a seed slider over the 1986 symmetry runs, already trained.

Training one run takes thousands of sweeps, so the explorer does not train on a slider move: it
takes the result of :func:`backprop_lib.experiments.symmetry1986.train_symmetry_runs` (every
seed trained once, in the chapter) and shows one run per slider position.  :func:`symmetry_run`
is pure and tested: it picks the run for a seed (clipped to the trained ones) and returns what
the view shows.  :class:`SymmetryExplorer` is the thin ipywidgets view: the error curve of the
chosen run over all the others, and its six input weights per hidden unit as bars.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_lib.experiments import symmetry1986 as sym
from backprop_lib.explorers import static_page
from backprop_lib.explorers.base import ExplorerView, FigureImage, clip
from backprop_lib.viz.style import EXTRA, FORWARD, NEUTRAL, WARNING

_KEYS = ("seeds", "params", "converged_at", "error")


@dataclass(frozen=True)
class SymmetryRun:
    """One trained run: ``seed``, ``index`` (its position in the result), ``converged_at``
    (sweep, −1 if never), the error curve ``error`` (T + 1,), the input weights ``W1`` (2, 6)."""

    seed: int
    index: int
    converged_at: int
    error: np.ndarray
    W1: np.ndarray

    @property
    def converged(self) -> bool:
        return self.converged_at >= 0

    def summary(self) -> str:
        """What the view shows, as one or two lines of at most 79 characters."""
        budget = self.error.size - 1
        head = (f"seed {self.seed}: converged after {self.converged_at} sweeps"
                if self.converged else f"seed {self.seed}: not converged in {budget} sweeps")
        head += f", final E {self.error[-1]:.4f}"
        if not self.converged:
            return head
        r = sym.mirror_ratios(self.W1)[0]
        return (head + f"\nmirror ratios 1 : {r[1]:.2f} : {r[2]:.2f}, antisymmetry "
                f"{sym.antisymmetry(self.W1):.0e}")


def _checked(result) -> dict:
    if not isinstance(result, dict) or any(k not in result for k in _KEYS):
        raise TypeError("result must be the dict returned by symmetry1986.train_symmetry_runs "
                        f"(keys {', '.join(_KEYS)})")
    return result


def symmetry_run(result: dict, seed: int) -> SymmetryRun:
    """The run of ``seed`` in ``result``; a seed that was not trained is replaced by the
    nearest trained one (so any slider value shows a run)."""
    result = _checked(result)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    seeds = np.asarray(result["seeds"])
    i = int(np.argmin(np.abs(seeds - seed)))
    return SymmetryRun(seed=int(seeds[i]), index=i, converged_at=int(result["converged_at"][i]),
                       error=np.asarray(result["error"][:, i], float),
                       W1=np.asarray(result["params"]["W1"][i], float))


class SymmetryExplorer(ExplorerView):
    """A seed slider over precomputed symmetry runs: error curve and input weights."""

    def __init__(self, result: dict, seed: int | None = None):
        import ipywidgets as widgets

        self.result = _checked(result)
        seeds = [int(s) for s in self.result["seeds"]]
        self._build_figure()
        start = seeds[0] if seed is None else int(clip(seed, min(seeds), max(seeds)))
        self.seed = widgets.IntSlider(value=start, min=min(seeds), max=max(seeds),
                                      description="seed")
        self.status = widgets.HTML()
        self._observe((self.seed,), self.update)
        self.widget = widgets.VBox([self.seed, self.image.widget, self.status])
        self.update()
        static_page.register(self)

    def static_control(self) -> static_page.StaticControl:
        """The static page shows every trained seed (thinned only by the page budget)."""
        seeds = sorted(int(s) for s in self.result["seeds"])
        return static_page.slider_control(
            self.seed, seeds, self.update, readouts=[self.status],
            current=seeds.index(symmetry_run(self.result, int(self.seed.value)).seed),
            live="In a kernel the slider reaches every trained run.")

    def _build_figure(self) -> None:
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=(9.0, 3.4), dpi=80)
        self.ax_err, self.ax_w = self.figure.subplots(1, 2)
        err = np.asarray(self.result["error"], float)
        t = np.arange(err.shape[0])
        for s in range(err.shape[1]):
            self.ax_err.plot(t, err[:, s], color=NEUTRAL, lw=0.6, alpha=0.35)
        (self.line,) = self.ax_err.plot(t, err[:, 0], color=FORWARD, lw=2)
        self.ax_err.set(yscale="log", xlabel="sweep", ylabel="E (summed over 64 patterns)")
        x = np.arange(1, 7)
        W = np.abs(np.asarray(self.result["params"]["W1"], float)).max()
        self.bars = (self.ax_w.bar(x - 0.18, np.zeros(6), width=0.36, color=FORWARD,
                                   label="hidden unit 1"),
                     self.ax_w.bar(x + 0.18, np.zeros(6), width=0.36, color=EXTRA[0],
                                   label="hidden unit 2"))
        self.ax_w.axhline(0, color=NEUTRAL, lw=0.8)
        self.ax_w.axvline(3.5, color=NEUTRAL, lw=0.8, ls=":")
        self.ax_w.set(xticks=x, ylim=(-1.05 * W, 1.05 * W), ylabel="input weight",
                      xlabel="input unit $i$ (mirror of $i$ is $7 - i$)")
        self.ax_w.legend(loc="lower left", fontsize=8)
        self.ax_err.set_title("seed 0: converged after 0000 sweeps", fontsize=10)  # room for it
        self.ax_w.set_title("input weights W1", fontsize=10)
        self.figure.tight_layout()
        self.image = FigureImage(self.figure, alt="error curve and input weights of one "
                                 "symmetry run")

    def update(self) -> SymmetryRun:
        """Show the run of the slider's seed."""
        run = symmetry_run(self.result, int(self.seed.value))
        self.line.set_ydata(run.error)
        self.line.set_color(FORWARD if run.converged else WARNING)
        for bars, row in zip(self.bars, run.W1):
            for bar, w in zip(bars, row):
                bar.set_height(w)
        state = (f"converged after {run.converged_at} sweeps" if run.converged
                 else "not converged")
        self.ax_err.set_title(f"seed {run.seed}: {state}", fontsize=10)
        self.image.refresh()
        self.status.value = run.summary().replace("\n", "; ")
        return run
