"""The architecture's rules, checked on the code: the import contracts of pyproject.toml
(``[tool.importlinter]``), and the shape every engine package shares."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import trueup
from trueup.engines import ENGINES
from trueup.engines.interface.engine import Engine
from trueup.engines.interface.session import Session

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(trueup.__file__).resolve().parent

#: the inner modules every engine package has (docs/architecture.md, "Adding an engine")
ENGINE_LAYOUT = ("__init__.py", "driver.py", "errors.py", "inspect.py", "kinds/__init__.py",
                 "fleet_ops/__init__.py", "fleet_ops/session.py", "scratch.py", "state.py")


def lint_imports(project: Path, src: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package under ``src`` with the contracts of ``project``."""
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    return subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


def test_the_import_contracts_hold() -> None:
    result = lint_imports(ROOT, SRC.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("fleet/audit.py", "import psycopg", "trueup.fleet.audit -> psycopg"),
    ("fleet/targets.py", "from trueup.engines.postgres import driver", "trueup.fleet.targets -> trueup.engines.postgres"),
    ("model/schema.py", "from trueup.errors import TrueupError", "trueup.model.schema -> trueup.errors"),
    ("engines/postgres/scratch.py", "from trueup.fleet import audit", "trueup.engines.postgres.scratch -> trueup.fleet"),
])
def test_a_forbidden_import_breaks_a_contract(tmp_path: Path, module: str, line: str, broken: str) -> None:
    # on a copy of the package, one forbidden import added
    copy = tmp_path / "src" / "trueup"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = lint_imports(tmp_path, tmp_path / "src")
    assert result.returncode != 0
    assert broken in result.stdout, result.stdout


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_every_engine_package_has_the_same_inner_modules(name: str) -> None:
    folder = SRC / "engines" / ENGINES[name].rsplit(".", 1)[-1]
    missing = [m for m in ENGINE_LAYOUT if not (folder / m).is_file()]
    assert not missing, f"engine {name} lacks {missing}"


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_every_engine_implements_the_whole_interface(name: str) -> None:
    engine = importlib.import_module(ENGINES[name]).ENGINE
    members = [m for m in dir(Engine) if not m.startswith("_")] + list(Engine.__annotations__)
    assert not [m for m in members if not hasattr(engine, m)]
    session_type = type(engine).connect.__annotations__["return"]
    session_class = importlib.import_module(ENGINES[name] + ".fleet_ops").__dict__.get(str(session_type))
    assert session_class is not None, session_type
    assert not [m for m in dir(Session) if not m.startswith("_") and not hasattr(session_class, m)]
    assert engine.name == name
