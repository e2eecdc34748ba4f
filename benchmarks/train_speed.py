"""How fast does nncourse train, next to references measured in the same run?

    python benchmarks/train_speed.py [--epochs 20] [--repeats 3]

Two models on the 8x8 digits (1797 images, 70 % for training), mini-batches
of 32, lr 0.1, softmax cross-entropy on a linear output:

- 64-32-10 with sigmoid hidden units
- 64-128-64-10 with ReLU hidden units

For each it prints milliseconds per epoch (the best of ``--repeats`` runs)
for nncourse's ``train``, a minimal vectorised numpy loop of the same
model, a per-sample loop in the style of classic textbook code, and
PyTorch eager mode when torch is installed; then the ratios the targets
are stated in, and the time ``import nncourse`` takes in a fresh process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np

import nncourse
from nncourse import Network, StandardScaler, load_digits, split, train

MODELS = {"64-32-10 sigmoid": ([64, 32, 10], "sigmoid"), "64-128-64-10 relu": ([64, 128, 64, 10], "relu")}
BATCH, LR = 32, 0.1


def data():
    X, y = load_digits()
    (Xtr, ytr), _ = split(X, y, (0.7, 0.3), seed=0)
    return StandardScaler().fit_transform(Xtr), np.eye(10)[ytr]


def hidden_fns(activation):
    if activation == "sigmoid":
        def f(z):
            return 1 / (1 + np.exp(-z))

        def df_from_a(a, z):
            return a * (1 - a)
    else:
        def f(z):
            return np.maximum(z, 0)

        def df_from_a(a, z):
            return z > 0
    return f, df_from_a


def initial_parameters(sizes):
    """Copies of the weights and biases ``Network(sizes, seed=0)`` starts from."""
    net = Network(sizes, seed=0)
    return [W.copy() for W in net.weights], [b.copy() for b in net.biases]


def shuffled_batches(n, epochs):
    """The index arrays of each mini-batch, epoch after epoch: a fresh permutation of range(n) per epoch."""
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        order = rng.permutation(n)
        for first in range(0, n, BATCH):
            yield order[first:first + BATCH]


def run_nncourse(sizes, activation, X, Y, epochs):
    net = Network(sizes, activation=activation, output_activation="linear", seed=0)
    start = time.perf_counter()
    train(net, X, Y, "cross_entropy", lr=LR, epochs=epochs, batch_size=BATCH, seed=0)
    return time.perf_counter() - start


def run_numpy(sizes, activation, X, Y, epochs):
    """The least code that trains the same model: vectorised over the mini-batch."""
    Ws, bs = initial_parameters(sizes)
    f, df = hidden_fns(activation)
    start = time.perf_counter()
    for idx in shuffled_batches(len(X), epochs):
        a, zs, acts = X[idx], [], [X[idx]]
        for W, b in zip(Ws[:-1], bs[:-1]):
            z = a @ W.T + b
            a = f(z)
            zs.append(z)
            acts.append(a)
        logits = a @ Ws[-1].T + bs[-1]
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        delta = (p - Y[idx]) / len(idx)
        for layer in range(len(Ws) - 1, -1, -1):
            dW, db = delta.T @ acts[layer], delta.sum(axis=0)
            if layer > 0:
                delta = (delta @ Ws[layer]) * df(acts[layer], zs[layer - 1])
            Ws[layer] -= LR * dW
            bs[layer] -= LR * db
    return time.perf_counter() - start


def run_per_sample(sizes, activation, X, Y, epochs):
    """Classic textbook style: backprop one example at a time, sum over the mini-batch."""
    Ws, bs = initial_parameters(sizes)
    bs = [b.reshape(-1, 1) for b in bs]
    f, df = hidden_fns(activation)
    start = time.perf_counter()
    for idx in shuffled_batches(len(X), epochs):
        gW = [np.zeros_like(W) for W in Ws]
        gb = [np.zeros_like(b) for b in bs]
        for i in idx:
            a, zs, acts = X[i].reshape(-1, 1), [], [X[i].reshape(-1, 1)]
            for W, b in zip(Ws[:-1], bs[:-1]):
                z = W @ a + b
                a = f(z)
                zs.append(z)
                acts.append(a)
            logits = Ws[-1] @ a + bs[-1]
            p = np.exp(logits - logits.max())
            delta = p / p.sum() - Y[i].reshape(-1, 1)
            for layer in range(len(Ws) - 1, -1, -1):
                gW[layer] += delta @ acts[layer].T
                gb[layer] += delta
                if layer > 0:
                    delta = (Ws[layer].T @ delta) * df(acts[layer], zs[layer - 1])
        for layer in range(len(Ws)):
            Ws[layer] -= LR * gW[layer] / len(idx)
            bs[layer] -= LR * gb[layer] / len(idx)
    return time.perf_counter() - start


def run_torch(sizes, activation, X, Y, epochs):
    import torch

    torch.manual_seed(0)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out).double())
        if i < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid() if activation == "sigmoid" else torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(Y.argmax(axis=1))
    start = time.perf_counter()
    for idx in shuffled_batches(len(X), epochs):
        idx = torch.from_numpy(idx)
        opt.zero_grad()
        loss_fn(model(Xt[idx]), yt[idx]).backward()
        opt.step()
    return time.perf_counter() - start


def import_seconds(repeats=5):
    code = "import time; t = time.perf_counter(); import nncourse; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(repeats)]
    return min(runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X, Y = data()
    runners = {"nncourse": run_nncourse, "numpy loop": run_numpy, "per-sample loop": run_per_sample}
    try:
        import torch

        torch.set_num_threads(2)
        runners["pytorch"] = run_torch
    except ImportError:
        print("(PyTorch is not installed: skipping that reference)")
    print(f"nncourse {nncourse.__version__}, numpy {np.__version__}; {len(X)} training images, "
          f"batch {BATCH}, lr {LR}, {args.epochs} epochs, best of {args.repeats}\n")
    print(f"{'model':20} " + " ".join(f"{name:>16}" for name in runners) + "   (ms per epoch)")
    for model, (sizes, activation) in MODELS.items():
        best = dict.fromkeys(runners, float("inf"))
        for _ in range(args.repeats):  # interleaved, so that a busy moment hits every runner alike
            for name, run in runners.items():
                epochs = max(2, args.epochs // 10) if name == "per-sample loop" else args.epochs
                best[name] = min(best[name], run(sizes, activation, X, Y, epochs) / epochs)
        ms = {name: 1000 * seconds for name, seconds in best.items()}
        print(f"{model:20} " + " ".join(f"{ms[name]:16.2f}" for name in runners))
        ratios = [f"nncourse / numpy loop = {ms['nncourse'] / ms['numpy loop']:.2f}",
                  f"per-sample loop / nncourse = {ms['per-sample loop'] / ms['nncourse']:.1f}"]
        if "pytorch" in ms:
            ratios.append(f"pytorch / nncourse = {ms['pytorch'] / ms['nncourse']:.2f}")
        print(f"{'':20} " + "; ".join(ratios))
    print(f"\nimport nncourse: {1000 * import_seconds():.0f} ms (best of 5 fresh processes)")


if __name__ == "__main__":
    main()
