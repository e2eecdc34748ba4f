"""A fully connected network with an explicit forward and backward pass.

Notation (the README's glossary): W^(l) maps layer l − 1 to layer l, for
l = 1..L, and the input is a^(0) = X. Code counts from 0, so W^(l) is
``weights[l-1]``, z^(l) is ``zs[l-1]`` and a^(l) is ``activations[l]``::

    Z^(l) = A^(l-1) W^(l)ᵀ + b^(l)    A^(l-1): (batch, n_in), W^(l): (n_out, n_in), b^(l): (n_out,)
    A^(l) = f(Z^(l))                  Z^(l), A^(l): (batch, n_out)

``W`` is stored as ``(n_out, n_in)``, like ``torch.nn.Linear``: row j holds
the weights into neuron j, so ``W[j, k]`` is w_jk, "to j, from k".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .activations import Activation, LeakyReLU, Linear, ReLU, get_activation
from .checks import as_matrix, check_data, check_parameters, unknown_name
from .losses import Loss, get_loss

INITS = ("auto", "xavier", "he")


@dataclass(frozen=True)
class BackwardSteps:
    """The two steps ``Network.backprop`` takes in each layer; the defaults are backpropagation.

    For teaching only, the flags plant the classic mistakes that a gradient check or an
    exercise's feedback must catch: ``hidden_prime=False`` drops f'(z^(l)) in the hidden layers,
    ``output_prime=False`` drops it in the output layer, ``transpose=False`` sends δ back as
    δ^(l+1) W^(l+1)ᵀ (the column form's W δ instead of Wᵀ δ), and ``prime_at_a=True``
    evaluates the derivative at a instead of z.
    """

    hidden_prime: bool = True
    output_prime: bool = True
    transpose: bool = True
    prime_at_a: bool = False

    def local(self, activation: Activation, z, a, grad_a, output: bool) -> np.ndarray:
        """δ = ∂C/∂a ⊙ f'(z), (batch, n_out): ``activation.backward(z, a, grad_a)``, or a planted mistake."""
        if not (self.output_prime if output else self.hidden_prime):
            return grad_a
        if self.prime_at_a:
            return grad_a * activation.derivative(a)
        return activation.backward(z, a, grad_a)

    def send_back(self, delta, W) -> np.ndarray:
        """∂C/∂a^(l) = δ^(l+1) W^(l+1), (batch, n_in); with ``transpose=False``, δ^(l+1) W^(l+1)ᵀ."""
        return delta @ (W if self.transpose else W.T)


BACKPROP = BackwardSteps()


class Network:
    """Dense layers of sizes ``sizes``, e.g. ``Network([64, 32, 10])``.

    ``activation`` is used in the hidden layers and ``output_activation``
    (default: the same) in the last one; both take a name or an object.
    Weights start random with a seeded generator: ``"xavier"`` draws
    N(0, 2/(n_in + n_out)), ``"he"`` draws N(0, 2/n_in), and ``"auto"``
    picks He for ReLU-like layers and Xavier otherwise. Biases start at 0.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Activation = "sigmoid",
        output_activation: str | Activation | None = None,
        init: str = "auto",
        seed: int | None = 0,
    ):
        sizes = list(sizes) if not isinstance(sizes, (str, bytes)) else sizes
        if (
            not isinstance(sizes, list)
            or len(sizes) < 2
            or not all(isinstance(n, (int, np.integer)) and n >= 1 for n in sizes)
        ):
            raise ValueError(
                f"sizes must list at least two layer widths, each an integer >= 1, "
                f"e.g. [2, 2, 2]; got {sizes!r}."
            )
        if init not in INITS:
            raise unknown_name("init", init, list(INITS))
        self.sizes = [int(n) for n in sizes]
        self.activation = get_activation(activation)
        self.output_activation = get_activation(
            output_activation if output_activation is not None else activation
        )
        rng = np.random.default_rng(seed)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            he = init == "he" or (init == "auto" and isinstance(self.activation, (ReLU, LeakyReLU)))
            std = np.sqrt(2.0 / n_in) if he else np.sqrt(2.0 / (n_in + n_out))
            self.weights.append(rng.normal(0.0, std, size=(n_out, n_in)))
            self.biases.append(np.zeros(n_out))

    def __repr__(self) -> str:
        return (
            f"Network({self.sizes}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )

    @property
    def n_layers(self) -> int:
        """Number of weight layers (the input layer is not counted)."""
        return len(self.sizes) - 1

    def activation_of(self, layer: int) -> Activation:
        """The activation used by weight layer ``layer`` (0 is the first)."""
        return self.output_activation if layer == self.n_layers - 1 else self.activation

    # -- forward ---------------------------------------------------------

    def forward(self, X) -> np.ndarray:
        """Output of the network. X: (batch, n_in) -> (batch, n_out)."""
        return self.trace(X)[1][-1]

    def trace(self, X) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Forward pass keeping every layer, after checking X: ``(zs, activations)``.

        ``activations[l]`` is a^(l) (``activations[0]`` is ``X``) and ``zs[l-1]`` is z^(l).
        """
        self.check_parameters()
        return self.feedforward(as_matrix(X, "X", self.sizes[0]))

    def feedforward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """:meth:`trace` without the input checks, for loops that checked their data once
        (``check_data``). X: (batch, n_in) float64; returns ``(zs, activations)``."""
        zs, activations = [], [X]
        for layer, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = activations[-1] @ W.T + b
            zs.append(z)
            activations.append(self.activation_of(layer).fn(z))
        return zs, activations

    # -- backward --------------------------------------------------------

    def backprop(self, zs, activations, grad_out, steps: BackwardSteps = BACKPROP):
        """Backpropagate ∂C/∂a^(L) of the output through every layer (rows are examples).

        δ^(L) = ∂C/∂a^(L) ⊙ f'(z^(L));   δ^(l) = (δ^(l+1) W^(l+1)) ⊙ f'(z^(l)).
        ∂C/∂W^(l) = δ^(l)ᵀ A^(l−1)  (n_out, n_in);   ∂C/∂b^(l) = Σ_batch δ^(l)  (n_out,).
        Index ``layer`` below is l − 1: ``dWs[layer]`` is ∂C/∂W^(layer+1).
        ``steps`` (see :class:`BackwardSteps`) can plant a classic mistake, for teaching.
        """
        L = self.n_layers
        dWs, dbs = [None] * L, [None] * L
        delta = steps.local(self.output_activation, zs[-1], activations[-1], grad_out, output=True)
        for layer in range(L - 1, -1, -1):
            dWs[layer] = delta.T @ activations[layer]
            dbs[layer] = delta.sum(axis=0)
            if layer > 0:
                grad_a = steps.send_back(delta, self.weights[layer])
                delta = steps.local(self.activation, zs[layer - 1], activations[layer], grad_a, output=False)
        return dWs, dbs

    def gradients(self, X, Y, loss: str | Loss = "mse") -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(dWs, dbs)``: gradients of the loss (mean over the batch) for every layer.

        X: (batch, n_in); Y: (batch, n_out). ``dWs[l]`` has the shape of
        ``weights[l]`` and ``dbs[l]`` the shape of ``biases[l]``.
        """
        X, Y, loss = self.check_data(X, Y, loss)
        zs, activations = self.feedforward(X)
        return self.backprop(zs, activations, loss.grad(activations[-1], Y))

    def loss(self, X, Y, loss: str | Loss = "mse") -> float:
        """Value of ``loss`` on the batch (X, Y)."""
        X, Y, loss = self.check_data(X, Y, loss)
        return loss.fn(self.feedforward(X)[1][-1], Y)

    def predict(self, X) -> np.ndarray:
        """Class predictions, shape (batch,): the index of the largest output, or output > 0.5
        (> 0 for a linear output) when there is a single output."""
        return predicted_classes(self.forward(X), isinstance(self.output_activation, Linear))

    def accuracy(self, X, Y) -> float:
        """Fraction of rows whose predicted class matches ``Y`` (labels or one-hot)."""
        return accuracy(self.forward(X), np.asarray(Y), isinstance(self.output_activation, Linear))

    # -- checks ----------------------------------------------------------

    def check_parameters(self) -> None:
        """Make sure every W and b still has the shape the layer sizes imply (:func:`checks.check_parameters`)."""
        check_parameters(self)

    def check_data(self, X, Y, loss: str | Loss) -> tuple[np.ndarray, np.ndarray, Loss]:
        """Validate a data set and a loss for this network, once, before heavy work."""
        loss = get_loss(loss)
        X, Y = check_data(self, X, Y, loss)
        return X, Y, loss


def predicted_classes(output: np.ndarray, logits: bool = False) -> np.ndarray:
    """The class of each row of ``output`` (batch, n_out), shape (batch,).

    Several outputs: the index of the largest. One output: 1 where it passes
    0.5 (a probability) or 0 (a logit, ``logits=True``), else 0.
    """
    if output.shape[1] > 1:
        return np.argmax(output, axis=1)
    return (output[:, 0] > (0.0 if logits else 0.5)).astype(int)


def true_classes(Y: np.ndarray) -> np.ndarray:
    """The class of each target: labels (batch,) as they are, one-hot rows by argmax, one column by > 0.5."""
    if Y.ndim == 1:
        return Y
    return np.argmax(Y, axis=1) if Y.shape[1] > 1 else (Y[:, 0] > 0.5).astype(int)


def accuracy(output: np.ndarray, Y: np.ndarray, logits: bool = False) -> float:
    """Fraction of correct class predictions. output: (batch, n_out); Y: labels or (batch, n_out)."""
    return float(np.mean(predicted_classes(output, logits) == true_classes(Y)))
