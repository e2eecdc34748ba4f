#!/usr/bin/env bash
# Regenerate binder/requirements.txt and tests/requirements.txt from pyproject.toml.
#
#   bash tools/pin.sh            # uses python3.11 (the Python Binder runs, see binder/runtime.txt)
#   PYTHON=python3.11 bash tools/pin.sh
#
# Resolves in a throwaway venv, then writes `pip freeze` output:
#   binder/requirements.txt  every package that `nncourse[lab]` needs (runtime + JupyterLab);
#   tests/requirements.txt   what `nncourse[test,site]` adds on top, resolved with the binder pins
#                            as constraints, so the two files never disagree.
# Review the diff and run `python3 run.py test` before committing the new pins.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
    || { echo "pin.sh: need Python 3.11 (binder/runtime.txt); set PYTHON=" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
pip=("$tmp/venv/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install -q --upgrade pip
freeze() { "${pip[@]}" freeze --exclude-editable --exclude nncourse; }

"${pip[@]}" install -q ".[lab]"
freeze > "$tmp/lab.txt"
# The test tools are resolved with lab.txt as constraints: no runtime pin moves to make room.
"${pip[@]}" install -q -c "$tmp/lab.txt" ".[lab,test,site]"
freeze > "$tmp/all.txt"
"${pip[@]}" check

{
    echo "# Pinned packages for Binder and for 'python3 run.py lab'. Regenerate with tools/pin.sh."
    cat "$tmp/lab.txt"
} > binder/requirements.txt
{
    echo "# Pinned test tools, on top of binder/requirements.txt. Regenerate with tools/pin.sh."
    grep -vxF -f "$tmp/lab.txt" "$tmp/all.txt"
} > tests/requirements.txt
echo "pin.sh: wrote binder/requirements.txt ($(grep -vc '^#' binder/requirements.txt) pins)" \
     "and tests/requirements.txt ($(grep -vc '^#' tests/requirements.txt) pins)"
