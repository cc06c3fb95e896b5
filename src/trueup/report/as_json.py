"""The audit as JSON (its shape is a public, stable interface; see docs/audit.md)."""

from __future__ import annotations

import json

from trueup.fleet.results import AuditResult


def render_json(result: AuditResult) -> str:
    return json.dumps(result.to_json(), indent=2, default=str) + "\n"
