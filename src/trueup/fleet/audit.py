"""``trueup audit``: which databases of the fleet drifted, how, and what fixes it.

Per group the desired state is loaded once (:mod:`~trueup.fleet.desired`). Every target is
then probed concurrently with a single round trip (:mod:`~trueup.fleet.probing`); only targets
whose fingerprint is not known to be in sync are inspected in full, and targets sharing a
fingerprint share one inspection, since equal fingerprints mean equal schemas
(:mod:`~trueup.fleet.judging`, :mod:`~trueup.fleet.execution`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

from trueup.config import Config
from trueup.engines import engine_for_url
from trueup.engines.interface.generators import DiffOptions
from trueup.fleet.desired import cache_folder, scratch_server
from trueup.fleet.execution import ProgressFn, audit_targets, default_concurrency
from trueup.fleet.history import add_history, run_status
from trueup.fleet.judging import Auditor
from trueup.fleet.probe_store import DatabaseProbeStore, FileProbeStore, ProbeStore
from trueup.fleet.results import AuditResult, TargetResult, sort_results
from trueup.fleet.targets import select_targets
from trueup.sources import cache as source_cache


def probe_store(config: Config, group: str) -> ProbeStore:
    """Where a group's probes of earlier audits are kept (see :mod:`trueup.fleet.probe_store`)."""
    code = source_cache.code_digest()
    if config.state.url:
        return DatabaseProbeStore(engine_for_url(config.state.url).probe_table(config.state.url), group, code)
    name = hashlib.sha256(group.encode()).hexdigest()[:16]
    return FileProbeStore(cache_folder(config) / "probes" / f"{name}.json", code)


def run_audit(config: Config, *, groups: Sequence[str] | None = None, targets: Sequence[str] | None = None,
              concurrency: int | None = None, progress: ProgressFn | None = None,
              plans: bool = False, allow_destructive: bool = False,
              names: Sequence[tuple[str, str]] | None = None,
              diff_options: DiffOptions | None = None, rescan: bool = False) -> AuditResult:
    """Audit the fleet. With ``plans``, every drifted target also gets the statements that
    repair it (the destructive policy, given ``allow_destructive``, decides which run and which
    are skipped). ``names`` restricts the run to exact (group, target name) pairs. Unless
    ``rescan`` (or ``[state] cache = false``), a target whose change token reads as at its last
    audit reuses that audit's probe."""
    started = time.perf_counter()
    group_names, work, failed = select_targets(config, groups, targets, names)
    results = [TargetResult(g, "(discovery)", "", "error", error=err.message, hint=err.hint) for g, err in failed]
    auditor = Auditor(config, group_names, allow_destructive=allow_destructive, diff_options=diff_options)
    conc = concurrency or config.settings.concurrency or _sized(config, group_names[0])
    stores = {} if rescan or not config.state.cache else {g: probe_store(config, g) for g in group_names}
    results.extend(audit_targets(work, auditor, conc, progress, plans, stores))
    for store in stores.values():
        store.save()
    with_history = [g for g in group_names if config.groups[g].migrations is not None]
    if with_history and not plans:
        add_history(results, run_status(config, groups=with_history, targets=targets, concurrency=conc))
    return AuditResult(sort_results(results, group_names), group_names, time.perf_counter() - started, auditor)


def _sized(config: Config, group: str) -> int:
    server = scratch_server(config, group)
    return default_concurrency(engine_for_url(server), server, config.settings.connect_timeout)
