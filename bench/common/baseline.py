"""The code a CLI-level figure runs: this checkout's (:func:`current_side`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: prints where ``trueup`` and its CLI are imported from
WHERE = "import trueup, trueup.cli.main as m; print(trueup.__file__); print(m.__file__)"


@dataclass(frozen=True)
class Side:
    """How to run trueup's CLI with one version of its code."""

    label: str
    #: the argv that runs ``trueup``
    command: tuple[str, ...]
    #: the environment of its processes (None: this process's)
    env: dict[str, str] | None = None


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
        raise RuntimeError(f"cannot import trueup: {proc.stderr.strip()[-500:]}")
    package, cli = (Path(x).resolve().parent for x in lines)
    if cli.parent != package:
        raise RuntimeError(f"trueup from {package} but its CLI from {cli}")
    return package
