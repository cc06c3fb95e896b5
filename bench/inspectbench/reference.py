"""The reference tools, schemainspect and migra, in a throw-away virtualenv: built once per run,
or None and the reason (their figures are then skipped with a note)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.common.timing import last_line as _last_line

# Versions that install and run together on Python 3.11 (migra 3.0.x wants schemainspect 3.x
# and sqlbag; sqlbag and schemainspect need SQLAlchemy 1.x; schemainspect imports pkg_resources).
REFERENCE_REQUIREMENTS = [
    "migra==3.0.1663481299",
    "schemainspect==3.1.1663587362",
    "sqlbag==0.1.1617247075",
    "psycopg2-binary",
    "sqlalchemy>=1.4,<2",
    "setuptools<81",
]

# Runs in the reference venv: one inspection (connect + get_inspector) per "run" line read from
# stdin, answering with its own elapsed time, so the interpreter start is never counted and the
# runs can be interleaved with trueup's.
SCHEMAINSPECT_WORKER = '''
import sys, time, warnings
warnings.filterwarnings("ignore")
from sqlbag import S
from schemainspect import get_inspector

url = sys.argv[1]
for line in sys.stdin:
    if line.strip() != "run":
        break
    start = time.perf_counter()
    with S(url) as s:
        inspector = get_inspector(s)
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.6f} {len(inspector.tables)}", flush=True)
'''


@dataclass
class Reference:
    python: Path
    migra: Path
    timer: Path


def build_reference(workdir: Path) -> tuple[Reference | None, str]:
    """A venv with migra and schemainspect, or None and the reason it could not be built."""
    venv = workdir / "refvenv"
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, text=True,
                       timeout=300)
        subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        *REFERENCE_REQUIREMENTS], check=True, capture_output=True, text=True, timeout=900)
        check = subprocess.run([str(bindir / "python"), "-c",
                                "import warnings; warnings.filterwarnings('ignore');"
                                " import migra, schemainspect, sqlbag, sqlalchemy, psycopg2;"
                                " from schemainspect import get_inspector; print(sqlalchemy.__version__)"],
                               capture_output=True, text=True, timeout=120)
        if check.returncode != 0:
            return None, f"the reference tools do not import: {_last_line(check.stderr)}"
    except subprocess.CalledProcessError as err:
        cmd = " ".join(map(str, err.cmd[:4]))
        return None, f"{cmd} ... failed: {_last_line(err.stderr or err.stdout or '')}"
    except (OSError, subprocess.TimeoutExpired) as err:
        return None, f"could not build the reference venv: {err}"
    worker = workdir / "schemainspect_worker.py"
    worker.write_text(SCHEMAINSPECT_WORKER)
    return Reference(bindir / "python", bindir / "migra", worker), ""


class SchemainspectWorker:
    """A python of the reference venv that inspects ``url`` with schemainspect on request."""

    def __init__(self, ref: Reference, url: str) -> None:
        # a file, not a pipe, for its stderr: it never fills up; closed in close()
        self.errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.proc = subprocess.Popen([str(ref.python), str(ref.timer), url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.errors, text=True)
        self.tables = 0

    def run(self) -> float:
        """One inspection; its time as measured inside the worker."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write("run\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=30)
            self.errors.seek(0)
            raise RuntimeError(f"schemainspect failed: {_last_line(self.errors.read())}")
        elapsed, tables = line.split()
        self.tables = int(tables)
        return float(elapsed)

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.errors.close()

