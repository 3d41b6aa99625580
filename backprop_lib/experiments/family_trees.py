"""The family-trees task of Rumelhart, Hinton & Williams (1986), in numpy with an explicit backward pass.

Two isomorphic trees (English and Italian), 12 people each, and 12 relationships.  A *query*
(person 1, relationship) has one or more correct answers (person 2); the 104 queries with at least
one answer are the paper's 104 triples.  Columns of the data matrices are queries:
``P`` (24, 104) one-hot person 1, ``R`` (12, 104) one-hot relationship, ``T`` (24, 104) with a 1
for every correct person 2.

The layered network (all units sigmoid, every layer with a bias):

    p = σ(Wp P + bp)            (6)   distributed code of person 1
    r = σ(Wr R + br)            (6)   distributed code of the relationship
    h = σ(Wh1 p + Wh2 r + bh)   (12)  central layer
    o = σ(Wo h + bo)            (6)   code of person 2
    y = σ(Wy o + by)            (24)  one output unit per person

Error E = ½ Σ_cases Σ_units (y − t)^2, summed over cases like the paper, with the paper's margin:
a unit's error counts as zero when it should be on and is above 0.8, or should be off and is below
0.2 (so the network does not need huge weights to drive outputs to exactly 1 or 0).
"""
from __future__ import annotations

import numpy as np

from backprop_lib._validation import as_float_matrix, finite_scalar, positive_int
from backprop_lib.nn.activations import sigmoid
from backprop_lib.nn.optim import SGD

ENGLISH = ["Christopher", "Penelope", "Andrew", "Christine", "Margaret", "Arthur", "Victoria",
           "James", "Jennifer", "Charles", "Colin", "Charlotte"]
ITALIAN = ["Roberto", "Maria", "Pierro", "Francesca", "Gina", "Emilio", "Lucia", "Marco",
           "Angela", "Tomaso", "Alfonso", "Sophia"]
PEOPLE = ENGLISH + ITALIAN
RELATIONS = ["father", "mother", "husband", "wife", "son", "daughter", "uncle", "aunt",
             "brother", "sister", "nephew", "niece"]
_MALE = {0, 2, 5, 7, 9, 10}                      # indices within one tree
_COUPLES = [(0, 1), (2, 3), (5, 4), (7, 6), (9, 8)]  # (husband, wife)
_CHILDREN = {(0, 1): [5, 6], (2, 3): [7, 8], (7, 6): [10, 11]}
SHAPES = {"Wp": (6, 24), "bp": (6, 1), "Wr": (6, 12), "br": (6, 1), "Wh1": (12, 6),
          "Wh2": (12, 6), "bh": (12, 1), "Wo": (6, 12), "bo": (6, 1), "Wy": (24, 6), "by": (24, 1)}


def _tree_facts() -> set[tuple[int, str, int]]:
    """(person 1, relationship, person 2) facts of one tree, people indexed 0..11."""
    facts, parents, spouse = set(), {}, {}
    for h, w in _COUPLES:
        facts |= {(w, "husband", h), (h, "wife", w)}
        spouse[h], spouse[w] = w, h
    for (f, m), kids in _CHILDREN.items():
        for k in kids:
            parents[k] = (f, m)
            facts |= {(k, "father", f), (k, "mother", m)}
            facts |= {(f, "son" if k in _MALE else "daughter", k), (m, "son" if k in _MALE else "daughter", k)}
    siblings = {k: [j for j in parents if j != k and parents[j] == parents[k]] for k in parents}
    for k, sibs in siblings.items():
        facts |= {(k, "brother" if j in _MALE else "sister", j) for j in sibs}
    for k in parents:                       # uncles/aunts: parents' siblings and their spouses
        for parent in parents[k]:
            for sib in siblings.get(parent, []):
                for u in [sib] + ([spouse[sib]] if sib in spouse else []):
                    facts.add((k, "uncle" if u in _MALE else "aunt", u))
                    facts.add((u, "nephew" if k in _MALE else "niece", k))
    return facts


def triples() -> list[tuple[str, str, str]]:
    """All (person 1, relationship, person 2) facts of both trees, sorted (112 of them)."""
    out = [(PEOPLE[a + off], r, PEOPLE[b + off]) for off in (0, 12) for a, r, b in _tree_facts()]
    return sorted(out)


def dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[str, str]]]:
    """``P`` (24, 104), ``R`` (12, 104), ``T`` (24, 104) and the 104 (person 1, relationship)
    queries in column order."""
    answers: dict[tuple[int, int], set[int]] = {}
    for a, r, b in triples():
        answers.setdefault((PEOPLE.index(a), RELATIONS.index(r)), set()).add(PEOPLE.index(b))
    keys = sorted(answers)
    P, R, T = np.zeros((24, len(keys))), np.zeros((12, len(keys))), np.zeros((24, len(keys)))
    for i, (a, r) in enumerate(keys):
        P[a, i], R[r, i] = 1.0, 1.0
        T[sorted(answers[(a, r)]), i] = 1.0
    return P, R, T, [(PEOPLE[a], RELATIONS[r]) for a, r in keys]


def init_params(seed: int, scale: float = 0.3) -> dict[str, np.ndarray]:
    """Every weight and bias uniform in [−scale, scale], drawn in the order of ``SHAPES``."""
    scale = finite_scalar(scale, "scale", positive=True)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    return {k: rng.uniform(-scale, scale, size=s) for k, s in SHAPES.items()}


def _check_params(params) -> int | None:
    """Number of stacked runs S (leading axis) or None for one run; refuses missing/misshapen arrays."""
    shapes = {k: np.shape(params.get(k)) if isinstance(params, dict) else () for k in SHAPES}
    bad = [k for k in SHAPES if shapes[k][-2:] != SHAPES[k] or len(shapes[k]) not in (2, 3)]
    if bad:
        raise ValueError(f"params needs arrays {', '.join(f'{k}{SHAPES[k]}' for k in bad)} "
                         "(optionally stacked over a leading run axis)")
    leads = {shapes[k][:-2] for k in SHAPES}
    if len(leads) != 1:
        raise ValueError(f"params are stacked inconsistently: leading shapes {sorted(leads)}")
    lead = leads.pop()
    return lead[0] if lead else None


def forward(params: dict[str, np.ndarray], P, R) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Output ``y`` (24, B) and a cache of every layer's activity for P (24, B), R (12, B).
    With params stacked over S runs (e.g. Wp (S, 6, 24)) every activity gets a leading S axis."""
    P = as_float_matrix(P, "P (person 1, one-hot)", rows=24)
    R = as_float_matrix(R, "R (relationship, one-hot)", rows=12, cols=P.shape[1])
    _check_params(params)
    c = {"P": P, "R": R}
    c["p"] = sigmoid(params["Wp"] @ P + params["bp"])
    c["r"] = sigmoid(params["Wr"] @ R + params["br"])
    c["h"] = sigmoid(params["Wh1"] @ c["p"] + params["Wh2"] @ c["r"] + params["bh"])
    c["o"] = sigmoid(params["Wo"] @ c["h"] + params["bo"])
    c["y"] = sigmoid(params["Wy"] @ c["o"] + params["by"])
    return c["y"], c


MARGIN = (0.2, 0.8)


def residual(y: np.ndarray, T: np.ndarray, margin: tuple[float, float] | None = MARGIN) -> np.ndarray:
    """∂E/∂y = y − t, set to 0 where the unit is already on the right side of the margin
    (t = 1 and y > margin[1], or t = 0 and y < margin[0]); ``margin=None``: plain y − t."""
    r = np.asarray(y) - T
    if margin is not None:
        lo, hi = (finite_scalar(m, "margin") for m in margin)
        if not 0.0 <= lo < hi <= 1.0:
            raise ValueError(f"margin must be (low, high) with 0 <= low < high <= 1, got {margin}")
        r = np.where(((T > 0.5) & (y > hi)) | ((T <= 0.5) & (y < lo)), 0.0, r)
    return r


def error(y: np.ndarray, T, margin: tuple[float, float] | None = MARGIN):
    """E = ½ Σ r^2 over all units and cases (a sum, as in the paper), r = :func:`residual`;
    a float for y (24, B), an array (S,) for stacked y (S, 24, B)."""
    T = as_float_matrix(T, "T (targets)", rows=24, cols=np.shape(y)[-1])
    E = 0.5 * np.sum(residual(y, T, margin) ** 2, axis=(-2, -1))
    return float(E) if np.ndim(E) == 0 else E


def _T(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def backward(params: dict[str, np.ndarray], cache: dict[str, np.ndarray], T,
             margin: tuple[float, float] | None = MARGIN, weight=None) -> dict[str, np.ndarray]:
    """∂E/∂(every parameter), summed over the B cases, by BP1..BP4 layer by layer.

    BP1 δy = r ⊙ y(1 − y), r = :func:`residual` (times ``weight`` (…, 1, B), e.g. a 0/1 mask
    of the training cases);  BP2 δo = Wyᵀ δy ⊙ o(1 − o), δh = Woᵀ δo ⊙ h(1 − h),
    δp = Wh1ᵀ δh ⊙ p(1 − p), δr = Wh2ᵀ δh ⊙ r(1 − r) (the central layer sends its error down
    both branches);  BP3 ∂E/∂W = δ (input of the layer)ᵀ;  BP4 ∂E/∂b = Σ_cases δ."""
    y = cache["y"]
    T = as_float_matrix(T, "T (targets)", rows=24, cols=y.shape[-1])
    r = residual(y, T, margin) if weight is None else residual(y, T, margin) * weight
    g = {}
    dy = r * y * (1 - y)                                                # BP1
    do = (_T(params["Wy"]) @ dy) * cache["o"] * (1 - cache["o"])        # BP2
    dh = (_T(params["Wo"]) @ do) * cache["h"] * (1 - cache["h"])
    dp = (_T(params["Wh1"]) @ dh) * cache["p"] * (1 - cache["p"])
    dr = (_T(params["Wh2"]) @ dh) * cache["r"] * (1 - cache["r"])
    for W, b, delta, below in (("Wy", "by", dy, "o"), ("Wo", "bo", do, "h"), ("Wh1", "bh", dh, "p"),
                               ("Wp", "bp", dp, "P"), ("Wr", "br", dr, "R")):
        g[W] = delta @ _T(cache[below])                                 # BP3
        g[b] = delta.sum(axis=-1, keepdims=True)                        # BP4
    g["Wh2"] = dh @ _T(cache["r"])                                      # BP3, second input of h
    return g


def correct(y: np.ndarray, T: np.ndarray) -> np.ndarray:
    """(…, B) bool: a case is right when every correct person's unit is above 0.5 and every
    other unit below 0.5."""
    return np.all((np.asarray(y) > 0.5) == (np.asarray(T) > 0.5), axis=-2)


def held_out(seed: int, n: int = 4) -> np.ndarray:
    """The ``n`` query columns held out for run ``seed`` (the paper does not say which four)."""
    return np.sort(np.random.default_rng([int(seed), 1986]).choice(104, size=n, replace=False))


PAPER_SCHEDULE = ((20, 0.005, 0.5), (None, 0.001, 0.9))


def _checked_test_sets(seeds: list[int], test_sets) -> list[np.ndarray]:
    """One array of distinct held-out column indices (0..103) per seed (default :func:`held_out`)."""
    if test_sets is None:
        test_sets = [held_out(s) for s in seeds]
    test_sets = [np.asarray(t, dtype=int).ravel() for t in test_sets]
    for t in test_sets:
        if t.size and (t.min() < 0 or t.max() >= 104 or len(set(t.tolist())) != t.size):
            raise ValueError(f"test sets must be distinct column indices in 0..103, got {t.tolist()}")
    if len(test_sets) != len(seeds):
        raise ValueError(f"need one test set per seed: {len(seeds)} seeds, {len(test_sets)} test sets")
    return test_sets


def _rates(schedule, sweeps: int) -> list[tuple[float, float]]:
    """(ε, α) for each sweep from (until_sweep, ε, α) phases, the last with until_sweep ``None``;
    every ε and α is checked by ``optim.SGD`` itself."""
    phases = [tuple(phase) for phase in schedule]
    if not phases or any(len(phase) != 3 for phase in phases) or phases[-1][0] is not None:
        raise ValueError("schedule must be (until_sweep, lr, momentum) phases, the last with "
                         f"until_sweep None, got {schedule!r}")
    for _, lr, momentum in phases:
        SGD({}, lr=lr, momentum=momentum)       # raises SGD's own error for a bad phase
    return [next((e, a) for until, e, a in phases if until is None or t < until) for t in range(sweeps)]


def train_family_trees(seeds, test_sets=None, sweeps: int = 1500, schedule=PAPER_SCHEDULE,
                       decay: float = 0.002, scale: float = 0.3,
                       margin: tuple[float, float] | None = MARGIN) -> dict:
    """Full-batch training, one network per seed, all seeds at once (stacked parameters).

    Run i trains on the 104 queries minus ``test_sets[i]`` (default :func:`held_out`).
    ``schedule``: (until_sweep, ε, α) phases, the last with ``None``: Δw(t) = −ε ∂E/∂w +
    α Δw(t−1) by ``optim.SGD`` (BP1..BP4 by :func:`backward`, arrays stacked over the S runs);
    after each update every parameter is multiplied by (1 − ``decay``).  Returns stacked
    ``params``, ``error`` (sweeps, S), ``train_correct`` (S,) and ``test_correct`` (S,) counts,
    ``test_sets`` (S, n) and ``outputs`` (S, 24, 104)."""
    seeds = [seeds] if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool) else list(seeds)
    if not seeds:
        raise ValueError("seeds must list at least one integer seed")
    sweeps = positive_int(sweeps, "sweeps")
    decay = finite_scalar(decay, "decay")
    if not 0.0 <= decay < 1.0:
        raise ValueError(f"decay must lie in [0, 1), got {decay}")
    test_sets, rates = _checked_test_sets(seeds, test_sets), _rates(schedule, sweeps)
    P, R, T, _ = dataset()
    mask = np.array([[~np.isin(np.arange(104), t)] for t in test_sets], dtype=float)  # (S, 1, 104)
    inits = [init_params(s, scale) for s in seeds]
    params = {k: np.stack([p[k] for p in inits]) for k in SHAPES}
    opt = SGD(params, *rates[0])
    errs = np.empty((sweeps, len(seeds)))
    for t in range(sweeps):
        opt.lr, opt.momentum = rates[t]
        y, cache = forward(params, P, R)
        errs[t] = 0.5 * np.sum((residual(y, T, margin) * mask) ** 2, axis=(1, 2))
        opt.step(backward(params, cache, T, margin, weight=mask))
        for k in params:
            params[k] *= 1.0 - decay
    y_all, _ = forward(params, P, R)
    ok = correct(y_all, T)
    return {"params": params, "error": errs, "outputs": y_all, "test_sets": np.array(test_sets),
            "train_correct": (ok * mask[:, 0]).sum(1).astype(int),
            "test_correct": np.array([ok[i, t].sum() for i, t in enumerate(test_sets)], dtype=int)}
