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
from .checks import as_matrix, check_data, check_parameters, check_range, unknown_name
from .losses import Loss, get_loss
from .regularisation import dropout_mask

INITS = ("auto", "xavier", "he")
Masks = Sequence[np.ndarray | None] | None  # one dropout mask per hidden layer (None: no mask there)


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

    ``dropout`` (one probability for every hidden layer, or a list with one per
    hidden layer) turns on inverted dropout in training mode: see :meth:`feedforward`.
    Like a torch module, the network starts in training mode (``training`` is True);
    :meth:`eval` and :meth:`train` switch modes. Without dropout the mode changes nothing.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Activation = "sigmoid",
        output_activation: str | Activation | None = None,
        init: str = "auto",
        seed: int | None = 0,
        dropout: float | Sequence[float] = 0.0,
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
        self.dropout = _dropout_list(dropout, len(self.sizes) - 2)
        self.rng = rng  # dropout masks continue the seeded stream after the weights
        self.training = True
        self.masks: list[np.ndarray | None] | None = None

    def __repr__(self) -> str:
        dropout = f", dropout={self.dropout}" if any(self.dropout) else ""
        return (
            f"Network({self.sizes}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}{dropout})"
        )

    def train(self, mode: bool = True) -> Network:
        """Switch to training mode (dropout on), or to eval mode with ``mode=False``; returns the network."""
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"mode must be True or False; got {mode!r}.")
        self.training = bool(mode)
        return self

    def eval(self) -> Network:
        """Switch to eval mode: no dropout, the same output for the same input. Returns the network."""
        return self.train(False)

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

    def feedforward(self, X: np.ndarray, masks: Masks = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """:meth:`trace` without the input checks, for loops that checked their data once
        (``check_data``). X: (batch, n_in) float64; returns ``(zs, activations)``.

        Dropout: in training mode each hidden a^(l) (l = 1..L−1) with p > 0 is multiplied by a fresh
        inverted-dropout mask m^(l) (entries 0 or 1/(1 − p), :func:`regularisation.dropout_mask`), and
        ``activations[l]`` holds the masked a^(l). The masks are kept in ``self.masks`` (``masks[l-1]``
        multiplies a^(l), (batch, n_l), None for a layer without dropout; None when no mask was used)
        for :meth:`backprop`. ``masks=`` fixes them, in either mode (for gradient checks).
        """
        if masks is not None or (self.training and any(self.dropout)):
            masks = self._masks_for(X.shape[0], masks)
        zs, activations = [], [X]
        for layer, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = activations[-1] @ W.T + b
            zs.append(z)
            a = self.activation_of(layer).fn(z)
            if masks is not None and layer < self.n_layers - 1 and masks[layer] is not None:
                a = a * masks[layer]
            activations.append(a)
        self.masks = masks
        return zs, activations

    def _masks_for(self, batch: int, masks: Masks) -> list[np.ndarray | None]:
        """The dropout masks for a batch: the given ones (checked), or fresh ones in training mode."""
        if masks is None:
            return [dropout_mask((batch, n), p, self.rng) if p > 0 else None
                    for n, p in zip(self.sizes[1:-1], self.dropout)]
        masks = list(masks)
        if len(masks) != self.n_layers - 1:
            raise ValueError(
                f"masks must hold one entry per hidden layer ({self.n_layers - 1}), an array or None; "
                f"got {len(masks)}."
            )
        for i, (m, n) in enumerate(zip(masks, self.sizes[1:-1])):
            if m is not None and np.shape(m) != (batch, n):
                raise ValueError(f"masks[{i}] multiplies a^({i + 1}): expected shape {(batch, n)}; got {np.shape(m)}.")
        return masks

    # -- backward --------------------------------------------------------

    def backprop(self, zs, activations, grad_out, steps: BackwardSteps = BACKPROP, masks: Masks = None):
        """Backpropagate ∂C/∂a^(L) of the output through every layer (rows are examples).

        δ^(L) = ∂C/∂a^(L) ⊙ f'(z^(L));   δ^(l) = (δ^(l+1) W^(l+1)) ⊙ f'(z^(l)).
        With dropout masks m^(l) (``masks``, default ``self.masks``, those of the last
        :meth:`feedforward`): δ^(l) = (δ^(l+1) W^(l+1)) ⊙ m^(l) ⊙ f'(z^(l)).
        ∂C/∂W^(l) = δ^(l)ᵀ A^(l−1)  (n_out, n_in);   ∂C/∂b^(l) = Σ_batch δ^(l)  (n_out,).
        Index ``layer`` below is l − 1: ``dWs[layer]`` is ∂C/∂W^(layer+1).
        ``steps`` (see :class:`BackwardSteps`) can plant a classic mistake, for teaching.
        """
        L = self.n_layers
        masks = self.masks if masks is None else masks
        dWs, dbs = [None] * L, [None] * L
        delta = steps.local(self.output_activation, zs[-1], activations[-1], grad_out, output=True)
        for layer in range(L - 1, -1, -1):
            dWs[layer] = delta.T @ activations[layer]
            dbs[layer] = delta.sum(axis=0)
            if layer > 0:
                grad_a = steps.send_back(delta, self.weights[layer])
                a = activations[layer]
                if masks is not None and masks[layer - 1] is not None:
                    grad_a = grad_a * masks[layer - 1]
                    a = self.activation.fn(zs[layer - 1])  # a^(l) before its mask, for f'
                delta = steps.local(self.activation, zs[layer - 1], a, grad_a, output=False)
        return dWs, dbs

    def gradients(
        self, X, Y, loss: str | Loss = "mse", masks: Masks = None
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(dWs, dbs)``: gradients of the loss (mean over the batch) for every layer.

        X: (batch, n_in); Y: (batch, n_out). ``dWs[l]`` has the shape of
        ``weights[l]`` and ``dbs[l]`` the shape of ``biases[l]``. ``masks``: see :meth:`feedforward`.
        """
        X, Y, loss = self.check_data(X, Y, loss)
        zs, activations = self.feedforward(X, masks)
        return self.backprop(zs, activations, loss.grad(activations[-1], Y))

    def loss(self, X, Y, loss: str | Loss = "mse", masks: Masks = None) -> float:
        """Value of ``loss`` on the batch (X, Y). ``masks``: see :meth:`feedforward`."""
        X, Y, loss = self.check_data(X, Y, loss)
        return loss.fn(self.feedforward(X, masks)[1][-1], Y)

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


def _dropout_list(dropout, n_hidden: int) -> list[float]:
    """``dropout`` as one probability in [0, 1) per hidden layer."""
    many = isinstance(dropout, (list, tuple, np.ndarray))
    ps = list(dropout) if many else [dropout] * max(n_hidden, 1)
    if many and len(ps) != n_hidden:
        raise ValueError(
            f"dropout must be one probability, or a list with one per hidden layer ({n_hidden}); "
            f"got {len(ps)} values. The output layer never has dropout."
        )
    for i, p in enumerate(ps):
        check_range(p, f"dropout[{i}]" if many else "dropout", 0, 1, include_high=False,
                    hint="It is the probability of dropping a hidden unit; 0 turns dropout off.")
    if n_hidden == 0 and any(ps):
        raise ValueError("dropout needs a hidden layer: this network has none, and the output layer never drops.")
    return [float(p) for p in ps[:n_hidden]]


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
