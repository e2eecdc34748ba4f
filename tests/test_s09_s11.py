"""Question banks 09 and 11: each reference against an independent computation, each named mistake
recognised in an answer written the way a learner would write it, and hidden cases for every
function question (issue 12's rules, issue 13's new questions)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from nncourse.grading import judge, wire
from nncourse.grading.probe import hidden_cases
from nncourse.grading.questions import s09, s11
from nncourse.grading.spec import bank

ROOT = Path(__file__).resolve().parent.parent
SOURCE = {
    "09": ROOT / "exercises" / "source" / "09_minibatch_training.ipynb",
    "11": ROOT / "exercises" / "source" / "11_activations_init_overfitting.ipynb",
}


def verdict(section: str, qid: str, answer, cases=None):
    """The verdict for a learner's function ``answer`` on the question's public cases (or ``cases``)."""
    q = bank(section)[qid]
    cases = list(q.cases if cases is None else cases)
    outcomes = [wire.run_case(answer, "function", c, q.lists, q.functions) for c in cases]
    return judge.evaluate(q, cases, outcomes)


def assert_named(v, name):
    assert v.status == "fail" and name in v.diagnoses and name in v.message, v


# -- s09 q4: the noise law, against exact enumeration of every possible batch --------------------


@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize("b", [1, 2, 3, 5])
def test_gradient_noise_matches_every_batch_enumerated(b, replace):
    rng = np.random.default_rng(0)
    n = 5 if replace else 7
    g_i = rng.normal(size=(n, 3))
    g = g_i.mean(axis=0)
    sigma = np.sqrt(np.mean(np.sum((g_i - g) ** 2, axis=1)))
    if replace:  # every ordered b-tuple of independent draws, each equally likely
        batches = itertools.product(range(n), repeat=b)
    else:  # every b-subset, each equally likely
        batches = itertools.combinations(range(n), b)
    sq = [np.sum((g_i[list(B)].mean(axis=0) - g) ** 2) for B in batches]
    assert s09.gradient_noise(sigma, b, n, replace) == pytest.approx(np.sqrt(np.mean(sq)), rel=1e-12)


def test_gradient_noise_of_the_full_batch_is_zero_without_replacement():
    assert s09.gradient_noise(2.0, 10, 10, False) == 0.0
    assert s09.gradient_noise(2.0, 10, 10, True) == pytest.approx(2.0 / np.sqrt(10))


def test_gradient_noise_mistakes_are_named():
    assert_named(verdict("09", "q4", lambda sigma, b, n, replace: sigma / np.sqrt(b)),
                 "finite-population correction left out")
    def swapped(sigma, b, n, replace):
        return sigma / np.sqrt(b) * (np.sqrt((n - b) / (n - 1)) if replace else 1)

    v = verdict("09", "q4", swapped)
    assert_named(v, "correction applied to the wrong kind of draw")
    v = verdict("09", "q4", lambda sigma, b, n, replace: sigma**2 / b * (1 if replace else (n - b) / (n - 1)))
    assert_named(v, "variance instead of root-mean-square")
    v = verdict("09", "q4", lambda sigma, b, n, replace: sigma / b * (1 if replace else np.sqrt((n - b) / (n - 1))))
    assert_named(v, "divided by b instead of √b")


# -- s09 q6: the confusion matrix, against scikit-learn ------------------------------------------


def test_confusion_matrix_matches_scikit_learn():
    from sklearn.metrics import confusion_matrix as sk_confusion

    rng = np.random.default_rng(3)
    y_true, y_pred = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
    np.testing.assert_array_equal(s09.confusion_matrix(y_true, y_pred, 6),
                                  sk_confusion(y_true, y_pred, labels=range(6)))


def test_confusion_matrix_mistakes_written_by_hand_are_named():
    def fancy_index(y_true, y_pred, n_classes):
        M = np.zeros((n_classes, n_classes), dtype=int)
        M[np.asarray(y_true), np.asarray(y_pred)] += 1
        return M

    def swapped(y_true, y_pred, n_classes):
        M = np.zeros((n_classes, n_classes), dtype=int)
        for t, p in zip(y_true, y_pred):
            M[p, t] += 1
        return M

    def sized_by_labels(y_true, y_pred, n_classes):
        k = max(max(y_true), max(y_pred)) + 1
        M = np.zeros((k, k), dtype=int)
        for t, p in zip(y_true, y_pred):
            M[t, p] += 1
        return M

    assert_named(verdict("09", "q6", fancy_index), "repeated pairs counted once")
    assert_named(verdict("09", "q6", swapped), "rows and columns swapped")
    assert_named(verdict("09", "q6", sized_by_labels), "size taken from the labels, not from n_classes")


# -- s09 q7: the training loop, against a loop written here without Network ----------------------


def numpy_loop(W1, b1, W2, b2, X, y, lr, batch_size, epochs, seed, order_of=None, update_each_batch=True):
    """Mini-batch SGD on softmax cross-entropy with its own forward and backward pass (not Network)."""
    W1, b1, W2, b2 = (np.array(p, dtype=float) for p in (W1, b1, W2, b2))
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    n = len(X)
    order_of = order_of or (lambda e: np.random.default_rng(seed + e).permutation(n))
    for e in range(epochs):
        order = order_of(e)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            a1 = 1 / (1 + np.exp(-(X[idx] @ W1.T + b1)))
            z2 = a1 @ W2.T + b2
            p = np.exp(z2 - z2.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            d2 = (p - np.eye(W2.shape[0])[y[idx]]) / len(idx)  # ∂C/∂z^(2) of the batch-mean loss
            d1 = (d2 @ W2) * a1 * (1 - a1)
            grads = (d1.T @ X[idx], d1.sum(axis=0), d2.T @ a1, d2.sum(axis=0))
            if update_each_batch:
                W1, b1, W2, b2 = (p_ - lr * g_ for p_, g_ in zip((W1, b1, W2, b2), grads))
        if not update_each_batch:
            W1, b1, W2, b2 = (p_ - lr * g_ for p_, g_ in zip((W1, b1, W2, b2), grads))
    return [W1, b1, W2, b2]


def decoded(case):
    return wire.decode_args(case)


@pytest.mark.parametrize("which", [0, 1])
def test_train_epochs_matches_an_independent_numpy_loop(which):
    case = decoded(bank("09")["q7"].cases[which])
    for ours, theirs in zip(s09.train_epochs(**case), numpy_loop(**case)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_the_one_generator_mistake_is_what_nncourse_train_does():
    """The fix text says nncourse.train draws from one generator: check it on the public case."""
    from nncourse import Network, train

    case = decoded(s09.LOOP_CASE)
    net = Network([2, 3, 3], activation="sigmoid", output_activation="linear")
    net.weights = [np.array(case["W1"]), np.array(case["W2"])]
    net.biases = [np.array(case["b1"]), np.array(case["b2"])]
    train(net, case["X"], np.array(case["y"]), loss="cross_entropy", lr=case["lr"], epochs=case["epochs"],
          batch_size=case["batch_size"], seed=case["seed"])
    one_rng = s09._variant(shuffle="one-rng")(**case)
    for ours, theirs in zip(one_rng, [net.weights[0], net.biases[0], net.weights[1], net.biases[1]]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    v = verdict("09", "q7", lambda **c: numpy_loop(**c, order_of=_one_rng_orders(c)))
    assert_named(v, "one generator for the whole run")


def _one_rng_orders(case):
    rng = np.random.default_rng(case["seed"])
    orders = [rng.permutation(len(case["X"])) for _ in range(case["epochs"])]
    return lambda e: orders[e]


def test_training_loop_mistakes_written_by_hand_are_named():
    v = verdict("09", "q7", lambda **c: numpy_loop(**c, update_each_batch=False))
    assert_named(v, "updated once per epoch instead of once per batch")
    v = verdict("09", "q7", lambda **c: numpy_loop(**c, order_of=lambda e: np.arange(len(c["X"]))))
    assert_named(v, "not shuffled")
    v = verdict("09", "q7", lambda **c: numpy_loop(
        **c, order_of=lambda e: np.random.default_rng(c["seed"]).permutation(len(c["X"]))))
    assert_named(v, "the same order in every epoch")

    def summed(W1, b1, W2, b2, X, y, lr, batch_size, epochs, seed):  # lr times the batch size = summed gradient
        from nncourse import Network

        net = Network([len(W1[0]), len(W1), len(W2)], activation="sigmoid", output_activation="linear")
        net.weights, net.biases = [np.array(W1), np.array(W2)], [np.array(b1), np.array(b2)]
        for e in range(epochs):
            order = np.random.default_rng(seed + e).permutation(len(X))
            for start in range(0, len(X), batch_size):
                idx = order[start : start + batch_size]
                dWs, dbs = net.gradients(X[idx], np.asarray(y)[idx], "cross_entropy")
                for p, g in zip(net.weights + net.biases, dWs + dbs):
                    p -= lr * len(idx) * g
        return [net.weights[0], net.biases[0], net.weights[1], net.biases[1]]

    assert_named(verdict("09", "q7", summed), "gradient not averaged over the batch")


# -- s09 q8: the learning rate backed by a measurement ---------------------------------------------


def test_val_loss_after_is_the_notebooks_function():
    """The validator re-runs the same training as the notebook's given cell (executed here)."""
    cells = {c["id"]: "".join(c["source"]) for c in json.loads(SOURCE["09"].read_text())["cells"]}
    namespace: dict = {}
    exec("import numpy as np\nfrom nncourse import DivergenceError, Network, load_digits, split, train", namespace)
    exec(cells["s09datacode"], namespace)
    exec(cells["s09q8given"].split("\n\n\nprint")[0], namespace)
    for lr in (0.3, 1.0):
        assert namespace["val_loss_after"](lr) == s09.val_loss_after(lr)


def test_lr_evidence_is_checked_by_re_running_it():
    m = {lr: s09.val_loss_after(lr) for lr in (0.3, 1.0, 3.0, 5.0, 10.0)}
    ok, message = s09.lr_justified({"lrs": [0.3, 1.0, 3.0], "val_losses": [m[0.3], m[1.0], m[3.0]], "chosen": 1.0})
    assert ok, message
    rounded = {"lrs": (0.3, 1.0, 3.0), "val_losses": np.array([float(f"{m[lr]:.3g}") for lr in (0.3, 1.0, 3.0)]),
               "chosen": np.float64(1.0)}  # 3 significant figures, a tuple and numpy types are accepted
    assert s09.lr_justified(rounded)[0]
    cases = [
        ({"lrs": [0.3, 1.0, 3.0], "val_losses": [m[0.3], 0.2, m[3.0]], "chosen": 1.0}, "is not what val_loss_after"),
        ({"lrs": [0.3, 1.0, 3.0], "val_losses": [m[0.3], m[1.0], m[3.0]], "chosen": 3.0}, "lower validation loss"),
        ({"lrs": [0.3, 1.0], "val_losses": [m[0.3], m[1.0]], "chosen": 1.0}, "at least 3"),
        ({"lrs": [3.0, 5.0, 10.0], "val_losses": [m[3.0], m[5.0], m[10.0]], "chosen": 5.0}, "below 0.4"),
        ({"lrs": [0.1, 0.3, 1.0], "val_losses": [s09.val_loss_after(0.1), m[0.3], m[1.0]], "chosen": 1.0},
         "measure a larger learning rate"),
        ({"lrs": [0.3, 1.0, 3.0], "val_losses": [m[0.3], m[1.0], m[3.0]], "chosen": 2.0}, "not one of"),
        ([0.3, 1.0], 'keys "lrs", "val_losses" and "chosen"'),
    ]
    for evidence, expected in cases:
        ok, message = s09.lr_justified(evidence)
        assert not ok and expected in message, (evidence, message)
        for value in m.values():  # no measured loss is revealed, at any usual precision
            assert f"{value:.2f}" not in message and f"{value:.3g}" not in message, message


# -- s11 q3 and q8: early stopping and ties (issue 12) ----------------------------------------------


def test_a_tie_is_not_diagnosed_as_counting_from_1():
    latest = lambda val_loss: int(len(val_loss) - 1 - np.argmin(np.asarray(val_loss)[::-1]))  # noqa: E731
    v = verdict("11", "q3", latest)
    assert_named(v, "the later of two tied minima kept")
    assert "counted epochs from 1" not in v.diagnoses and v.passed == 1
    # only the tie case, on its own: still not "counted from 1"
    v = verdict("11", "q3", latest, cases=[{"val_loss": [1.0, 0.8, 0.8, 0.9]}])
    assert v.diagnoses == ["the later of two tied minima kept"], v
    v = verdict("11", "q3", lambda val_loss: int(np.argmin(val_loss)) + 1)
    assert_named(v, "counted epochs from 1")


def early_stopping_numpy(val_loss, patience):
    """Independent: the running minimum and where it was first reached, then the first epoch that is
    patience epochs past it."""
    losses = np.asarray(val_loss, dtype=float)
    running = np.minimum.accumulate(losses)
    best_at = np.array([int(np.flatnonzero(losses[: e + 1] == running[e])[0]) for e in range(len(losses))])
    late = np.flatnonzero(np.arange(len(losses)) - best_at >= patience)
    stop = int(late[0]) if late.size else len(losses) - 1
    return [stop, int(best_at[stop])]


def test_early_stopping_matches_an_independent_computation_and_hand_values():
    assert s11.early_stopping([1.0, 0.7, 0.5, 0.55, 0.6, 0.52, 0.4, 0.45], 2) == [4, 2]
    assert s11.early_stopping([0.9, 0.6, 0.6, 0.7, 0.8, 0.75], 3) == [4, 1]
    assert s11.early_stopping([0.5, 0.4, 0.3], 5) == [2, 2]
    rng = np.random.default_rng(0)
    for _ in range(300):
        losses = np.round(rng.uniform(0, 1, rng.integers(1, 12)), 1).tolist()  # rounding makes ties common
        patience = int(rng.integers(1, 4))
        assert s11.early_stopping(losses, patience) == early_stopping_numpy(losses, patience), (losses, patience)


def test_early_stopping_follows_nncourse_train():
    """train(patience=p) stops after the same epoch and keeps the same one as the reference says."""
    from nncourse import Network, load_digits, split, train

    digits, labels = load_digits()
    (X, y), (X_val, y_val), _ = split(digits[:400] / 16.0, labels[:400], (0.5, 0.25, 0.25), seed=0)
    net = Network([64, 32, 10], activation="sigmoid", output_activation="linear", seed=0)
    h = train(net, X, y, loss="cross_entropy", lr=3.0, epochs=40, batch_size=16, X_val=X_val, Y_val=y_val,
              patience=3, seed=0)
    assert h.stopped_early
    assert s11.early_stopping(h.val_loss, 3) == [h.epochs - 1, h.best_epoch]


def test_early_stopping_mistakes_written_by_hand_are_named():
    def with_ties(val_loss, patience):
        best, best_loss = 0, np.inf
        for e, loss in enumerate(val_loss):
            if loss <= best_loss:
                best, best_loss = e, loss
            if e - best >= patience:
                return [e, best]
        return [len(val_loss) - 1, best]

    v = verdict("11", "q8", with_ties)
    assert_named(v, "a tie counted as an improvement")
    assert "counted epochs from 1" not in v.diagnoses
    v = verdict("11", "q8", lambda val_loss, patience: [e + 1 for e in s11.early_stopping(val_loss, patience)])
    assert_named(v, "counted epochs from 1")


# -- s11 q6 and q7: gradients by finite differences ------------------------------------------------


def mse_of(Ws, bs, X, Y, activation):
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}[activation]
    a = X
    for layer, (W, b) in enumerate(zip(Ws, bs)):
        z = a @ W.T + b
        a = z if layer == len(Ws) - 1 else f(z)
    return np.mean((a - Y) ** 2)


@pytest.mark.parametrize("which", [0, 1])
def test_layer_gradient_norms_match_finite_differences(which):
    from nncourse.gradcheck import numeric_gradient

    q = bank("11")["q6"]
    case = wire.decode_args(q.cases[which], q.lists)
    norms = []
    for layer in range(len(case["Ws"])):
        def loss_of(W, layer=layer):
            Ws = list(case["Ws"])
            Ws[layer] = W
            return mse_of(Ws, case["bs"], case["X"], case["Y"], case["activation"])

        norms.append(np.linalg.norm(numeric_gradient(loss_of, case["Ws"][layer].copy())))
    np.testing.assert_allclose(s11.layer_gradient_norms(**case), norms, rtol=1e-6)


def test_hidden_gradient_spread_by_finite_differences_and_symmetry():
    from nncourse.gradcheck import numeric_gradient

    case = wire.decode_args(s11.RANDOM)

    def loss_sigmoid_out(W1):  # q7's network has a sigmoid output layer too
        a1 = 1 / (1 + np.exp(-(case["X"] @ W1.T + case["b1"])))
        a2 = 1 / (1 + np.exp(-(a1 @ case["W2"].T + case["b2"])))
        return np.mean((a2 - case["Y"]) ** 2)

    dW1 = numeric_gradient(loss_sigmoid_out, case["W1"].copy())
    assert s11.hidden_gradient_spread(**case) == pytest.approx(np.ptp(dW1, axis=0).max(), rel=1e-6)
    assert s11.hidden_gradient_spread(**wire.decode_args(s11.EQUAL)) == 0.0  # equal weights: equal gradients


def test_gradient_norm_and_symmetry_mistakes_written_by_hand_are_named():
    from nncourse import Network

    def norms(Ws, bs, X, Y, activation, reverse=False, of_weights=False):
        net = Network([Ws[0].shape[1]] + [W.shape[0] for W in Ws], activation=activation, output_activation="linear")
        net.weights, net.biases = [W.copy() for W in Ws], [b.copy() for b in bs]
        dWs, _ = net.gradients(X, Y, "mse")
        out = [float(np.linalg.norm(W if of_weights else dW)) for W, dW in zip(Ws, dWs)]
        return out[::-1] if reverse else out

    assert_named(verdict("11", "q6", lambda **c: norms(**c, reverse=True)), "layers in reverse order")
    v = verdict("11", "q6", lambda **c: norms(**c, of_weights=True))
    assert_named(v, "norms of the weights, not of their gradients")
    v = verdict("11", "q6", lambda **c: [len(c["X"]) * v for v in norms(**c)])
    assert v.status == "fail" and "summing instead of averaging over the batch" in v.message, v
    assert_named(verdict("11", "q7", lambda W1, b1, W2, b2, X, Y: float(np.ptp(W1, axis=0).max())),
                 "weights compared instead of their gradients")


# -- hidden cases ---------------------------------------------------------------------------------


@pytest.mark.parametrize("section", ["09", "11"])
def test_every_function_question_has_hidden_cases_the_reference_answers(section):
    hidden = hidden_cases(SOURCE[section])
    for q in bank(section).values():
        if q.kind != "function":
            continue
        assert len(hidden.get(q.id, [])) >= 2, q.id
        public = [json.dumps(c, sort_keys=True) for c in q.cases]
        def answer(q=q, **kw):
            return q.reference(**kw)

        for case in hidden[q.id]:
            assert json.dumps(case, sort_keys=True) not in public, (q.id, case)
            v = judge.evaluate(q, [case], [wire.run_case(answer, "function", case, q.lists)])
            assert v.status == "pass", (q.id, case, v)


def test_hidden_cases_include_ties_for_early_stopping():
    hidden = hidden_cases(SOURCE["11"])
    for qid in ("q3", "q8"):
        cases = hidden[qid]
        assert any(len(set(c["val_loss"])) < len(c["val_loss"]) for c in cases), qid
