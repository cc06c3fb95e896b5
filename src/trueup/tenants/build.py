"""Building a tenant's schema: the group's desired state applied (or its trueup migrations run)
as the provisioning server's admin, then verified; and the template database new tenants are
copied from, built the same way once per desired state."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading

from trueup.config import Config
from trueup.engines import engine_for_url
from trueup.engines.interface.engine import Engine
from trueup.engines.interface.tenancy import Registry, ServerOps
from trueup.errors import TrueupError
from trueup.fleet.apply import apply_target
from trueup.fleet.desired import migrations_folder
from trueup.fleet.judging import Auditor
from trueup.fleet.migrate_up import migrate_target
from trueup.fleet.results import TargetResult
from trueup.fleet.targets import Target, tenant_target
from trueup.tenants.steps import injected


class Builder:
    """Per group: the auditor (its desired state, loaded once) and the template's name."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._auditors: dict[str, Auditor] = {}
        self._templates: dict[str, str] = {}

    def auditor(self, group: str) -> Auditor:
        with self._lock:
            if group not in self._auditors:
                self._auditors[group] = Auditor(self.config, [group])
            return self._auditors[group]

    def digest(self, group: str) -> str:
        """What the group's tenants are built from: its desired state and reference rows."""
        d = self.auditor(group).desired[group]
        text = json.dumps({"model": d.model.to_json(), "rows": repr(d.reference)}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def latest(self, group: str) -> str | None:
        """The last migration of a group with trueup's migrations (what its tenants are built to)."""
        migrations = self.config.groups[group].migrations
        if migrations is None or migrations.history != "trueup":
            return None
        folder = migrations_folder(self.config, group)
        return folder.migrations[-1].label if folder.migrations else None

    def build(self, target: Target) -> str:
        """Bring ``target`` (reached as the admin) to its group's desired state; what was done."""
        group = self.config.groups[target.group]
        done = []
        if group.migrations is not None and group.migrations.history == "trueup":
            folder = migrations_folder(self.config, target.group)
            out = migrate_target(self.config, target, folder, len(folder.migrations) - 1)
            if out.status == "failed":
                raise TrueupError(f"migration failed: {out.error}", out.hint)
            if out.applied:
                done.append(f"migrations {out.applied[0]} to {out.applied[-1]}")
        out_apply = apply_target(target, None, settings=self.config.apply, auditor=self.auditor(target.group),
                                 timeout=self.config.settings.connect_timeout)
        if out_apply.status == "failed":
            raise TrueupError(out_apply.error or "applying the desired state failed", out_apply.hint)
        if out_apply.applied:
            done.append(f"{len(out_apply.applied)} statement(s) applied")
        return ", ".join(done) or "nothing to do"

    def audit(self, target: Target) -> TargetResult:
        """The target judged against its group's desired state, on a session of its own."""
        auditor = self.auditor(target.group)
        with target.engine.connect(target.url, timeout=self.config.settings.connect_timeout) as session:
            return auditor.judge(session, target, auditor.probe(session, target, again=True), plans=False)

    def verify(self, target: Target) -> str:
        """Fails unless ``target`` has its group's desired state."""
        result = self.audit(target)
        if result.findings:
            first = "; ".join(f"{f.problem} {f.object}" for f in result.findings[:3])
            raise TrueupError(f"the tenant differs from its desired state in {len(result.findings)} way(s): {first}",
                              hint="see `trueup audit` for the details")
        return "in sync"

    def template(self, group: str, ops: ServerOps, registry: Registry, wait_s: float) -> str:
        """The group's template database for its current desired state, built if missing (under
        a registry lock: one builder at a time; built under a temporary name, renamed when
        verified, so a half-built template is never copied)."""
        with self._lock:
            name = self._templates.get(group)
        if name is not None and ops.has_database(name):
            return name
        name = self.engine(group).tenancy().template_name(group, self.digest(group))
        with registry.lock(f"template:{name}", max(wait_s, 600.0)):
            if not ops.has_database(name):
                building = f"{name}_b{os.getpid()}"[:63]
                # (half-built ones a killed build left: no other build runs, this process holds the lock)
                for left in ops.databases(_like(name) + "\\_b%"):
                    ops.drop_database(left)
                ops.ensure_database(building, None)
                try:
                    target = tenant_target(self.config, group, "(template)", building, None)
                    self.build(target)
                    injected("template", "build")
                    self.verify(target)
                    ops.rename_database(building, name)
                except BaseException:
                    ops.drop_database(building)
                    raise
                self._drop_older(group, ops, name)
        with self._lock:
            self._templates[group] = name
        return name

    def _drop_older(self, group: str, ops: ServerOps, current: str) -> None:
        """The group's templates of earlier desired states (the same name but for the digest):
        no new tenant is copied from them any more."""
        stem = self.engine(group).tenancy().template_name(group, "")
        for other in ops.databases(_like(stem) + "%"):
            digest = other[len(stem):]
            if other != current and len(other) == len(current) and re.fullmatch(r"[0-9a-f]+", digest):
                ops.drop_database(other)

    def engine(self, group: str) -> Engine:
        provision = self.config.groups[group].provision
        assert provision is not None
        return engine_for_url(provision.server)


def _like(name: str) -> str:
    """A LIKE pattern matching exactly ``name``."""
    return name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
