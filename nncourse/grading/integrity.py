"""Defence in depth: a fingerprint of everything a kernel could tamper with to change grades.

``fingerprint(extra)`` records, before grading and again after each submission:

- every file of the ``nncourse`` package, bytecode (``__pycache__``) included: size,
  modification time and SHA-256;
- the list of files of every site-packages folder of this Python, with sizes and
  modification times (the venv: a planted ``.pth`` or a patched numpy shows here).
  ``full=False`` (the check after each submission, which must be quick) records
  only its folders' modification times (a file added, removed or replaced by a
  rename), its ``.pth`` files and the files at its top; the full list is checked
  before grading and again at the end;
- the Jupyter kernel specs and the IPython profiles' startup files and configs;
- ``extra`` files (the source notebook, each submission's bytes as read).

``changes(before, after)`` names what differs. The grader stops at the first change and
writes nothing more (``grade.TaintedEnvironment``).
"""

from __future__ import annotations

import hashlib
import os
import site
import sysconfig
from pathlib import Path


def _walk(root: Path, digest: bool, only=None, dirs_only: bool = False) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    if not root.exists():
        return out
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        if dirs_only:
            try:
                st = os.lstat(folder)
                out[folder + os.sep] = (st.st_mtime_ns, st.st_mode)
            except OSError:
                pass
            top = Path(folder) == root
            files = [f for f in files if top or f.endswith(".pth")]
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = os.path.join(folder, name)
            if only is not None and not only(path):
                continue
            try:
                st = os.lstat(path)
            except OSError:
                continue
            entry: tuple = (st.st_size, st.st_mtime_ns, st.st_mode)
            if digest and os.path.isfile(path) and not os.path.islink(path):
                try:
                    entry += (hashlib.sha256(Path(path).read_bytes()).hexdigest(),)
                except OSError:
                    pass
            out[path] = entry
    return out


def _site_dirs() -> list[Path]:
    dirs = {Path(p) for p in site.getsitepackages()} | {Path(sysconfig.get_paths()["purelib"])}
    return sorted(d.resolve() for d in dirs if d.exists())


def _ipython_files(path: str) -> bool:
    parts = Path(path).parts
    return "startup" in parts or (path.endswith(".py") and "profile_" in path) or path.endswith(".json")


def fingerprint(extra: list[Path] = (), full: bool = True) -> dict[str, tuple]:
    """The current state of the grading environment (see the module docstring)."""
    from jupyter_client.kernelspec import KernelSpecManager

    from .sandbox import package_dir

    state: dict[str, tuple] = {}
    state.update(_walk(package_dir(), digest=True))
    for d in _site_dirs():
        if d != package_dir() and package_dir() not in d.parents:
            state.update(_walk(d, digest=False, dirs_only=not full))
    try:
        for d in KernelSpecManager().kernel_dirs:
            state.update(_walk(Path(d), digest=True))
    except Exception:  # no jupyter paths: nothing to record
        pass
    try:
        from IPython.paths import get_ipython_dir

        state.update(_walk(Path(get_ipython_dir()), digest=True, only=_ipython_files))
    except Exception:
        pass
    for path in extra:
        state.update(_walk(path, digest=True) if path.is_dir() else _walk_one(path))
    return state


def _walk_one(path: Path) -> dict[str, tuple]:
    try:
        st = os.lstat(path)
    except OSError:
        return {str(path): ("missing",)}
    data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
    return {str(path): (st.st_size, st.st_mtime_ns, st.st_mode, hashlib.sha256(data).hexdigest())}


def changes(before: dict[str, tuple], after: dict[str, tuple], limit: int = 5) -> list[str]:
    """What differs between two fingerprints, in words (at most ``limit`` items)."""
    out = []
    for path in sorted(set(before) | set(after)):
        if path not in after:
            out.append(f"removed {path}")
        elif path not in before:
            out.append(f"added {path}")
        elif before[path] != after[path]:
            out.append(f"changed {path}")
        if len(out) >= limit:
            out.append("...")
            break
    return out
