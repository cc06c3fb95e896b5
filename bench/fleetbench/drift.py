"""Drift: which tenants drift and how (a deterministic choice, every kind used in turn)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from bench.fleetbench.tenant import ROLES, Tenant

DRIFT_KINDS = ("drop_table", "drop_index", "change_default", "extra_column", "drop_trigger", "drop_policy",
               "missing_row")
CATEGORY = {"drop_table": "table", "drop_index": "index", "change_default": "column",
            "extra_column": "column", "drop_trigger": "trigger", "drop_policy": "policy",
            "missing_row": "reference_data"}


@dataclass(frozen=True)
class Drift:
    kind: str
    sql: str  # unqualified, run with the tenant's schema first on the search_path
    category: str
    object: str  # a name the finding's object must contain


def plan_drift(names: Sequence[str], share: float, tenant: Tenant, seed: int) -> dict[str, Drift]:
    """Which tenants drift and how: a deterministic choice, every kind used in turn."""
    if not names or share <= 0:
        return {}
    rnd = random.Random(seed)
    count = min(len(names), max(1, round(len(names) * share)))
    chosen = sorted(rnd.sample(range(len(names)), count))
    kinds = list(DRIFT_KINDS)
    rnd.shuffle(kinds)
    out: dict[str, Drift] = {}
    for i, idx in enumerate(chosen):
        kind = kinds[i % len(kinds)]
        if kind == "drop_table":
            t = rnd.choice(tenant.leaf_tables)
            d = Drift(kind, f"DROP TABLE {t}", CATEGORY[kind], t)
        elif kind == "drop_index":
            ix = rnd.choice(tenant.indexes)
            d = Drift(kind, f"DROP INDEX {ix}", CATEGORY[kind], ix)
        elif kind == "change_default":
            t, col, new = rnd.choice(tenant.defaults)
            d = Drift(kind, f"ALTER TABLE {t} ALTER COLUMN {col} SET DEFAULT {new}", CATEGORY[kind],
                      f"{t}.{col}")
        elif kind == "extra_column":
            t = rnd.choice(tenant.tables)
            d = Drift(kind, f"ALTER TABLE {t} ADD COLUMN legacy_note text", CATEGORY[kind],
                      f"{t}.legacy_note")
        elif kind == "drop_trigger":
            t, tg = rnd.choice(tenant.triggers)
            d = Drift(kind, f"DROP TRIGGER {tg} ON {t}", CATEGORY[kind], tg)
        elif kind == "drop_policy":
            t, pol = rnd.choice(tenant.policies)
            d = Drift(kind, f"DROP POLICY {pol} ON {t}", CATEGORY[kind], pol)
        else:
            name = rnd.choice([r[0] for r in ROLES])
            d = Drift(kind, f"DELETE FROM roles WHERE name = '{name}'", CATEGORY[kind], f"name={name}")
        out[names[idx]] = d
    return out
