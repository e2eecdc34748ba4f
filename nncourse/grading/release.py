"""Make the student version of an exercise notebook from its instructor source.

``release(section)`` writes ``exercises/student/<name>.ipynb`` (or into any
folder ``out``): solutions replaced by stubs, hidden-test cells removed,
outputs cleared, then executed from a fresh kernel so the committed file
shows only "not attempted yet" verdicts (nbval needs executed outputs).

It never silently overwrites someone's edits: the folder's manifest
(``.nncourse-release.json``) records the SHA-256 of what was last generated;
a file whose content differs from both that and the new version is moved to
``<name>.backup-<UTC time>.ipynb`` first, and the move is reported.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..course.outline import STUDENT_DIR
from . import catalogue, markers
from .files import write_atomic

MANIFEST = ".nncourse-release.json"


@dataclass
class Released:
    """What ``release`` did to one file: ``action`` is written, unchanged or backed-up."""

    path: Path
    action: str
    backup: Path | None = None

    def __str__(self) -> str:
        extra = f" (your edited copy was kept as {self.backup.name})" if self.backup else ""
        return f"{self.action:9} {self.path}{extra}"


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def source_path(section_id: str) -> Path:
    """The instructor source notebook of a section, from course.yml."""
    from ..course import outline

    return outline.course_root() / outline.section(section_id).exercise


def student_notebook(source: Path, section_id: str):
    """The student version of ``source`` as an nbformat notebook (not executed)."""
    from ..course.notebooks import read

    nb = read(source)
    cells = []
    for cell in nb.cells:
        if markers.is_hidden(cell):
            continue
        cell.source = markers.strip_solutions(cell.source, markdown=cell.cell_type == "markdown")
        if markers.has_markers(cell.source) or "hidden_tests(" in cell.source:
            raise ValueError(f"{source}: a solution marker or hidden test is left in a cell after stripping.")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
        cells.append(cell)
    nb.cells = cells
    nb.metadata["nncourse"] = {"section": section_id, "version": "student"}
    return nb


def _render(source: Path, section_id: str, execute: bool) -> bytes:
    import nbformat

    nb = student_notebook(source, section_id)
    if not execute:
        return nbformat.writes(nb).encode() + b"\n"
    from ..course.notebooks import execute as run

    with tempfile.TemporaryDirectory(prefix="nncourse-release-") as tmp:
        path = Path(tmp) / source.name
        nbformat.write(nb, str(path))
        report = run(path, write=True)
        if report.errors:
            raise ValueError(f"The student version of {source.name} does not run cleanly: {report.errors}")
        return path.read_bytes()


def release(section_id: str, out: Path | None = None, execute: bool = True) -> Released:
    """Write the student version of one section into ``out`` (default exercises/student)."""
    from ..course import outline

    section_id = outline.section(section_id).id
    source = source_path(section_id)
    out = Path(out) if out is not None else outline.course_root() / STUDENT_DIR
    out.mkdir(parents=True, exist_ok=True)
    target = out / source.name
    catalogue.sync_headings(source, section_id)  # titles and points come from the bank
    data = _render(source, section_id, execute)
    manifest_path = out / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    manifest = {name: h for name, h in manifest.items() if (out / name).is_file()}  # renamed or removed: forget
    new_hash = sha256(data)
    backup = None
    if target.exists():
        current = sha256(target.read_bytes())
        if current == new_hash:
            manifest[target.name] = new_hash
            write_atomic(manifest_path, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
            catalogue.refresh()
            return Released(target, "unchanged")
        if current != manifest.get(target.name):
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
            backup = target.with_name(f"{target.stem}.backup-{stamp}{target.suffix}")
            n = 1
            while backup.exists():
                backup = target.with_name(f"{target.stem}.backup-{stamp}-{n}{target.suffix}")
                n += 1
            shutil.move(target, backup)
    write_atomic(target, data)
    manifest[target.name] = new_hash
    write_atomic(manifest_path, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    catalogue.refresh()  # exercises/README.md lists every question with its points, from the banks
    return Released(target, "backed-up" if backup else "written", backup)


def up_to_date(section_id: str, folder: Path | None = None) -> list[str]:
    """Problems with a committed student version: [] if it matches its source and the manifest."""
    from ..course import outline

    section_id = outline.section(section_id).id
    source = source_path(section_id)
    folder = Path(folder) if folder is not None else outline.course_root() / STUDENT_DIR
    target = folder / source.name
    if not target.is_file():
        return [f"{target} is missing: run `nncourse release {section_id}`"]
    from ..course.notebooks import read

    fresh, committed = student_notebook(source, section_id), read(target)
    problems = []
    if len(fresh.cells) != len(committed.cells):
        problems.append(f"{target.name}: {len(committed.cells)} cells, the source gives {len(fresh.cells)}")
    for i, (a, b) in enumerate(zip(fresh.cells, committed.cells)):
        if (a.cell_type, a.source, a.metadata.get("tags")) != (b.cell_type, b.source, b.metadata.get("tags")):
            problems.append(f"{target.name}: cell {i} differs from the source's student version")
    manifest_path = folder / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    if manifest.get(target.name) != sha256(target.read_bytes()):
        problems.append(f"{target.name}: edited after release (hash differs from {MANIFEST})")
    return problems
