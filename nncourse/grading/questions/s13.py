"""Section 13, the playground: predictions about architecture and training, tested; and a learning
rate chosen by validation loss (q5: a polynomial fitted by gradient descent, on hidden data sets and grids)."""

from __future__ import annotations

import math

import numpy as np

from ..spec import Bank, Mistake

QUESTIONS = Bank()


@QUESTIONS.ask(
    "q1",
    2,
    "Counting a network's parameters",
    cases=({"sizes": [2, 8, 1]}, {"sizes": [64, 32, 16, 10]}),
    mistakes=(
        Mistake(
            "biases forgotten",
            "each layer also has one bias per output neuron",
            lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])),
        ),
        Mistake(
            "counted neurons, not parameters",
            "count weights (n_in·n_out per layer) and biases",
            lambda sizes: sum(sizes),
        ),
    ),
    hints=("Weight layer l has W^(l) of shape (n_l, n_(l−1)) and b^(l) of shape (n_l,): add n_l·n_(l−1) + n_l.",),
)
def count_parameters(sizes):
    """Σ over layers of n_in·n_out + n_out."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


@QUESTIONS.ask(
    "q2",
    1,
    "Hidden neurons for XOR",
    kind="value",
    mistakes=(
        Mistake("one neuron draws one line", "XOR's classes cannot be split by one line: it needs two", lambda: 1),
    ),
    hints=("Each hidden sigmoid neuron contributes one straight boundary.",),
)
def xor_hidden_min():
    """The fewest hidden sigmoid neurons that solve XOR: each draws one line, and XOR needs two."""
    return 2


ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
OPTIMIZERS = ("sgd", "momentum", "adam")


@QUESTIONS.ask_value("q3", 3, "A configuration that learns the moons", name="moons_config", hints=(
    "Try the cell below with one small hidden layer first: it stalls near 85%, its boundary almost straight.",
    "Two hidden layers of ReLU units, trained with Adam, learn the curved boundary.",
))
def moons_config_ok(cfg) -> tuple[bool, str]:
    """Train the configuration on make_toy("moons", 200, noise=0.15) and ask for 95% training accuracy.

    The output neuron is linear and the loss is binary cross-entropy on its logit z ("bce_logits"),
    as in the playground; a point counts as class 1 where z > 0, that is σ(z) > 0.5.
    """
    from ...data import make_toy
    from ...network import Network
    from ...train import DivergenceError, train

    if not isinstance(cfg, dict):
        return False, "moons_config must be a dict, e.g. {'sizes': [2, 8, 1], 'activation': 'tanh', ...}"
    missing = {"sizes", "activation", "optimizer", "lr", "epochs"} - set(cfg)
    if missing:
        return False, f"moons_config is missing the keys {sorted(missing)}"
    sizes = cfg["sizes"]
    if (
        not isinstance(sizes, list)
        or not 2 <= len(sizes) <= 6
        or sizes[0] != 2
        or sizes[-1] != 1
        or not all(isinstance(n, float) and n.is_integer() and 1 <= n <= 64 for n in sizes)
    ):
        return False, "sizes must list 2 to 6 whole numbers from 1 to 64, starting with 2 and ending with 1"
    sizes = [int(n) for n in sizes]
    if cfg["activation"] not in ACTIVATIONS or cfg["optimizer"] not in OPTIMIZERS:
        return False, f"activation must be one of {ACTIVATIONS} and optimizer one of {OPTIMIZERS}"
    lr, epochs = cfg["lr"], cfg["epochs"]
    if (
        not isinstance(lr, float)
        or not math.isfinite(lr)
        or lr <= 0
        or not isinstance(epochs, float)
        or not epochs.is_integer()
        or not 1 <= epochs <= 300
    ):
        return False, "lr must be a positive number and epochs a whole number from 1 to 300"
    if count_parameters(sizes) > 3000:
        return False, f"that network has {count_parameters(sizes)} parameters; stay under 3000"
    X, y = make_toy("moons", n=200, noise=0.15, seed=0)
    net = Network(sizes, activation=cfg["activation"], output_activation="linear", seed=0)
    try:
        train(
            net,
            X,
            y.reshape(-1, 1),
            loss="bce_logits",
            optimizer=cfg["optimizer"],
            lr=lr,
            epochs=int(epochs),
            batch_size=16,
            seed=0,
        )
    except DivergenceError:
        return False, "training diverged (the loss became nan or inf): lower lr"
    acc = net.accuracy(X, y.reshape(-1, 1))
    if acc >= 0.95:
        return True, f"accuracy {acc:.1%} on the moons: well done"
    return False, f"accuracy {acc:.1%} on the moons; 95% is needed"


QUESTIONS.written("q4", 2, "Your prediction, tested")


DEGREE = 7  # the polynomial that fit_polynomial trains: 8 coefficients


def polynomial_features(x):
    """(n, DEGREE + 1): the powers x⁰ … x^DEGREE of each entry of x (n,)."""
    return np.vander(np.asarray(x, dtype=float), DEGREE + 1, increasing=True)


def fit_polynomial(x, y, lr, epochs):
    """Coefficients w (DEGREE + 1,) of a polynomial fitted to (x, y) by full-batch gradient descent on the MSE,
    from w = 0: w ← w − lr · 2Φᵀ(Φw − y)/n, Φ = polynomial_features(x). A run that diverges (a coefficient
    beyond 10⁶ in size) returns nan coefficients."""
    Phi, y = polynomial_features(x), np.asarray(y, dtype=float)
    w = np.zeros(DEGREE + 1)
    for _ in range(int(epochs)):
        w = w - lr * 2 * Phi.T @ (Phi @ w - y) / len(y)
        if not np.all(np.abs(w) <= 1e6):
            return np.full(DEGREE + 1, np.nan)
    return w


def polynomial_mse(w, x, y) -> float:
    """(1/n) Σ (p_w(x) − y)²; nan for nan coefficients."""
    return float(np.mean((polynomial_features(x) @ w - np.asarray(y, dtype=float)) ** 2))


def _losses(lrs, epochs, x_train, y_train, x_val, y_val, x_test, y_test):
    """Training, validation and test MSE for each learning rate of the grid (nan for a diverged run)."""
    ws = [fit_polynomial(x_train, y_train, float(lr), epochs) for lr in lrs]
    return [[polynomial_mse(w, x, y) for w in ws] for x, y in ((x_train, y_train), (x_val, y_val), (x_test, y_test))]


def _lr_mistake(**options):
    def variant(lrs, epochs, x_train, y_train, x_val, y_val, x_test, y_test):
        return choose_lr(lrs, epochs, x_train, y_train, x_val, y_val, x_test, y_test, **options)

    return variant


def lr_case(seed, epochs, lrs, n_train=10, n_other=20, noise=0.3) -> dict:
    """A data set y = sin(3x) + noise, split into training, validation and test parts (rounded to 2 decimals)."""
    rng = np.random.default_rng(seed)
    case: dict = {"lrs": list(lrs), "epochs": epochs}
    for part, n in (("train", n_train), ("val", n_other), ("test", n_other)):
        x = np.round(rng.uniform(-1, 1, n), 2)
        case[f"x_{part}"] = x.tolist()
        case[f"y_{part}"] = np.round(np.sin(3 * x) + rng.normal(0, noise, n), 2).tolist()
    return case


@QUESTIONS.ask(
    "q5",
    3,
    "A learning rate chosen by measurement",
    cases=(
        lr_case(16, 30, [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]),
        lr_case(43, 30, [0.3, 1.0, 0.03, 0.003, 0.1, 0.01]),
    ),
    mistakes=(
        Mistake(
            "chose by training loss",
            "the training loss keeps falling as the model fits the noise of the training set; "
            "choose by data the model was not trained on",
            _lr_mistake(by="train"),
        ),
        Mistake(
            "chose by test data",
            "the test set must not take part in any choice, or its loss is no longer an honest estimate: "
            "choose by the validation set",
            _lr_mistake(by="test"),
        ),
        Mistake(
            "a diverged run chosen (nan counted as the lowest loss)",
            "np.argmin and min() treat nan as smallest or leave it in place: skip runs whose loss is nan",
            _lr_mistake(nan_low=True),
        ),
        Mistake(
            "reported the validation loss, not the test loss",
            "the second number is the chosen model's loss on the test set, measured once at the end",
            _lr_mistake(report="val"),
        ),
    ),
    hints=(
        "Train one model per learning rate with fit_polynomial, all for the same number of epochs.",
        "Three data sets, three jobs: one trains, one chooses, one reports.",
        "A diverged run's loss is nan; np.nanargmin skips nan.",
    ),
)
def choose_lr(lrs, epochs, x_train, y_train, x_val, y_val, x_test, y_test, by="val", report="test", nan_low=False):
    """(lr, test MSE): the rate of the grid whose model has the lowest validation MSE after ``epochs`` epochs,
    and that one model's test MSE. A diverged run (nan loss) never wins.

    Planted mistakes: ``by`` "train" or "test" chooses by that loss; ``report`` "val" reports the validation
    loss; ``nan_low`` lets np.argmin pick a nan loss."""
    train, val, test = _losses(lrs, epochs, x_train, y_train, x_val, y_val, x_test, y_test)
    scores = np.array({"train": train, "val": val, "test": test}[by])
    i = int(np.argmin(scores)) if nan_low else int(np.nanargmin(scores))
    return float(lrs[i]), {"test": test, "val": val}[report][i]
