"""The code a CLI-level figure runs: this checkout's (:func:`current_side`), or with
``--baseline REF`` also REF's (:func:`baseline_side`), so that both are measured in one run.

REF's code is checked out with ``git worktree add --detach`` into a temporary folder (removed at
the end) and run with that folder's ``src`` first on ``PYTHONPATH``, through a launcher that
does what the ``trueup`` script of this environment does, so both sides start alike. Before
anything is measured, a new interpreter with that environment must import ``trueup`` (and its
CLI) from REF's folder; if it does not (an install of this checkout that wins over
``PYTHONPATH``), REF is installed with ``pip install --no-deps --target`` and checked again.
REF's modules are compiled to bytecode when this checkout's are, and only then: compiling them
takes a new process about 50 ms, which would otherwise weigh on one side only.
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

#: prints where ``trueup`` and its CLI are imported from
WHERE = "import trueup, trueup.cli.main as m; print(trueup.__file__); print(m.__file__)"
#: what the ``trueup`` script pip writes runs, and a check that every process imports REF's code
LAUNCHER = """import os, sys
from trueup.cli.main import main
import trueup
if not os.path.realpath(trueup.__file__).startswith(os.environ["TRUEUP_BENCH_PACKAGE"] + os.sep):
    sys.exit(f"trueup imported from {trueup.__file__}, not from {os.environ['TRUEUP_BENCH_PACKAGE']}")
if __name__ == '__main__':
    sys.exit(main())
"""


class BaselineError(Exception):
    """REF cannot be checked out, or its code cannot be made the one a subprocess imports."""


@dataclass(frozen=True)
class Side:
    """How to run trueup's CLI with one version of its code."""

    label: str
    #: the argv that runs ``trueup``
    command: tuple[str, ...]
    #: the environment of its processes (None: this process's)
    env: dict[str, str] | None = field(default=None, repr=False)
    #: the folder of the ``trueup`` package its processes import
    package: Path | None = None
    #: how REF's code was made the one imported (``PYTHONPATH`` or ``pip --target``)
    how: str = ""
    #: whether its modules have bytecode, as this checkout's have or not
    bytecode: str = ""


def trueup_command() -> list[str]:
    """The ``trueup`` script of this interpreter's environment (else on PATH, else the module)."""
    script = Path(sys.executable).parent / "trueup"
    if script.exists():
        return [str(script)]
    found = shutil.which("trueup")
    return [found] if found else [sys.executable, "-m", "trueup.cli.main"]


def current_side() -> Side:
    return Side("new", tuple(trueup_command()))


def package_of(env: dict[str, str] | None) -> Path:
    """The folder of the ``trueup`` package a new interpreter with ``env`` imports (and the CLI
    must come from the same one)."""
    proc = subprocess.run([sys.executable, "-c", WHERE], capture_output=True, text=True, env=env, timeout=120)
    lines = proc.stdout.split()
    if proc.returncode != 0 or len(lines) != 2:
        raise BaselineError(f"cannot import trueup: {proc.stderr.strip()[-500:]}")
    package, cli = (Path(x).resolve().parent for x in lines)
    if cli.parent != package:
        raise BaselineError(f"trueup from {package} but its CLI from {cli}")
    return package


def _git(*args: str, cwd: Path) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise BaselineError(f"git {' '.join(args)}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout.strip()


def _env_with_path(first: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(first), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _importing(tree: Path, tmp: Path) -> tuple[dict[str, str], Path, str]:
    """An environment whose interpreters import trueup from ``tree``'s code, checked."""
    env = _env_with_path(tree / "src")
    found = package_of(env)
    if found == (tree / "src" / "trueup").resolve():
        return env, found, "PYTHONPATH"
    site = tmp / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                           "--no-compile", "--target", str(site), str(tree)], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise BaselineError(f"a subprocess imports trueup from {found}, not from {tree / 'src'}, and"
                            f" pip install --target failed: {proc.stderr.strip()[-500:]}")
    env = _env_with_path(site)
    found = package_of(env)
    if found != (site / "trueup").resolve():
        raise BaselineError(f"a subprocess imports trueup from {found}, whatever PYTHONPATH says")
    return env, found, "pip --target"


def has_bytecode(package: Path) -> bool:
    """Whether the modules of ``package`` are compiled (judged by its CLI's module)."""
    source = package / "cli" / "main.py"
    cached = Path(importlib.util.cache_from_source(str(source)))
    try:
        return cached.stat().st_mtime >= source.stat().st_mtime
    except OSError:
        return False


@contextmanager
def baseline_side(ref: str) -> Iterator[Side]:
    """REF's code in a temporary worktree, as a :class:`Side`; the worktree is removed at the end."""
    root = Path(_git("rev-parse", "--show-toplevel", cwd=Path(__file__).resolve().parent))
    try:
        sha = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=root)
    except BaselineError:
        raise BaselineError(f"--baseline {ref}: not a commit of {root}") from None
    tmp = Path(tempfile.mkdtemp(prefix="trueup_bench_baseline_"))
    tree = tmp / "tree"
    try:
        _git("worktree", "add", "--detach", str(tree), sha, cwd=root)
        env, package, how = _importing(tree, tmp)
        if has_bytecode(package_of(None)):
            compileall.compile_dir(str(package), quiet=1)
            bytecode = "both sides' modules compiled"
        elif os.environ.get("PYTHONDONTWRITEBYTECODE"):
            bytecode = "neither side's modules compiled, and PYTHONDONTWRITEBYTECODE is set: every process compiles them"
        else:
            bytecode = "neither side's modules compiled yet (the first process of each side writes the bytecode)"
        launcher = tmp / "trueup"
        launcher.write_text(LAUNCHER, encoding="utf-8")
        env["TRUEUP_BENCH_PACKAGE"] = str(package)
        label = ref if len(ref) <= 16 else sha[:9]
        yield Side(label, (sys.executable, str(launcher)), env, package, how, bytecode)
    finally:
        removed = not tree.exists() or subprocess.run(
            ["git", "worktree", "remove", "--force", str(tree)], cwd=root, capture_output=True).returncode == 0
        shutil.rmtree(tmp, ignore_errors=True)
        if not removed:  # its folder is gone now: forget it
            subprocess.run(["git", "worktree", "prune"], cwd=root, capture_output=True)


def describe(new: Side, old: Side) -> list[str]:
    """Where each side's code comes from, for the report's head."""
    return [f"--baseline {old.label}: its code from {old.package} ({old.how}), this checkout's from"
            f" {new.package or package_of(new.env)}; {old.bytecode}"]
