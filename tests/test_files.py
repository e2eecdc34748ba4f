"""grading.files: a file is replaced whole or not at all."""

from __future__ import annotations

import pytest

from nncourse.grading.files import replacing, write_atomic


def test_write_atomic_writes_text_and_bytes_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "sub" / "gradebook.csv"
    write_atomic(path, "a,b\r\n1,2\n")
    assert path.read_bytes() == b"a,b\r\n1,2\n"  # newlines exactly as given
    write_atomic(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert [p.name for p in path.parent.iterdir()] == ["gradebook.csv"]
    assert path.stat().st_mode & 0o777 == 0o644


def test_an_error_inside_the_block_keeps_the_old_file(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(path) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("stopped in the middle")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
