"""The command line, the import and code style."""

import subprocess
import sys
from pathlib import Path

import pytest

from nncourse.course.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: nncourse {command}" in capsys.readouterr().out


def test_gradcheck_command_passes_on_a_correct_backprop(capsys):
    assert main(["gradcheck", "3", "5", "2", "--activation", "relu"]) == 0
    assert "backprop agrees with finite differences" in capsys.readouterr().out


def test_import_does_not_load_heavy_modules():
    code = "import sys, nncourse; print(sorted(m for m in ('sympy', 'matplotlib', 'sklearn', 'ipywidgets') " \
           "if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
