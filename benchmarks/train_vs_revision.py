"""Is this checkout's ``train`` slower than an earlier revision's? Both measured in the same run.

    python benchmarks/train_vs_revision.py REV [--epochs 10] [--repeats 7]

The models and data are train_speed.py's (8x8 digits, mini-batches of 32, lr 0.1, softmax
cross-entropy; 64-32-10 sigmoid and 64-128-64-10 ReLU). REV is checked out into a temporary
git worktree; each measurement runs in a fresh process with one BLAS thread, so that the two
trees differ only in their ``nncourse``.

Two measures, each as the ratio (this checkout) / (REV):

- instructions, counted by valgrind's callgrind: unaffected by whatever else the machine is doing,
  but not quite the same every run (one tree, four runs on 2026-12-04: 48.9 to 49.7 M for the
  small model, 132.28 to 132.37 M for the large one), so a ratio within about 1.02 of 1 is no
  measurable difference. Training's count is a run that trains minus a run that stops just before
  ``train`` (imports, data, network), so start-up does not dilute the ratio.
- seconds per epoch, the best of ``--repeats`` runs, the two trees interleaved so that a busy
  moment hits both alike.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_speed import BATCH, LR, MODELS  # noqa: E402  (the same models and settings)

# Run in a fresh process with the tree to measure first on sys.path; prints seconds of training.
SCRIPT = f"""
import sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from nncourse import Network, StandardScaler, load_digits, split, train
sizes, activation, epochs = eval(sys.argv[2]), sys.argv[3], int(sys.argv[4])
X, y = load_digits()
(X, y), _ = split(X, y, (0.7, 0.3), seed=0)
X, Y = StandardScaler().fit_transform(X), np.eye(10)[y]
net = Network(sizes, activation=activation, output_activation="linear", seed=0)
start = time.perf_counter()
if epochs:
    train(net, X, Y, "cross_entropy", lr={LR}, epochs=epochs, batch_size={BATCH}, seed=0)
print(time.perf_counter() - start)
"""

ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def run(tree: Path, sizes, activation: str, epochs: int, valgrind: bool = False) -> float:
    """Seconds of training (or, with ``valgrind``, instructions of the whole process)."""
    command = [sys.executable, "-c", SCRIPT, str(tree), repr(sizes), activation, str(epochs)]
    if valgrind:
        command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **ONE_THREAD,
                                                                         "PYTHONHASHSEED": "0"})
    if done.returncode != 0:
        raise SystemExit(f"the measurement failed in {tree}:\n{done.stderr[-2000:]}")
    if not valgrind:
        return float(done.stdout)
    collected = re.search(r"Collected : (\d+)", done.stderr)
    if collected is None:
        raise SystemExit(f"callgrind printed no instruction count:\n{done.stderr[-2000:]}")
    return float(collected.group(1))


def training_instructions(tree: Path, sizes, activation: str, epochs: int) -> float:
    """Instructions spent in ``train``: a run that trains minus one that stops just before."""
    return run(tree, sizes, activation, epochs, valgrind=True) - run(tree, sizes, activation, 0, valgrind=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the revision to compare with, e.g. a commit or main~5")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--callgrind-epochs", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install -y valgrind")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.rev],
                       check=True, capture_output=True)
        try:
            compare(base, args)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=True)


def compare(base: Path, args: argparse.Namespace) -> None:
    print(f"this checkout vs {args.rev}: one BLAS thread; ratios are this / {args.rev} (below 1 = faster)\n")
    for model, (sizes, activation) in MODELS.items():
        here = training_instructions(ROOT, sizes, activation, args.callgrind_epochs)
        there = training_instructions(base, sizes, activation, args.callgrind_epochs)
        print(f"{model:20} instructions in {args.callgrind_epochs} epochs: {here / 1e6:,.1f} M vs "
              f"{there / 1e6:,.1f} M, ratio {here / there:.3f}")
        best = {ROOT: float("inf"), base: float("inf")}
        for _ in range(args.repeats):
            for tree in best:
                best[tree] = min(best[tree], run(tree, sizes, activation, args.epochs) / args.epochs)
        print(f"{'':20} ms per epoch (best of {args.repeats}): {1000 * best[ROOT]:.2f} vs "
              f"{1000 * best[base]:.2f}, ratio {best[ROOT] / best[base]:.3f}")


if __name__ == "__main__":
    main()
