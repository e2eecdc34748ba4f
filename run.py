#!/usr/bin/env python3
"""Set up the course and open it, or set it up and run every test.

    python3 run.py lab     # make .venv, install the pinned packages, open JupyterLab
    python3 run.py test    # make .venv, install, then run every test

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


def pytest(*args: str) -> int:
    code = sh(PY, "-m", "pytest", *args, check=False)
    return 0 if code == 5 else code  # 5: nothing collected, e.g. no notebooks yet


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("lab", "test"):
        print(__doc__)
        return 2
    setup(mode)
    if mode == "lab":
        return sh(PY, "-m", "nncourse.cli", "lab", *sys.argv[2:], check=False)
    ensure_chromium()
    unit = pytest("tests", *sys.argv[2:])
    notebooks = pytest("--nbval", "--nbval-current-env", "-p", "no:randomly", "notebooks", "exercises")
    return unit or notebooks


if __name__ == "__main__":
    sys.exit(main())
