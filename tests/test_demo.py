"""`trueup demo` end to end, on the embedded server it always uses."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


def test_demo_audits_applies_and_writes_html() -> None:
    proc = subprocess.run([sys.executable, "-m", "trueup.cli.main", "demo"], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "COLUMNS": "200"})
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert "20 databases in 2 group(s)" in out  # (nakatomi has no registry row yet)
    assert "table public.tenant_settings is missing in acme" in out
    assert "public.schema_tables belongs to group control, found in globex" in out
    assert "public.team_roles[name=Admin]" in out and "trueup_demo_tenant_stark" in out
    assert "public.role_permissions" in out  # the control database's dropped table
    # the first seed: Laravel's history says the migration ran; status finds the ghost, repair fixes it
    assert "control: ghost 2024_01_11_000000_create_role_permissions_table: recorded as applied, but everything " \
           "it created is missing: table public.role_permissions" in out
    assert "control/control: 2024_01_11_000000_create_role_permissions_table: 3 statement(s)" in out
    assert "migrate repair: 1 repaired" in out
    html = re.search(r"HTML report: (\S+\.html)", out)
    assert html and Path(html.group(1)).read_text().count("acme") >= 1
    shutil.rmtree(Path(html.group(1)).parent)  # the demo keeps its folder for the user to open
    # the tenant registered but never created stays an error, counted as one
    assert "verified: 18 in sync, 2 still drifted, 1 error (the targets above that failed" in out
    assert "Registered 19 tenants in a control database and created 19 tenant databases" in out
    # the fifth seed: a tenant database without its registry row, found, then registered (after an audit)
    assert "tenants/nakatomi: unregistered: database trueup_demo_tenant_nakatomi matches the provisioning pattern" \
           in out
    assert "[fixed: registered as tenant 'nakatomi' (audit: in sync)]" in out
    assert "tenants/stark: missing_database" in out
