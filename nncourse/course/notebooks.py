"""Run the course's notebooks with nbclient, the way a learner would: in order,
each from a fresh kernel, in the notebook's own folder.

``execute(path)`` runs one notebook and reports every cell's time and any
error; ``execute(path, write=True)`` saves the outputs back (the cells'
sources are kept as they are). A cell tagged ``raises-exception`` may fail:
that is a deliberate teaching error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

MAX_CELL_SECONDS = 10.0
# Run after the notebook's own cells, then removed: the kernel's peak memory in KiB (Linux).
MEMORY_PROBE = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


@dataclass
class RunReport:
    path: Path
    seconds: float
    cell_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    peak_mb: float = 0.0  # the kernel's peak resident memory

    @property
    def slowest(self) -> float:
        return max(self.cell_seconds, default=0.0)

    @property
    def ok(self) -> bool:
        return not self.errors and self.slowest <= MAX_CELL_SECONDS


def read(path: str | Path):
    """Read a notebook, turning a corrupt file into a clear ValueError."""
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as err:  # nbformat raises several types for bad JSON or schema
        raise ValueError(f"{path} is not a readable Jupyter notebook ({type(err).__name__}: {err}).") from err


def _duration(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return 0.0
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def _coalesce_streams(outputs: list) -> list:
    """Merge consecutive stdout (or stderr) outputs into one, as nbval does before comparing.

    How the kernel splits printed text into outputs depends on flush timing (a loaded machine
    splits ``print`` between its text and its newline), so the saved file would not be deterministic.
    """
    merged: list = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (last is not None and out.get("output_type") == "stream" and last.get("output_type") == "stream"
                and out.get("name") == last.get("name")):
            last["text"] = last["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def execute(path: str | Path, write: bool = False, timeout: int = 60) -> RunReport:
    """Execute one notebook from a fresh kernel; optionally save its outputs."""
    import time

    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = read(path)
    probe = nbformat.v4.new_code_cell(MEMORY_PROBE)
    nb.cells.append(probe)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", allow_errors=True,
        store_widget_state=False,  # live kernels rebuild widgets; saved state only bloats the file
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    start = time.perf_counter()
    client.execute()
    report = RunReport(path, time.perf_counter() - start)
    nb.cells.remove(probe)
    printed = "".join(out.get("text", "") for out in probe.get("outputs", []))
    report.peak_mb = float(printed) / 1024 if printed.strip() else float("nan")
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        report.cell_seconds.append(_duration(cell))
        cell.metadata.pop("execution", None)  # timestamps would change every run
        cell.outputs = _coalesce_streams(cell.get("outputs", []))
        deliberate = "raises-exception" in cell.metadata.get("tags", [])
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and not deliberate:
                report.errors.append(f"cell {index}: {out.get('ename')}: {out.get('evalue')}")
            text = out.get("text", "") if out.get("name") == "stderr" else ""
            if out.get("output_type") == "stream" and "Warning" in text:
                report.errors.append(f"cell {index}: warning printed: {out['text'].strip()[:200]}")
    if write:
        nb.metadata.pop("widgets", None)  # state left by an earlier run that stored it
        nbformat.write(nb, str(path))
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m nncourse.notebooks [--write] NOTEBOOK ...``: run and report."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--write", action="store_true", help="save the outputs into the notebooks")
    args = parser.parse_args(argv)
    failed = 0
    for path in args.notebooks:
        r = execute(path, write=args.write)
        status = "ok" if r.ok else "FAILED"
        print(f"{status:6} {path}  total {r.seconds:5.1f} s  slowest cell {r.slowest:4.1f} s  "
              f"peak memory {r.peak_mb:5.0f} MB")
        for e in r.errors:
            print(f"       {e}")
        failed += not r.ok
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
