"""Layers: which group's desired state an object belongs to, to tell a control-layer table
found in a tenant (a layer mix-up) from a plain extra object."""

from __future__ import annotations

import threading

from trueup.config import Config
from trueup.errors import TrueupError
from trueup.fleet.desired import Desired, load_desired
from trueup.fleet.findings import layer_key


class LayerOwners:
    """For each group, the objects that belong to the *other* groups' desired states.

    Computed on first use only: most audits find no unexpected object and never need it, and
    a group not being audited costs a load of its desired state.
    """

    def __init__(self, config: Config, desired: dict[str, Desired]) -> None:
        self._config, self._desired = config, desired
        self._owners: dict[str, dict[tuple[str, str], str]] | None = None
        self._lock = threading.Lock()

    def for_group(self, group: str) -> dict[tuple[str, str], str]:
        with self._lock:
            if self._owners is None:
                self._owners = self._compute()
        return self._owners.get(group, {})

    def _compute(self) -> dict[str, dict[tuple[str, str], str]]:
        loaded: dict[tuple[str, str | None], set[tuple[str, str]]] = {}
        everything: dict[str, set[tuple[str, str]]] = {}
        for g in self._config.groups:  # groups not audited now still define layers
            d = self._desired.get(g)
            if d is None:
                try:
                    d = load_desired(self._config, g)
                except TrueupError:
                    everything[g] = set()
                    continue
            key = (self._config.groups[g].source_key, d.template_schema)
            if key not in loaded:
                loaded[key] = {layer_key(o.id, d.engine) for o in d.model if o.kind in d.engine.layer_kinds}
            everything[g] = loaded[key]
        out: dict[str, dict[tuple[str, str], str]] = {}
        for g in self._desired:
            mine = everything.get(g, set())
            out[g] = {k: other for other, keys in everything.items() if other != g for k in keys if k not in mine}
        return out
