"""Section 12, regularisation and normalisation (conventions of torch: nn.Dropout, optim.SGD/AdamW,
nn.utils.clip_grad_norm_; standardisation as sklearn's StandardScaler)."""

from __future__ import annotations

import numpy as np

from ..spec import Bank, Mistake

QUESTIONS = Bank()

# -- dropout -------------------------------------------------------------------

A_ROW = [[0.5, -1.0, 2.0, 0.3]]
A_TWO = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.4]]
DROPOUT_CASES = (
    {"a": A_ROW, "keep": [[1.0, 0.0, 1.0, 1.0]], "p": 0.25, "training": False},
    {"a": A_TWO, "keep": [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], "p": 0.4, "training": True},
    {"a": A_ROW, "keep": [[0.0, 1.0, 1.0, 0.0]], "p": 0.2, "training": True},
)


@QUESTIONS.ask(
    "q1",
    2,
    "Inverted dropout, forward",
    cases=DROPOUT_CASES,
    mistakes=(
        Mistake(
            "left on at evaluation",
            "at evaluation (training=False) nothing is dropped and nothing is scaled: return a as it is",
            lambda a, keep, p, training: a * keep / (1 - p),
        ),
        Mistake(
            "not rescaled at training time",
            "the kept units must be scaled up so that the expected output equals a",
            lambda a, keep, p, training: a * keep if training else a,
        ),
        Mistake(
            "rescaled at evaluation instead of at training time (the old, non-inverted dropout)",
            "inverted dropout scales the kept units up during training and leaves evaluation alone",
            lambda a, keep, p, training: a * keep if training else a * (1 - p),
        ),
        Mistake(
            "p taken as the probability of keeping a unit",
            "p is the probability of dropping a unit; a unit is kept with probability 1 − p",
            lambda a, keep, p, training: a * keep / p if training else a,
        ),
    ),
    hints=(
        "In training, multiply by the mask and divide by the probability that a unit is kept.",
        "if training: return a * keep / (1 - p); otherwise return a unchanged.",
    ),
)
def dropout_forward(a, keep, p, training):
    """Inverted dropout: a ⊙ keep / (1 − p) in training (keep: 1 = kept, 0 = dropped); a unchanged at evaluation."""
    return a * keep / (1 - p) if training else a


@QUESTIONS.ask(
    "q2",
    2,
    "Inverted dropout, backward",
    cases=tuple({"grad_out": c["a"], "keep": c["keep"], "p": c["p"]} for c in DROPOUT_CASES[1:])
    + ({"grad_out": [[0.2, -0.7, 1.1, 0.05]], "keep": [[1.0, 1.0, 0.0, 1.0]], "p": 0.3},),
    mistakes=(
        Mistake(
            "not rescaled",
            "the forward pass multiplied by keep/(1 − p), so the chain rule multiplies the gradient by it too",
            lambda grad_out, keep, p: grad_out * keep,
        ),
        Mistake(
            "dropped units still get a gradient",
            "a dropped unit's output is 0 whatever its input: multiply the gradient by the mask",
            lambda grad_out, keep, p: grad_out / (1 - p),
        ),
        Mistake(
            "gradient passed back unchanged",
            "dropout multiplies its input by keep/(1 − p); its gradient is multiplied by the same factors",
            lambda grad_out, keep, p: grad_out,
        ),
    ),
    hints=("The forward pass is output = a * keep / (1 - p); differentiate it with respect to a.",),
)
def dropout_backward(grad_out, keep, p):
    """∂C/∂a from ∂C/∂(output) of inverted dropout in training: grad_out ⊙ keep / (1 − p)."""
    return grad_out * keep / (1 - p)


# -- weight decay --------------------------------------------------------------


@QUESTIONS.ask(
    "q3",
    2,
    "An SGD step with weight decay",
    cases=(
        {"W": [[1.0, -2.0], [0.5, 0.0]], "b": [0.5, -1.0], "dW": [[0.1, 0.2], [-0.3, 0.4]], "db": [0.2, -0.1],
         "lr": 0.1, "wd": 0.01},
        {"W": [[3.0, 1.0, -1.0]], "b": [2.0], "dW": [[0.0, 0.5, 0.5]], "db": [1.0], "lr": 0.5, "wd": 0.2},
    ),
    mistakes=(
        Mistake(
            "weight decay applied to the biases",
            "only the weights decay; the biases take the plain step b − lr·db",
            lambda W, b, dW, db, lr, wd: (W - lr * (dW + wd * W), b - lr * (db + wd * b)),
        ),
        Mistake(
            "decay not multiplied by the learning rate",
            "the decay is part of the gradient, g = dW + wd·W, and the whole gradient is multiplied by lr",
            lambda W, b, dW, db, lr, wd: (W - lr * dW - wd * W, b - lr * db),
        ),
        Mistake(
            "half the decay",
            "the gradient of (wd/2)·‖W‖² is wd·W: the ½ cancels the 2 of the power rule",
            lambda W, b, dW, db, lr, wd: (W - lr * (dW + wd * W / 2), b - lr * db),
        ),
        Mistake(
            "decay with the wrong sign",
            "decay pulls the weights towards 0: add wd·W to the gradient",
            lambda W, b, dW, db, lr, wd: (W - lr * (dW - wd * W), b - lr * db),
        ),
    ),
    hints=(
        "The weights' gradient becomes dW + wd·W; the biases' gradient stays db.",
        "Return a pair: (W − lr·(dW + wd·W), b − lr·db).",
    ),
)
def sgd_step_with_decay(W, b, dW, db, lr, wd):
    """SGD with weight decay on the weights only (torch.optim.SGD's weight_decay for W, 0 for b).
    Returns (W_new, b_new) = (W − lr·(dW + wd·W), b − lr·db)."""
    return W - lr * (dW + wd * W), b - lr * db


def _adam(w, m, v, g, t, lr, beta1, beta2, eps, correct=True):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if correct else (m, v)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


ADAM = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
ADAMW_CASES = (
    {"w": [1.0, -2.0], "m": [0.0, 0.0], "v": [0.0, 0.0], "g": [0.1, -3.0], "t": 1, "wd": 0.1} | ADAM,
    {"w": [[0.5, 3.0]], "m": [[0.02, -0.1]], "v": [[0.001, 0.04]], "g": [[0.3, 0.05]], "t": 4, "wd": 0.5} | ADAM,
)


@QUESTIONS.ask(
    "q4",
    3,
    "An AdamW step",
    cases=ADAMW_CASES,
    mistakes=(
        Mistake(
            "L2 term added to the gradient (Adam's weight_decay), not decoupled decay",
            "AdamW shrinks w by the factor (1 − lr·wd) first and feeds the plain gradient g to m and v",
            lambda w, m, v, g, t, lr, beta1, beta2, eps, wd: _adam(w, m, v, g + wd * w, t, lr, beta1, beta2, eps),
        ),
        Mistake(
            "decay not multiplied by the learning rate",
            "the decay factor is (1 − lr·wd), not (1 − wd)",
            lambda w, m, v, g, t, lr, beta1, beta2, eps, wd: _adam(w * (1 - wd), m, v, g, t, lr, beta1, beta2, eps),
        ),
        Mistake(
            "no weight decay",
            "shrink w by the factor (1 − lr·wd) before the Adam step",
            lambda w, m, v, g, t, lr, beta1, beta2, eps, wd: _adam(w, m, v, g, t, lr, beta1, beta2, eps),
        ),
        Mistake(
            "bias correction missing",
            "divide m by (1 − β1^t) and v by (1 − β2^t) before the step",
            lambda w, m, v, g, t, lr, beta1, beta2, eps, wd: _adam(
                w * (1 - lr * wd), m, v, g, t, lr, beta1, beta2, eps, correct=False
            ),
        ),
    ),
    hints=(
        "First w = w·(1 − lr·wd). Then the Adam step of section 10 with the plain gradient g.",
        "m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; m̂ = m/(1 − β1^t); v̂ = v/(1 − β2^t); "
        "w ← w − lr·m̂/(√v̂ + ε); return (w, m, v).",
    ),
)
def adamw_step(w, m, v, g, t, lr, beta1, beta2, eps, wd):
    """One AdamW step at step number t (from 1), as torch.optim.AdamW: w ← w·(1 − lr·wd), then the
    Adam step with the plain gradient g. Returns (w, m, v)."""
    return _adam(w * (1 - lr * wd), m, v, g, t, lr, beta1, beta2, eps)


# -- clipping ------------------------------------------------------------------


def _clip_exact(grads, max_norm):
    """The same without the 1e-6 (c = max_norm/total): also right."""
    total = np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in grads))
    return [np.asarray(g) * (max_norm / total) for g in grads] if total > max_norm else [np.asarray(g) for g in grads]


def _clip_each(grads, max_norm):
    return [np.asarray(g) * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads]


def _clip_sum_of_norms(grads, max_norm):
    total = sum(np.linalg.norm(g) for g in grads)
    c = max_norm / (total + 1e-6)
    return [np.asarray(g) * c for g in grads] if c < 1 else [np.asarray(g) for g in grads]


def _clip_always(grads, max_norm):
    total = np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in grads))
    return [np.asarray(g) * max_norm / (total + 1e-6) for g in grads]


CLIP_CASES = (
    {"grads": [[[3.0, 0.0], [0.0, 4.0]], [12.0, 0.0], [0.1]], "max_norm": 5.0},
    {"grads": [[0.3, -0.4], [[0.1, 0.2, 0.2]]], "max_norm": 1.0},
)


@QUESTIONS.ask(
    "q5",
    3,
    "Clipping by the global norm",
    also_correct=(_clip_exact,),
    lists=("grads",),
    rtol=1e-5,  # with or without torch's + 1e-6 in the denominator
    cases=CLIP_CASES,
    mistakes=(
        Mistake(
            "clipped each tensor separately where the whole norm was asked",
            "compute one norm over all the arrays together and scale every array by the same factor",
            _clip_each,
        ),
        Mistake(
            "added the arrays' norms instead of combining their squares",
            "the global norm is the square root of the sum of ALL squared entries, over every array",
            _clip_sum_of_norms,
        ),
        Mistake(
            "scaled even when the norm was already below max_norm",
            "clipping only shrinks: leave the gradients unchanged when their global norm is at most max_norm",
            _clip_always,
        ),
    ),
    hints=(
        "total = np.sqrt(sum(np.sum(g**2) for g in grads)).",
        "If total > max_norm, multiply every array by max_norm / (total + 1e-6); return a list.",
    ),
)
def clip_by_global_norm(grads, max_norm):
    """As torch.nn.utils.clip_grad_norm_: total = √(Σ over all arrays of Σ g²); when
    c = max_norm/(total + 1e-6) < 1, every array is multiplied by c. Returns the clipped arrays (a list)."""
    total = np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in grads))
    c = max_norm / (total + 1e-6)
    return [np.asarray(g) * c for g in grads] if c < 1 else [np.asarray(g) for g in grads]


# -- standardisation -----------------------------------------------------------


def _spread(X, ddof=0):
    s = X.std(axis=0, ddof=ddof)
    return np.where(s > 0, s, 1.0)


STANDARDISE_CASES = (
    {"X_train": [[0.0, 2.0, 5.0], [2.0, 4.0, 5.0], [4.0, 0.0, 5.0], [2.0, 6.0, 5.0]],
     "X": [[1.0, 3.0, 5.0], [5.0, -1.0, 6.0]]},
    {"X_train": [[10.0, -1.0], [14.0, 1.0], [12.0, 3.0]], "X": [[11.0, 0.0], [16.0, 2.0], [12.0, 1.0]]},
)


@QUESTIONS.ask(
    "q6",
    2,
    "Standardising with the training statistics",
    cases=STANDARDISE_CASES,
    mistakes=(
        Mistake(
            "statistics taken from the set being transformed, not from the training set",
            "the mean and standard deviation come from X_train, and are then applied to X",
            lambda X_train, X: (X - X.mean(axis=0)) / _spread(X),
        ),
        Mistake(
            "one mean and standard deviation for the whole array instead of one per column",
            "take the statistics per column (axis=0): each input has its own mean and spread",
            lambda X_train, X: (X - X_train.mean()) / X_train.std(),
        ),
        Mistake(
            "divided by the variance",
            "divide by the standard deviation, the square root of the variance",
            lambda X_train, X: (X - X_train.mean(axis=0)) / _spread(X_train) ** 2,
        ),
        Mistake(
            "sample standard deviation (dividing by n − 1)",
            "use np.std's default, which divides by n (as StandardScaler does)",
            lambda X_train, X: (X - X_train.mean(axis=0)) / _spread(X_train, ddof=1),
        ),
    ),
    hints=("mean = X_train.mean(axis=0), std = X_train.std(axis=0); a column with std 0 gets std 1.",),
)
def standardise(X_train, X):
    """(X − μ)/s per column, μ and s (np.std, dividing by n) from X_train; s = 1 for a column constant in X_train."""
    return (X - X_train.mean(axis=0)) / _spread(X_train)


QUESTIONS.written("q7", 2, "Why Adam with an L2 penalty is not AdamW")
