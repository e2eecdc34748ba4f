"""Where a learner opens the course: Binder, Colab, and the install line Colab needs.

Three settings in ``course.yml`` drive everything here, so the owner placeholder lives in
one place: ``repository`` (``https://github.com/<owner>/nncourse``), ``branch`` (what Binder
opens) and ``release`` (the git tag that Colab opens and installs the package from).

* ``binder_url(rel)``, ``colab_url(rel)``: launch links for a notebook path in the repository;
* ``badges(rel)``: the two badges as one markdown line (the header cells show it);
* ``setup_source()``: the guarded Colab setup cell; ``write_setup_cell(path)`` inserts or
  refreshes it as the second cell of a notebook (idempotent), ``write_setup_cells()`` does so
  for every lecture and exercise source listed in ``course.yml``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

BINDER = "https://mybinder.org"
COLAB = "https://colab.research.google.com"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
SETUP_TAG = "colab-setup"  # the setup cell's tag and id: how write_setup_cell finds it again


@dataclass(frozen=True)
class Launch:
    repository: str  # https://github.com/<owner>/<name>
    branch: str  # Binder opens this branch
    release: str  # git tag: Colab opens it and installs nncourse from it

    @property
    def slug(self) -> str:
        """``<owner>/<name>`` of the GitHub repository."""
        return self.repository.removeprefix("https://github.com/")

    @property
    def install_spec(self) -> str:
        """What the Colab setup cell gives ``pip install``: the package at the release tag."""
        return f"nncourse @ git+{self.repository}@{self.release}"


def load(root: Path | None = None) -> Launch:
    """The ``repository``, ``branch`` and ``release`` settings of ``course.yml``."""
    import yaml

    from . import outline

    root = Path(root) if root else outline.course_root()
    data = yaml.safe_load((root / "course.yml").read_text(encoding="utf-8")) or {}
    missing = [key for key in ("repository", "branch", "release") if not data.get(key)]
    if missing:
        raise ValueError(
            f"course.yml has no {', '.join(missing)} setting. Add e.g. "
            "`repository: https://github.com/<owner>/nncourse`, `branch: main`, `release: v0.1.0`."
        )
    repository = str(data["repository"]).rstrip("/")
    if not re.fullmatch(r"https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        raise ValueError(
            f"course.yml: repository must look like https://github.com/<owner>/<name>, not {repository!r}."
        )
    return Launch(repository, str(data["branch"]), str(data["release"]))


def binder_url(rel: str, launch: Launch | None = None) -> str:
    """mybinder.org link that opens notebook ``rel`` (a repository path) in JupyterLab."""
    launch = launch or load()
    return f"{BINDER}/v2/gh/{launch.slug}/{quote(launch.branch)}?urlpath=lab/tree/{quote(rel)}"


def colab_url(rel: str, launch: Launch | None = None) -> str:
    """Colab link that opens notebook ``rel`` as it is at the release tag."""
    launch = launch or load()
    return f"{COLAB}/github/{launch.slug}/blob/{quote(launch.release)}/{quote(rel)}"


def badges(rel: str, launch: Launch | None = None) -> str:
    """The Binder and Colab badges for notebook ``rel``, as one markdown line."""
    launch = launch or load()
    return (
        f"[![Open in Binder]({BINDER_BADGE})]({binder_url(rel, launch)}) "
        f"[![Open in Colab]({COLAB_BADGE})]({colab_url(rel, launch)})"
    )


def setup_source(launch: Launch | None = None) -> str:
    """The Colab setup cell. Outside Colab it does nothing; in Colab it installs nncourse only.

    pip keeps packages that already satisfy nncourse's ranges, so Colab's own numpy, matplotlib
    and ipywidgets stay (replacing them would force a runtime restart).
    """
    launch = launch or load()
    return (
        "# In Colab this installs the course's package (Colab's numpy, matplotlib and\n"
        "# ipywidgets stay as they are); anywhere else it does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install -q "{launch.install_spec}"'
    )


def _new_cell(source: str) -> dict:
    return {
        "cell_type": "code", "execution_count": None, "id": SETUP_TAG,
        "metadata": {"tags": [SETUP_TAG]}, "outputs": [], "source": source.splitlines(keepends=True),
    }


def write_setup_cell(path: Path, launch: Launch | None = None) -> bool:
    """Insert the setup cell after the header (or refresh it); True if the file changed.

    The cell is found again by its ``colab-setup`` tag. Nothing else in the notebook changes;
    the file is written the way nbformat writes it.
    """
    launch = launch or load()
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb.setdefault("cells", [])
    source = setup_source(launch)
    found = [c for c in cells if SETUP_TAG in c.get("metadata", {}).get("tags", [])]
    if found:
        cell = found[0]
        current = cell.get("source", "")
        if ("".join(current) if isinstance(current, list) else current) == source:
            return False
        cell["source"] = source.splitlines(keepends=True)
    else:
        cells.insert(1 if cells and cells[0].get("cell_type") == "markdown" else 0, _new_cell(source))
    path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def write_setup_cells(root: Path | None = None) -> list[str]:
    """``write_setup_cell`` on every lecture and exercise source in course.yml; the paths changed.

    Student versions follow with ``nncourse release``.
    """
    from . import outline

    root = Path(root) if root else outline.course_root()
    launch = load(root)
    changed = []
    for s in outline.load(root)[1]:
        for rel in (s.notebook, s.exercise):
            if (root / rel).is_file() and write_setup_cell(root / rel, launch):
                changed.append(rel)
    return changed
