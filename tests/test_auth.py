"""A wrong password is a one-line error that never echoes the password.

The shared servers trust every local login, so this test uses ``password_server`` (conftest):
a small PostgreSQL of its own, with password authentication.
"""

from __future__ import annotations

import os
import subprocess
import sys

from test_cli import assert_one_line_error


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
