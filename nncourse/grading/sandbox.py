"""The grading sandbox: each submission's kernel runs inside bubblewrap (``bwrap``).

``kernel_manager(work, hide, limits)`` returns a jupyter ``KernelManager`` whose
kernel spec (written per run, in a folder of the grader's own) starts::

    python -c LAUNCHER CONFIG {connection_file}
      -> set limits (address space, processes, file size); as root: join a pids cgroup of its own
      -> exec bwrap --unshare-user --unshare-pid --unshare-net ... --cap-drop ALL
           --ro-bind / / --tmpfs /tmp --tmpfs <hidden folders> --bind WORK WORK
           -- python -m ipykernel_launcher -f {connection_file}

Inside, the kernel (pid 2 of its own PID namespace, under bwrap's init as pid 1,
so every process it starts, daemons included, dies with it) sees the file system
read-only, can write only
WORK (its HOME and working directory) and a private /tmp, has no network (the
grader talks to it over unix sockets in WORK: ``transport="ipc"``), and cannot see
the course repository (only the ``nncourse`` package is bound back, without the
question banks), the submissions, the gradebook's folder or the grader's HOME.
``bwrap --die-with-parent`` kills it when its grading process dies.

Why a launcher: bwrap run by root without a user namespace keeps every
capability (the kernel could remount / read-write), so the sandbox always
unshares the user namespace and drops all capabilities; the launcher sets the
rlimits that bwrap and the kernel inherit. The process cap: RLIMIT_NPROC counts
the processes of a *user* and is never enforced for root, so a root grader puts
each kernel in a pids cgroup of its own (``pids.max``, cgroup v1 or v2) when the
cgroup file system is writable; a non-root grader sets RLIMIT_NPROC to "the
user's tasks now + the cap", which bounds a kernel but is shared with the user's
other processes. ``process_cap()`` says which applies.

Not ``--as-pid-1``: ipykernel interrupts with ``killpg(its pgid)``, which for pid 1
is ``kill(-1)``: everything but the kernel. Interrupts are sent from outside instead
(``SandboxKernelManager``: SIGINT to the processes under bwrap). ``--clearenv`` drops JPY_PARENT_PID, so
ipykernel does not mistake bwrap's init for a dead parent.
``KernelManager.kernel_cmd`` is ignored by current jupyter_client, hence a kernel
spec (``KernelSpecManager(kernel_dirs=[...])``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

KERNEL_NAME = "nncourse-sandbox"
ENV_FLAG = "NNCOURSE_SANDBOX"  # set to "1" inside the sandbox
PUBLIC_BANK_ENV = "NNCOURSE_PUBLIC_BANK"  # path of the section's public question data, inside the sandbox
HOW_TO_GET = (
    "Grading runs each submission in a bubblewrap sandbox, and none is available here. "
    "Install it: `sudo apt-get install bubblewrap` (Debian/Ubuntu), `sudo dnf install bubblewrap` (Fedora), "
    "or run `python3 run.py test` as root, which installs it. If bwrap is installed but fails, unprivileged "
    "user namespaces are disabled: `sudo sysctl kernel.unprivileged_userns_clone=1` (Debian) or "
    "`sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 24.04). Only on a throwaway "
    "machine or account, `nncourse grade --no-sandbox` grades without one."
)


@dataclass(frozen=True)
class Limits:
    """Caps for one kernel: address space (MB), tasks of its uid (processes and threads), file size (MB)."""

    memory_mb: int = 2048
    processes: int = 64
    file_mb: int = 512


LAUNCHER = r"""
import json, os, resource, sys
cfg, cf = json.loads(sys.argv[1]), sys.argv[2]
mem, fsize, nproc = cfg["memory"], cfg["fsize"], cfg["processes"]
resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
if os.geteuid() == 0:
    cg = cfg.get("cgroup")
    if cg:
        os.makedirs(cg, exist_ok=True)
        with open(os.path.join(cg, "pids.max"), "w") as f:
            f.write(str(nproc))
        with open(os.path.join(cg, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
else:
    me, mine = str(os.getuid()), 0
    for d in os.listdir("/proc"):
        try:
            if d.isdigit() and open(f"/proc/{d}/status").read().split("Uid:")[1].split()[0] == me:
                mine += len(os.listdir(f"/proc/{d}/task"))
        except (OSError, IndexError):
            pass
    resource.setrlimit(resource.RLIMIT_NPROC, (mine + nproc, mine + nproc))
argv = [a.replace("{connection_file}", cf) for a in cfg["argv"]]
os.execv(argv[0], argv)
"""


def bwrap_path() -> str | None:
    """The bwrap executable, or None."""
    return shutil.which("bwrap") or next((p for p in ("/usr/bin/bwrap", "/bin/bwrap") if Path(p).exists()), None)


@lru_cache(maxsize=1)
def available() -> tuple[bool, str]:
    """(True, "") if a sandbox can be made here, else (False, why and how to get one)."""
    if not sys.platform.startswith("linux"):
        return False, f"the grading sandbox needs Linux (this is {sys.platform}). " + HOW_TO_GET
    bwrap = bwrap_path()
    if bwrap is None:
        return False, "bwrap (bubblewrap) is not installed. " + HOW_TO_GET
    cmd = [sys.executable, "-c", LAUNCHER, "", "/dev/null"]
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nncourse-sandbox-check-") as work:
        config = _config(bwrap_argv(Path(work), [], {}, [sys.executable, "-c", "print('ok')"]), Path(work), Limits())
        cmd[3] = json.dumps(config)
        cmd[4] = str(Path(work) / "c.json")
        (Path(work) / "c.json").write_text("{}")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            return False, f"bwrap could not start ({err}). " + HOW_TO_GET
    if proc.returncode != 0 or proc.stdout.strip() != "ok":
        return False, f"bwrap failed: {proc.stderr.strip()[:300]}. " + HOW_TO_GET
    return True, ""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def package_dir() -> Path:
    """The installed ``nncourse`` package folder."""
    return Path(__file__).resolve().parent.parent


def needed_paths() -> list[Path]:
    """What a kernel must see: the Python installation(s), their site-packages, the nncourse package."""
    import site
    import sysconfig

    paths = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    paths |= {Path(p).resolve() for p in [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]}
    paths.add(package_dir())
    return sorted((p for p in paths if p.exists()), key=lambda p: len(p.parts))


def hidden_paths(extra: list[Path]) -> list[Path]:
    """What a kernel must not see: the course repository (sources, banks, notebooks), the grader's
    HOME, the question banks, and ``extra`` (the submissions folder and the gradebook's folder)."""
    from ..course import outline

    hide = [package_dir() / "grading" / "questions", Path.home()]
    try:
        hide.append(outline.course_root())
    except Exception:  # no course.yml: an installed package
        pass
    hide += [*_editable_sources(), *extra]
    out = []
    for p in hide:
        p = Path(p).resolve()
        if p.exists() and p != Path("/") and p not in out:
            out.append(p)
    return out


def _editable_sources() -> list[Path]:
    """The source tree an editable install of nncourse points to (hidden too, even when the
    grader runs from another copy of the course)."""
    import site

    found = []
    for folder in site.getsitepackages():
        for info in Path(folder).glob("nncourse-*.dist-info/direct_url.json"):
            try:
                url = json.loads(info.read_text(encoding="utf-8")).get("url", "")
            except (OSError, ValueError):
                continue
            if url.startswith("file://"):
                found.append(Path(url[len("file://") :]))
    return found


# New namespaces for everything, nobody's uid, no capabilities, the whole file system read-only
# with fresh /dev, /proc and a private /tmp; the process tree dies with the grader.
ISOLATION = (
    "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
    "--uid", "65534", "--gid", "65534",
    "--die-with-parent", "--new-session", "--cap-drop", "ALL",
    "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
)


def bwrap_argv(work: Path, hide: list[Path], env: dict[str, str], command: list[str]) -> list[str]:
    """The bwrap command that runs ``command`` in the sandbox (see the module docstring)."""
    needed = needed_paths()
    args = [bwrap_path() or "bwrap", *ISOLATION]
    outer = sorted((h for h in hide if not any(_inside(h, n) for n in needed)), key=lambda p: len(p.parts))
    inner = sorted((h for h in hide if h not in outer), key=lambda p: len(p.parts))
    remount: list[str] = []  # made read-only at the end, once the mount points inside exist
    for h in outer:  # under /tmp too: an empty read-only folder, not a writable one in the private /tmp
        args += ["--tmpfs", str(h)]
        remount += ["--remount-ro", str(h)]
    for n in needed:  # bring back what the kernel needs, read-only
        if any(_inside(n, h) for h in [*outer, Path("/tmp")]):
            args += ["--ro-bind", str(n), str(n)]
    for h in inner:
        if h.is_dir():
            args += ["--tmpfs", str(h)]
            remount += ["--remount-ro", str(h)]
    args += ["--bind", str(work), str(work), *remount, "--chdir", str(work), "--clearenv"]
    base_env = {
        "HOME": str(work),
        "TMPDIR": "/tmp",
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(package_dir().parent),  # the kernel imports the grader's own nncourse
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        ENV_FLAG: "1",
    }
    for key, value in {**base_env, **env}.items():
        args += ["--setenv", key, value]
    return [*args, "--", *command]


def pids_cgroup_root() -> Path | None:
    """A writable pids cgroup folder to make per-kernel cgroups in (root only), or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    v2 = Path("/sys/fs/cgroup")
    candidates = [Path("/sys/fs/cgroup/pids")]
    if "pids" in _read(v2 / "cgroup.controllers").split():
        candidates.insert(0, v2)
    for base in candidates:
        if (base / "cgroup.procs").exists() and os.access(base, os.W_OK):
            return base
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def process_cap(limits: Limits) -> str:
    """How the process cap is enforced here, in words (for the grader's report)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        base = pids_cgroup_root()
        if base is None:
            return "NOT capped (root without a writable pids cgroup: RLIMIT_NPROC does not apply to root)"
        return f"{limits.processes} tasks per kernel (pids cgroup under {base})"
    return f"{limits.processes} tasks above the grading user's own (RLIMIT_NPROC, shared by the user)"


def new_cgroup(tag: str) -> Path | None:
    """The path of a fresh per-kernel pids cgroup (made by the launcher), or None."""
    base = pids_cgroup_root()
    return None if base is None else base / f"nncourse-{os.getpid()}-{tag}"


def remove_cgroup(path: Path | None) -> None:
    """Kill whatever is left in a kernel's cgroup and remove it."""
    if path is None or not path.exists():
        return
    import signal
    import time

    for _ in range(50):
        pids = [int(p) for p in _read(path / "cgroup.procs").split()]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)
    try:
        path.rmdir()
    except OSError:
        pass


def _config(argv: list[str], work: Path, limits: Limits, cgroup: Path | None = None) -> dict:
    return {
        "cgroup": str(cgroup) if cgroup else "",
        "argv": argv,
        "work": str(work),
        "memory": limits.memory_mb * 2**20,
        "fsize": limits.file_mb * 2**20,
        "processes": limits.processes,
    }


def kernel_manager(
    work: Path,
    spec_root: Path,
    hide: list[Path],
    limits: Limits,
    public_bank: Path | None = None,
    cgroup: Path | None = None,
):
    """A KernelManager whose kernel runs in the sandbox, talking over unix sockets in ``work``.

    ``spec_root`` is a folder of the grader's (outside the sandbox) for the per-run kernel
    spec; ``public_bank`` a JSON file bound read-only into the sandbox (``check()`` reads it)."""
    from jupyter_client.kernelspec import KernelSpecManager

    env = {"IPYTHONDIR": str(work / ".ipython"), "JUPYTER_RUNTIME_DIR": str(work / ".jupyter")}
    command = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    argv = bwrap_argv(work, hide, env, command)
    if public_bank is not None:
        inside = work.parent / f"{work.name}.public.json"  # not under work: the kernel cannot replace it
        argv[-len(command) - 1 : -len(command) - 1] = [
            "--ro-bind",
            str(public_bank),
            str(inside),
            "--setenv",
            PUBLIC_BANK_ENV,
            str(inside),
        ]
    spec_dir = spec_root / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-c", LAUNCHER, json.dumps(_config(argv, work, limits, cgroup)), "{connection_file}"],
        "display_name": "nncourse grading sandbox",
        "language": "python",
        "interrupt_mode": "signal",  # see SandboxKernelManager.interrupt_kernel
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    ksm = KernelSpecManager(kernel_dirs=[str(spec_root)])
    return _manager_class()(
        kernel_name=KERNEL_NAME,
        kernel_spec_manager=ksm,
        transport="ipc",
        ip=str(work / "k"),
        connection_file=str(work / "kernel.json"),
    )


@lru_cache(maxsize=1)
def _manager_class():
    from jupyter_client import AsyncKernelManager

    class SandboxKernelManager(AsyncKernelManager):
        """Interrupts by sending SIGINT to the processes inside the sandbox, from outside.

        jupyter_client signals the process group of the process it started (bwrap), which
        the kernel is not in (``--new-session``); and ipykernel's own message-mode interrupt
        did not reach a running cell (measured). The grading process may signal them: they
        run as its own user, in a user namespace it owns."""

        async def interrupt_kernel(self) -> None:  # type: ignore[override]
            import signal

            import psutil

            process = getattr(self.provisioner, "process", None)
            if process is None:
                return
            try:
                children = psutil.Process(process.pid).children(recursive=True)
            except psutil.Error:
                return
            for child in children:
                try:
                    if child.name() != "bwrap":
                        child.send_signal(signal.SIGINT)
                except psutil.Error:
                    pass

    return SandboxKernelManager
