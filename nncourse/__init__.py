"""nncourse: the network, loss and optimizer code of the course *How neural networks learn*.

A short tour (each module holds one idea):

- ``activations``: sigmoid, tanh, ReLU, leaky ReLU, linear, softmax, each with its derivative
- ``losses``: MSE, half sum of squares, MAE, binary cross-entropy (on probabilities
  or on logits), softmax cross-entropy, each with its gradient
- ``network``: ``Network``, dense layers with an explicit forward and backward pass
- ``optim``: SGD, momentum, RMSProp, Adam and AdamW behind one ``step(params, grads)``
- ``regularisation``: L2 penalty, gradient clipping, dropout masks
- ``metrics``: the confusion matrix
- ``schedules``: learning-rate schedules
- ``train``: ``train(...)`` for batch, stochastic and mini-batch gradient descent
- ``data``: the worked example, toy 2-D sets, the 8x8 digits, scaling, splits, mini-batches
- ``gradcheck``: finite-difference gradients and ``gradient_check``
- ``autograd``: ``Value``, a scalar automatic-differentiation engine (computational graphs)
- ``symbolic``: SymPy helpers used by the calculus notebooks (SymPy loads on first use)
"""

from .activations import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh, get_activation
from .data import (
    MinMaxScaler,
    StandardScaler,
    load_digits,
    make_toy,
    minibatches,
    one_hot,
    split,
    worked_example,
)
from .gradcheck import gradient_check, numeric_gradient, relative_error
from .losses import BCE, MAE, MSE, BCEWithLogits, CrossEntropy, HalfSSE, get_loss
from .network import Network
from .optim import SGD, Adam, AdamW, Momentum, RMSprop, get_optimizer
from .train import DivergenceError, History, train

__version__ = "0.1.0"

__all__ = [
    "Adam", "AdamW", "BCE", "BCEWithLogits", "CrossEntropy", "DivergenceError", "HalfSSE", "History", "LeakyReLU",
    "Linear", "MAE", "MSE", "MinMaxScaler", "Momentum", "Network", "RMSprop", "ReLU", "SGD", "Sigmoid",
    "Softmax", "StandardScaler", "Tanh", "get_activation", "get_loss", "get_optimizer",
    "gradient_check", "load_digits", "make_toy", "minibatches", "numeric_gradient", "one_hot",
    "relative_error", "split", "train", "worked_example",
]
