"""The ``nncourse`` command. Each subcommand has ``--help``.

Subcommands are registered in ``COMMANDS``: a function that adds its
arguments to a parser and returns the function that runs it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..grading import commands as _grading


def _lab(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--section", default="01", help="section to open first (default: 01)")

    def run(args):
        import subprocess

        from . import outline

        notebook = outline.course_root() / outline.section(args.section).notebook
        command = [sys.executable, "-m", "jupyterlab", str(notebook)]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
            command.append("--allow-root")
        return subprocess.call(command)

    return run


def _outline(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--markdown", action="store_true", help="print the README's outline table")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true",
        help="exit 1 listing every way the notebooks, exercises and README disagree with course.yml",
    )
    mode.add_argument(
        "--write", action="store_true",
        help="regenerate README.md's outline block and each notebook's header cell, then check",
    )

    def run(args):
        from . import outline

        if args.markdown:
            print(outline.readme_outline())
            return 0
        if args.write:
            changed = outline.write()
            for line in changed:
                print(f"changed {line}")
            if not changed:
                print("nothing to change: README outline and header cells already match course.yml")
        if args.check or args.write:
            problems = outline.check()
            for line in problems:
                print(f"problem: {line}")
            if problems:
                print(f"{len(problems)} problem(s); course.yml is the source of truth.")
                return 1
            print(f"outline OK: {len(outline.load()[1])} sections in step with course.yml")
            return 0
        title, sections = outline.load()
        print(title)
        for s in sections:
            print(f"  {s.id}  {s.title}  ({s.minutes} min)  {s.notebook}")
        return 0

    return run


def _gradcheck(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("sizes", nargs="*", type=int, default=[3, 4, 2], help="layer sizes (default: 3 4 2)")
    parser.add_argument("--activation", default="tanh", help="hidden activation (default: tanh)")
    parser.add_argument("--loss", default="mse", help="loss name (default: mse)")

    def run(args):
        import numpy as np

        from ..gradcheck import gradient_check
        from ..losses import get_loss
        from ..network import Network

        loss = get_loss(args.loss)
        output = "linear" if loss.takes_logits else "sigmoid"
        net = Network(args.sizes, activation=args.activation, output_activation=output, seed=1)
        rng = np.random.default_rng(2)
        X = rng.normal(size=(5, args.sizes[0]))
        Y = rng.uniform(size=(5, args.sizes[-1]))
        if loss.targets == "distribution":
            Y = np.eye(args.sizes[-1])[rng.integers(0, args.sizes[-1], 5)]
        report = gradient_check(net, X, Y, loss)
        for name, err in report.items():
            print(f"{name}: relative error {err:.2e}")
        ok = max(report.values()) < 1e-6
        print("backprop agrees with finite differences" if ok else "MISMATCH: check backprop")
        return 0 if ok else 1

    return run


def _site(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("-o", "--out", type=Path, default=Path("_site"), help="folder to write (default: _site)")

    def run(args):
        from . import site

        report = site.build(args.out)
        for line in report.warnings:
            print(f"warning: {line}")
        print(f"built {len(report.pages)} pages ({report.widgets} widget snapshots) into {report.out} "
              f"in {report.seconds:.0f} s, {report.megabytes:.1f} MB")
        return 0

    return run


def _launch(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument(
        "--write", action="store_true",
        help="insert or refresh the Colab setup cell in every lecture and exercise source (then `nncourse release`)",
    )

    def run(args):
        from . import launch, outline

        settings = launch.load()
        if args.write:
            changed = launch.write_setup_cells()
            for rel in changed:
                print(f"changed {rel}: Colab setup cell written")
            print(f"{len(changed)} notebook(s) changed" if changed else "nothing to change: setup cells are current")
            return 0
        for s in outline.load()[1]:
            print(f"{s.id}  Binder {launch.binder_url(s.notebook, settings)}")
            print(f"    Colab  {launch.colab_url(s.notebook, settings)}")
        return 0

    return run


COMMANDS: dict[str, tuple[str, Callable]] = {
    "lab": ("open the course in JupyterLab", _lab),
    "outline": ("list the course's sections from course.yml", _outline),
    "gradcheck": ("check backprop against finite differences on a small network", _gradcheck),
    "release": ("make the student versions of the exercise notebooks", _grading.release_command),
    "grade": ("grade a folder of submitted exercise notebooks into a CSV", _grading.grade_command),
    "autograder": ("build a Gradescope autograder zip for a section's exercise", _grading.autograder_command),
    "site": ("build the course website (static HTML, offline) from course.yml", _site),
    "launch": ("Binder and Colab links; --write puts the Colab setup cell into the notebooks", _launch),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nncourse", description="How neural networks learn: course tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    runners = {}
    for name, (summary, add) in COMMANDS.items():
        runners[name] = add(sub.add_parser(name, help=summary, description=summary))
    args = parser.parse_args(argv)
    try:
        return runners[args.command](args) or 0
    except (ValueError, FileNotFoundError) as err:
        print(f"nncourse {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
