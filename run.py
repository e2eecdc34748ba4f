#!/usr/bin/env python3
"""Set up the course and open it, or set it up and run every test.

    python3 run.py lab     # make .venv, install the pinned packages, open JupyterLab
    python3 run.py test    # make .venv, install, then run every test (ends with `lowest`)
    python3 run.py lowest  # make .venv-lowest at the lowest supported versions and test there

Needs only Python >= 3.10 with pip. Everything goes into ./.venv; a second
run reuses it and reinstalls only when a requirements file has changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
REQUIREMENTS = {
    "lab": [ROOT / "binder" / "requirements.txt"],
    "test": [ROOT / "binder" / "requirements.txt", ROOT / "tests" / "requirements.txt"],
}


def sh(*cmd, check: bool = True, **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    code = subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)
    if check and code != 0:
        sys.exit(code)
    return code


def setup(mode: str) -> None:
    """Create .venv and install the pinned requirements and nncourse itself."""
    if sys.version_info < (3, 10):  # noqa: UP036 - a clear message on an old Python
        sys.exit(f"nncourse needs Python >= 3.10; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    files = REQUIREMENTS[mode] + [ROOT / "pyproject.toml"]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{mode}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    pip = [PY, "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    sh(*pip, *[arg for f in REQUIREMENTS[mode] for arg in ("-r", f)])
    sh(*pip, "--no-deps", "-e", ".")
    stamp.write_text(digest)


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium; install it where we can."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if sh("apt-get", "update", "-qq", check=False, env=env) == 0:
            sh("apt-get", "install", "-y", "-qq", "chromium", check=False, env=env)
    if not Path("/usr/bin/chromium").exists():
        print("Chromium is not available: the browser tests will be skipped.", flush=True)


def ensure_bubblewrap() -> None:
    """`nncourse grade` runs each submission in a bubblewrap sandbox; install it where we can."""
    if shutil.which("bwrap") or not sys.platform.startswith("linux"):
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if sh("apt-get", "install", "-y", "-qq", "bubblewrap", check=False, env=env) != 0:
            if sh("apt-get", "update", "-qq", check=False, env=env) == 0:
                sh("apt-get", "install", "-y", "-qq", "bubblewrap", check=False, env=env)
    if not shutil.which("bwrap"):
        print("bubblewrap is not available: the grading tests will be skipped.", flush=True)


def pytest(*args: str) -> int:
    code = sh(PY, "-m", "pytest", *args, check=False)
    return 0 if code == 5 else code  # 5: nothing collected, e.g. no notebooks yet


LOWEST = ROOT / ".venv-lowest"
LOWEST_CONSTRAINTS = ROOT / "tests" / "lowest-constraints.txt"
# Run again at the lowest supported versions: the unit tests and the headless widget tests
# (not the browser, Binder, site or grading-sandbox ones), then every notebook (test_lowest.py).
LOWEST_TESTS = [
    "tests/test_activations.py", "tests/test_data.py", "tests/test_errors.py", "tests/test_gradcheck.py",
    "tests/test_losses.py", "tests/test_network.py", "tests/test_optim.py", "tests/test_schedules.py",
    "tests/test_symbolic.py", "tests/test_train.py", "tests/test_worked_example.py", "tests/test_feedback.py",
    "tests/test_playground.py", "tests/test_widgets_derivatives.py", "tests/test_widgets_gradient.py",
    "tests/test_widgets_descent.py", "tests/test_widgets_neuron.py", "tests/test_widgets_costs.py",
    "tests/test_widgets_backprop.py", "tests/test_widgets_batching.py", "tests/test_widgets_optimizers.py",
    "tests/test_widgets_initialisation.py", "tests/test_widgets_graph.py", "tests/test_autograd.py",
    "tests/test_regularisation.py", "tests/test_lowest.py",
]


def lowest() -> int:
    """Build .venv-lowest at the versions in tests/lowest-constraints.txt (pyproject's floors)
    and run LOWEST_TESTS there; a warning raised from nncourse's own code fails a test."""
    import time

    start = time.perf_counter()
    py = LOWEST / BIN.name / PY.name
    if not py.exists():
        print(f"Creating {LOWEST} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(LOWEST)
    files = [LOWEST_CONSTRAINTS, ROOT / "tests" / "requirements.txt", ROOT / "pyproject.toml"]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = LOWEST / ".installed-lowest"
    if not (stamp.exists() and stamp.read_text() == digest):
        sh(py, "-m", "pip", "--disable-pip-version-check", "install", "-q", "--only-binary=:all:",
           "-c", LOWEST_CONSTRAINTS, "-c", ROOT / "tests" / "requirements.txt", "-e", ".", "pytest", "hypothesis")
        stamp.write_text(digest)
    env = dict(os.environ, NNCOURSE_LOWEST="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    code = sh(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", r"filterwarnings=error:::nncourse(\..*)?",
              *LOWEST_TESTS, check=False, env=env)
    print(f"lowest versions: {'passed' if code == 0 else 'FAILED'} in {time.perf_counter() - start:.0f} s", flush=True)
    return code


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "lowest":
        return lowest()
    if mode not in ("lab", "test"):
        print(__doc__)
        return 2
    setup(mode)
    if mode == "lab":
        return sh(PY, "-m", "nncourse.course.cli", "lab", *sys.argv[2:], check=False)
    ensure_chromium()
    ensure_bubblewrap()
    unit = pytest("tests", *sys.argv[2:])
    notebooks = pytest("--nbval", "--nbval-current-env", "-p", "no:randomly", "notebooks", "exercises")
    oldest = lowest()
    return unit or notebooks or oldest


if __name__ == "__main__":
    sys.exit(main())
