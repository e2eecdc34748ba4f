"""Section 13, the playground: predictions about architecture and training, tested."""

from __future__ import annotations

import math

from ..spec import Mistake, Question

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
OPTIMIZERS = ("sgd", "momentum", "adam")


def count_parameters(sizes):
    """Σ over layers of n_in·n_out + n_out."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


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


QUESTIONS = [
    Question(
        "q1",
        2,
        "Counting a network's parameters",
        name="count_parameters",
        reference=count_parameters,
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
    ),
    Question(
        "q2",
        1,
        "Hidden neurons for XOR",
        kind="value",
        name="xor_hidden_min",
        reference=lambda: 2,
        mistakes=(
            Mistake("one neuron draws one line", "XOR's classes cannot be split by one line: it needs two", lambda: 1),
        ),
        hints=("Each hidden sigmoid neuron contributes one straight boundary.",),
    ),
    Question(
        "q3",
        3,
        "A configuration that learns the moons",
        kind="value",
        name="moons_config",
        validate=moons_config_ok,
        hints=(
            "Try the cell below with one small hidden layer first: it stalls near 85%, its boundary almost straight.",
            "Two hidden layers of ReLU units, trained with Adam, learn the curved boundary.",
        ),
    ),
    Question("q4", 2, "Your prediction, tested", kind="manual"),
]
