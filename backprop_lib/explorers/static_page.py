"""The explorers on the book's static page, where no kernel runs.

A built chapter page draws each explorer from the widget state stored in the notebook at the end
of its execution (``scripts/execute_notebook.py``).  Without a kernel a slider's handle would move
while nothing is recomputed, so before that state is saved the execution script calls
:func:`freeze_all`, which turns every explorer alive in the kernel into its *static* form:

- **frames**: the explorer's kernel-free control (chapter 1 the point x, 2 the step, 3 the unit,
  4 the gradient steps taken, 5 the depth, 6 the epoch) is swept over a few settings; at each one
  the explorer's own control is set and its own update runs (the live code path: the same update
  function and :class:`~backprop_lib.explorers.base.FigureImage` render), and the picture and its
  readouts (status line, table) are copied into one *frame*.  The frames go into an
  ``ipywidgets.Stack`` whose ``selected_index`` is ``jslink``-ed to a ``SelectionSlider`` put in
  the place of the live control: the browser switches frames with no kernel. A control that the
  setting moves (chapter 4's parameter sliders, which the gradient steps change) is a readout
  too: each frame shows a disabled copy at that setting's value, so no slider shows a number the
  picture does not.
- **disabled controls**: every other control is disabled (greyed, neither focusable nor
  draggable), and one line above the explorer says what the controls do live and how to get there.

A freshly run cell builds the explorer as before (enabled controls, the live image, no frames):
the freeze happens only in the execution that stores the page's state, so a kernel never sees it.
The widgets the frames replace (live image, status, the swept control) are emptied and closed,
so their bytes are not stored twice.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["StaticControl", "register", "slider_control", "freeze", "freeze_all", "thin", "FrozenView", "HOW_TO_RUN", "HOW_TO_CHANGE",
           "STATIC_CLASS", "FRAME_CLASS", "NOTE_CLASS"]

# what the page says about the disabled controls (the rocket button / JupyterLab)
HOW_TO_RUN = ("The greyed controls need a running Python kernel: open this chapter with the rocket "
              "button at the top of the page (Binder or Colab) or in JupyterLab.")
# ... and, for an explorer whose only control moves on the page, what a kernel still adds
HOW_TO_CHANGE = ("Nothing else here needs a kernel; to change the experiment itself, open this "
                 "chapter with the rocket button at the top of the page (Binder or Colab) or in "
                 "JupyterLab.")
STATIC_CLASS = "bp-static-control"     # the kernel-free slider (the browser test finds it by this)
FRAME_CLASS = "bp-static-frames"      # the Stack of frames
NOTE_CLASS = "bp-static-note"         # the line above a frozen explorer

# the frames' PNG bytes one explorer may store (base64 in the page adds a third): a chapter page,
# HTML plus images, must stay under 3 MB (benchmarks/page_budget.py). Over it, every k-th setting
# is kept (and the first, the last and the current one).
FRAME_BUDGET = 1_300_000

_EXPLORERS: "weakref.WeakSet" = weakref.WeakSet()


@dataclass
class StaticControl:
    """What an explorer offers the static page.

    ``labels[i]`` is the slider's readout at setting i; ``apply(i)`` puts the *live* explorer at
    setting i through its own controls (so its own update redraws it); ``current`` is the setting
    shown first (the one the chapter left the explorer at).  ``readouts`` are the widgets whose
    content belongs to the picture: status lines, tables, and controls the setting moves (a box of
    sliders: each frame shows disabled copies at that setting's values).  ``replaces`` is the live
    control the slider takes the place of (None: the slider goes right above the picture).
    ``live`` says in a few words what the other controls do with a kernel."""

    description: str
    labels: Sequence[str]
    apply: Callable[[int], object]
    current: int
    readouts: Sequence[object] = ()
    replaces: object | None = None
    live: str = ""
    restore: Callable[[], object] | None = None   # after the sweep (default: apply(current))

    def __post_init__(self):
        self.labels = tuple(str(label) for label in self.labels)
        if len(self.labels) < 2:
            raise ValueError("a static control needs at least two settings")
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(f"the settings' labels must differ, got {self.labels}")
        if not 0 <= self.current < len(self.labels):
            raise ValueError(f"current must be 0..{len(self.labels) - 1}, got {self.current}")


@dataclass
class FrozenView:
    """The static form of one explorer: the slider, the frames, their link and the note."""

    slider: object
    stack: object
    link: object
    note: object
    frames: list = field(default_factory=list)


def register(explorer) -> None:
    """Remember ``explorer`` (an object with ``widget``, ``image`` and ``static_control()``) so
    that :func:`freeze_all` can freeze it; its ``frozen`` is None until then.  Explorers call
    this at the end of ``__init__``."""
    explorer.frozen = None
    _EXPLORERS.add(explorer)


def slider_control(slider, values: Sequence, update: Callable[[], object], *, live: str,
                   readouts: Sequence[object] = (), labels: Sequence[str] | None = None,
                   current: int | None = None) -> StaticControl:
    """The usual :class:`StaticControl`: sweep the live ``slider`` over ``values`` (set as the
    learner would, so its observer runs ``update``) and put the static slider in its place, under
    its own description; ``labels`` default to ``str(value)``, ``current`` to the slider's value."""
    values = list(values)
    return StaticControl(
        slider.description, [str(v) for v in values] if labels is None else labels,
        lambda i: set_value(slider, values[i], update),
        values.index(slider.value) if current is None else current,
        readouts=readouts, replaces=slider, live=live)


def _walk(widget):
    """``widget`` and every widget below it (through ``children``)."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _replace(root, mapping: dict[int, list]) -> None:
    """In the tree under ``root``, put ``mapping[id(w)]`` (a list, maybe empty) in place of w."""
    children = getattr(root, "children", None)
    if children is None:
        return
    new = []
    for child in children:
        if id(child) in mapping:
            new.extend(mapping[id(child)])
        else:
            _replace(child, mapping)
            new.append(child)
    if tuple(new) != tuple(children):
        root.children = tuple(new)


@dataclass(frozen=True)
class Frame:
    """What the explorer showed at one setting: the picture's bytes and its readouts (each as
    :func:`_readout` records it)."""

    png: bytes
    readouts: tuple


# a control's synced traits its copy gets from the original's objects, not from the state
_NOT_COPIED = {"layout", "style"}


def _readout(widget):
    """A readout's look at this setting, as plain data: an HTML's text, a box's children, or a
    control's synced state (its value, range, ...). The frame shows a copy made from it."""
    import ipywidgets as widgets

    if isinstance(widget, widgets.HTML):
        return ("html", str(widget.value), widget.layout)
    if isinstance(widget, widgets.Box):
        return ("box", type(widget), widget.layout, tuple(_readout(c) for c in widget.children))
    # the synced state minus the model's identity and what cannot be set (a selection's labels,
    # which come with its options)
    state = {k: v for k, v in widget.get_state().items()
             if k not in _NOT_COPIED and not k.startswith(("_model_", "_view_"))
             and not widget.trait_metadata(k, "read_only")}
    return ("control", type(widget), state, widget.layout, getattr(widget, "style", None),
            tuple(getattr(widget, "options", ())))


def _copy(readout):
    """The widget a frame shows for ``readout``; a control's copy shares the original's layout
    and style and is disabled (the frozen explorer disables every control but its slider)."""
    import ipywidgets as widgets

    kind = readout[0]
    if kind == "html":
        return widgets.HTML(value=readout[1], layout=readout[2])
    if kind == "box":
        _, cls, layout, children = readout
        return cls(children=[_copy(c) for c in children], layout=layout)
    _, cls, state, layout, style, options = readout
    kwargs = {"layout": layout, **({"style": style} if style is not None else {}),
              **({"options": options} if options else {})}
    control = cls(**kwargs)
    control.set_state(state)
    control.disabled = True
    return control


def _snapshot(explorer, readouts) -> Frame:
    return Frame(explorer.image.png, tuple(_readout(w) for w in readouts))


def _frame_widget(explorer, frame: Frame) -> object:
    """A frame as widgets: the picture (PNG), with the live image's displayed size (a picture
    drawn at 2x for sharp screens keeps its CSS size), and its readouts."""
    import ipywidgets as widgets

    image = explorer.image.widget
    size = {k: getattr(image.layout, k) for k in ("width", "height", "max_width", "object_fit")
            if getattr(image.layout, k, None)}
    picture = widgets.Image(value=frame.png, format="png", width=image.width, height=image.height,
                            layout=widgets.Layout(**size))
    readouts = [_copy(r) for r in frame.readouts]
    # a box is a scroll container by default, and the picture's 2 px widget margins would make
    # it scroll by 4 px at full column width (a scrollable region a keyboard cannot reach)
    return widgets.VBox([picture, *readouts], layout=widgets.Layout(overflow="visible"))


def build_frames(explorer, spec: StaticControl) -> list[Frame]:
    """One frame per setting of ``spec`` (the explorer's own update draws each), then the
    explorer is put back at ``spec.current``.  Frames are plain data: widgets are made only for
    the frames kept (the execution stores every widget ever made, even one never shown)."""
    frames = []
    try:
        for i in range(len(spec.labels)):
            spec.apply(i)
            # the frame's bytes depend on its picture only, not on the palette of the last one
            explorer.image.refresh(fresh_palette=True)
            frames.append(_snapshot(explorer, spec.readouts))
    finally:
        (spec.restore or (lambda: spec.apply(spec.current)))()
    return frames


def thin(sizes: Sequence[int], current: int, budget: int = FRAME_BUDGET) -> list[int]:
    """The settings kept when frames of ``sizes`` bytes must fit in ``budget``: every k-th one
    (the smallest k that fits), always with the first, the last and ``current``."""
    n = len(sizes)
    for k in range(1, n + 1):
        keep = sorted(set(range(0, n, k)) | {0, n - 1, current})
        if sum(sizes[i] for i in keep) <= budget or len(keep) <= 3:
            return keep
    return sorted({0, n - 1, current})


def freeze(explorer, budget: int = FRAME_BUDGET) -> FrozenView:
    """Turn ``explorer`` into its static form (see the module docstring); returns the pieces."""
    import ipywidgets as widgets

    spec = explorer.static_control()
    shots = build_frames(explorer, spec)
    keep = thin([len(f.png) for f in shots], spec.current, budget)
    if len(keep) < len(shots):
        shots = [shots[i] for i in keep]
        spec.labels, spec.current = tuple(spec.labels[i] for i in keep), keep.index(spec.current)
    frames = [_frame_widget(explorer, shot) for shot in shots]
    stack = widgets.Stack(children=frames, selected_index=spec.current,
                          layout=widgets.Layout(overflow="visible"))   # no scroll box (see _frame_widget)
    stack.add_class(FRAME_CLASS)
    slider = widgets.SelectionSlider(options=[(label, i) for i, label in enumerate(spec.labels)],
                                     index=spec.current, description=spec.description,
                                     continuous_update=True,
                                     style={"description_width": "initial"},
                                     layout=widgets.Layout(width="420px"))
    slider.add_class(STATIC_CLASS)
    link = widgets.jslink((slider, "index"), (stack, "selected_index"))
    image = explorer.image.widget
    mapping = {id(image): [slider, stack] if spec.replaces is None else [stack]}
    for w in spec.readouts:
        mapping[id(w)] = []
    if spec.replaces is not None:
        mapping[id(spec.replaces)] = [slider]
    _replace(explorer.widget, mapping)
    disabled = 0
    for w in _walk(explorer.widget):
        if w is not slider and hasattr(w, "disabled") and not isinstance(w, (widgets.Image, widgets.HTML)):
            w.disabled = True
            disabled += 1
    text = (f"On this page only <b>{spec.description}</b> moves: its {len(frames)} settings were "
            f"computed when the chapter was executed. {spec.live} "
            f"{HOW_TO_RUN if disabled else HOW_TO_CHANGE}")
    note = widgets.HTML(value=f'<p style="margin:0.2em 0;font-size:0.9em">{text}</p>')
    note.add_class(NOTE_CLASS)
    explorer.widget.children = (note, *explorer.widget.children)
    gone = [image, *(x for r in spec.readouts for x in _walk(r))]
    for w in (*gone, *([spec.replaces] if spec.replaces is not None else [])):
        # not shown any more: empty (the execution records a closed widget's last state, so a
        # picture left in it would be stored twice), then closed
        if isinstance(w, widgets.Image):
            w.value = b""
        elif isinstance(w, widgets.HTML):
            w.value = ""
        w.close()
    view = FrozenView(slider, stack, link, note, frames)
    explorer.frozen = view
    return view


def freeze_all() -> list[FrozenView]:
    """Freeze every registered explorer not frozen yet (the execution script's last step)."""
    return [freeze(e) for e in list(_EXPLORERS) if getattr(e, "frozen", None) is None]


def set_value(control, value, update: Callable[[], object]) -> None:
    """Set a live control as the learner would (its observer runs the explorer's update); if it
    already holds ``value`` no observer fires, so run ``update`` directly."""
    if control.value == value:
        update()
    else:
        control.value = value
