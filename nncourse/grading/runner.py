"""Run one submission in a fresh kernel, with time limits, and collect its probe outputs.

``run_submission(data, section, cases)`` takes the submission's bytes (it
never touches the original file), writes a copy into a new temporary folder
(the kernel's working directory), appends one probe cell per question and
executes everything with nbclient:

- each cell gets at most ``cell_timeout`` seconds; a cell that runs over is
  interrupted and recorded, and execution goes on with the next cell;
- the whole notebook gets at most ``notebook_timeout`` seconds;
- if the kernel dies (``os._exit``, a crash, ``exit()``), a fresh kernel
  replays the notebook without the cell that killed it (at most twice);
- processes the kernel started are killed when it is shut down.

By default the kernel runs in the bubblewrap sandbox of ``sandbox.py`` (private
/tmp and HOME in its scratch folder, everything else read-only, the course
repository, submissions and gradebook hidden, no network, memory and process
caps, its own PID namespace); ``sandboxed=False`` runs a plain kernel.

The result holds plain data only; judging happens in ``grade.py``.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import probe, sandbox
from .markers import written_answers
from .spec import Question, bank

MAX_RESTARTS = 2


@dataclass
class RunResult:
    """What came back from one submission's kernel."""

    status: str = "ok"  # ok | unreadable | timeout | kernel-died (grade.py adds grader-error)
    notes: list[str] = field(default_factory=list)
    outcomes: dict[str, list[dict] | None] = field(default_factory=dict)
    probe_problems: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    section: str | None = None
    seconds: float = 0.0
    gradebook_changed: bool = False


def _kill_children(client) -> None:
    """Kill every process the kernel started (best effort; needs psutil)."""
    try:
        import psutil

        pid = client.km.provisioner.process.pid
        for child in psutil.Process(pid).children(recursive=True):
            child.kill()
    except Exception:  # the kernel may be gone already, or psutil missing
        pass


@dataclass
class Box:
    """How to start a kernel: in the sandbox (with these hidden folders and limits) or not."""

    sandboxed: bool = True
    hide: tuple[str, ...] = ()
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    spec_root: Path | None = None
    public_bank: Path | None = None


def _start_box(box: Box | None, workdir: Path):
    """The kernel manager and cgroup of a sandboxed kernel, or (None, None) for a plain one."""
    if box is None or not box.sandboxed:
        return None, None
    assert box.spec_root is not None
    cgroup = sandbox.new_cgroup(workdir.name)
    hide = sandbox.hidden_paths([Path(h) for h in box.hide])  # the defaults, and the grader's folders
    return sandbox.kernel_manager(workdir, box.spec_root, hide, box.limits, box.public_bank, cgroup), cgroup


def _stop_box(km, cgroup) -> None:
    """Shut the sandboxed kernel down (if still up) and remove its cgroup."""
    if km is not None:
        try:
            from jupyter_core.utils import run_sync

            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # already gone
            pass
    sandbox.remove_cgroup(cgroup)


def _client(nb, km, workdir: Path, cell_timeout: float, replies: list):
    """An nbclient client that interrupts a cell at its time limit and records each reply's error name."""
    from nbclient import NotebookClient

    return NotebookClient(
        nb,
        km=km,
        kernel_name=sandbox.KERNEL_NAME if km is not None else "python3",
        timeout=int(cell_timeout),
        allow_errors=True,
        shutdown_kernel="immediate",
        startup_timeout=60,
        interrupt_on_timeout=True,
        iopub_timeout=5,
        error_on_timeout={"ename": "CellTimeoutError", "evalue": "cell timed out", "traceback": []},
        resources={"metadata": {"path": str(workdir)}},
        on_cell_executed=lambda cell, cell_index, execute_reply: replies.append(
            (cell_index, execute_reply.get("content", {}).get("ename"))
        ),
    )


def _run_cells(client, nb, cells, skip, cell_timeout, deadline, timed_out, replies, notes):
    """Execute ``cells`` (but not ``skip``) on a started ``client``; the status and killer cell."""
    from nbclient.exceptions import DeadKernelError

    for index in cells:
        if index in skip:
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 1:
            notes.append("notebook time limit reached; the cells after it did not run")
            return "timeout", None
        client.timeout = max(1, int(min(cell_timeout, remaining)))
        try:
            client.execute_cell(nb.cells[index], index)
        except DeadKernelError:
            return "kernel-died", index
        if replies and replies[-1] == (index, "CellTimeoutError"):
            timed_out.add(index)
            notes.append(f"code cell {index + 1} timed out after {client.timeout} s and was interrupted")
    return "ok", None


def _execute(
    nb,
    cells: list[int],
    skip: set[int],
    workdir: Path,
    cell_timeout: float,
    deadline: float,
    timed_out: set[int],
    box: Box | None = None,
) -> tuple[str, int | None, list[str]]:
    """Execute ``cells`` of ``nb`` in one fresh kernel. Returns (status, index of the
    cell that killed the kernel or None, notes); adds cells that ran over to ``timed_out``.

    A cell that runs over its time is interrupted by nbclient itself
    (``interrupt_on_timeout``), which then waits for the cell's last output, so
    the next cell's output is never lost or mixed up.
    """
    from nbclient.exceptions import DeadKernelError

    notes: list[str] = []
    replies: list[tuple[int, str | None]] = []
    km, cgroup = _start_box(box, workdir)
    client = _client(nb, km, workdir, cell_timeout, replies)
    try:
        with client.setup_kernel(cleanup_kc=True, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL):
            try:
                status, killer = _run_cells(client, nb, cells, skip, cell_timeout, deadline, timed_out, replies, notes)
            finally:
                _kill_children(client)  # before the kernel itself is shut down
    except DeadKernelError:
        return "kernel-died", None, notes
    except Exception as err:  # kernel failed to start, zmq trouble, ...
        notes.append(f"grader could not run the kernel: {type(err).__name__}: {str(err)[:200]}")
        return "kernel-died", None, notes
    finally:
        _stop_box(km, cgroup)
    return status, killer, notes


def _fingerprint(path: Path | None) -> tuple | None:
    if path is None or not path.exists():
        return None
    stat = path.stat()
    return (stat.st_size, stat.st_mtime_ns, path.read_bytes())


def _read(data: bytes):
    """The submission as a notebook; raises ValueError (or nbformat's error) if it is not one."""
    import nbformat

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. cells without ids: harmless for grading
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    if not isinstance(nb.get("cells"), list):
        raise ValueError("no list of cells")
    return nb


def _with_probes(nb, auto: list[Question], cases: dict[str, list[dict]], nonce: str) -> dict[str, int]:
    """Keep only ``nb``'s code cells, cleared, then append the wire cell and one probe cell per
    question; returns each probe's index by question id (the wire cell is just before the first)."""
    import nbformat

    code = [c for c in nb.cells if c.get("cell_type") == "code"]
    for c in code:
        c["outputs"], c["execution_count"] = [], None
    code.append(nbformat.v4.new_code_cell(probe.wire_source()))
    probes = {}
    for q in auto:
        probes[q.id] = len(code)
        code.append(nbformat.v4.new_code_cell(probe.probe_source(q, cases[q.id], nonce)))
    nb.cells = code
    return probes


def _run_with_restarts(nb, probes, workdir, cell_timeout, deadline, timed_out, box, result: RunResult) -> None:
    """Run the notebook; when a cell kills the kernel, rerun without it (at most MAX_RESTARTS times)."""
    skip: set[int] = set()
    for attempt in range(MAX_RESTARTS + 1):
        for c in nb.cells:
            c["outputs"] = []
        status, killer, notes = _execute(
            nb, list(range(len(nb.cells))), skip, workdir, cell_timeout, deadline, timed_out, box
        )
        result.notes += notes
        if status != "kernel-died" or killer is None or attempt == MAX_RESTARTS:
            break
        skip.add(killer)
        where = next((q for q, i in probes.items() if i == killer), None)
        place = f"the {where} probe" if where else f"code cell {killer + 1}"
        result.notes.append(
            f"the kernel died in {place} (os._exit, exit() or a crash); reran the notebook without that cell"
        )
        if where:
            result.probe_problems[where] = "calling the answer killed the kernel"
    if status != "ok" or skip:
        result.status = "kernel-died" if skip else status


def _note_errors(nb, first_probe: int, timed_out: set[int], result: RunResult) -> None:
    """Note every learner cell that raised (an interrupt of a timed-out cell is already noted)."""
    for index, cell in enumerate(nb.cells[:first_probe]):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and not (
                index in timed_out and out.get("ename") == "KeyboardInterrupt"
            ):
                result.notes.append(f"code cell {index + 1} raised {out.get('ename')}: {str(out.get('evalue'))[:80]}")
    if result.status == "ok" and any("timed out" in n for n in result.notes):
        result.status = "timeout"


def _read_probes(nb, auto, probes, cases, nonce, timed_out, cell_timeout, result: RunResult) -> None:
    """Each question's outcomes from its probe cell, or the reason there are none."""
    for q in auto:
        if q.id in result.probe_problems:
            result.outcomes[q.id] = None
            continue
        outputs = nb.cells[probes[q.id]].get("outputs", [])
        result.outcomes[q.id] = probe.read_outcomes(outputs, q.id, nonce, len(cases[q.id]))
        if result.outcomes[q.id] is None and probes[q.id] in timed_out:
            result.probe_problems[q.id] = f"the answer ran past the {cell_timeout:g} s limit (an infinite loop?)"
        if result.outcomes[q.id] is None and q.id not in result.probe_problems:
            result.probe_problems[q.id] = "no answer came back (the notebook timed out, crashed or hid the output)"


def run_submission(
    data: bytes,
    section: str,
    cases: dict[str, list[dict]],
    cell_timeout: float = 10,
    notebook_timeout: float = 120,
    gradebook: Path | None = None,
    box: Box | None = None,
) -> RunResult:
    """Execute a submission (its bytes) and return the probe outputs of every question of
    ``section``; ``cases`` gives each question's cases (public and hidden). ``box`` says how
    to start the kernel (default: the sandbox, hiding nothing beyond its defaults)."""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # nbclient's leftover tasks after a timeout
    result = RunResult()
    start = time.monotonic()
    try:
        nb = _read(data)
    except Exception as err:
        result.status = "unreadable"
        result.notes.append(f"not a readable notebook ({type(err).__name__}: {str(err)[:120]})")
        return result
    result.section = str(nb.metadata.get("nncourse", {}).get("section", "")) or None
    result.answers = written_answers(nb.cells)
    auto = [q for q in bank(section).values() if q.kind != "manual"]
    nonce = probe.new_nonce()
    probes = _with_probes(nb, auto, cases, nonce)
    box = Box() if box is None else box
    workdir = Path(tempfile.mkdtemp(prefix="nncourse-grade-"))
    private = Path(tempfile.mkdtemp(prefix="nncourse-grader-"))  # kernel spec, public data: not in the sandbox
    if box.sandboxed:
        from . import public

        box = Box(True, box.hide, box.limits, private, public.write(section, private / "public.json"))
    before = _fingerprint(gradebook)
    timed_out: set[int] = set()
    try:
        _run_with_restarts(nb, probes, workdir, cell_timeout, start + notebook_timeout, timed_out, box, result)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)
    result.gradebook_changed = _fingerprint(gradebook) != before
    _note_errors(nb, min(probes.values(), default=len(nb.cells)) - 1, timed_out, result)  # before the wire cell
    _read_probes(nb, auto, probes, cases, nonce, timed_out, cell_timeout, result)
    result.seconds = time.monotonic() - start
    return result
