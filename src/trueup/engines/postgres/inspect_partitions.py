"""The inspection's reading of partitioned indexes (rows of ``queries/indexes.sql``).

A partition's index attached to its parent's is not an object of the model (the parent index
stands for it); which index is attached to which is kept in the model's ``meta`` (see
:data:`trueup.engines.postgres.kinds.partitioning.ATTACHED_META`), for the plans to attach the
partitions' own indexes instead of building them again, and to keep a detached partition's index.
"""

from __future__ import annotations

from typing import Any

from trueup.engines.postgres.kinds.partitioning import ATTACHED_META, CLONED_META, NOTNULL_META


def note_attached_index(meta: dict[str, Any], row: dict[str, Any]) -> None:
    """Record an attached partition index (one a constraint does not back)."""
    parent = row.get("parent_index")
    if row["attached"] and not row["constraint_backed"] and parent:
        meta.setdefault(ATTACHED_META, []).append(
            [row["schema"], row["name"], row["schema"], row["table_name"], parent[0], parent[1]])


def index_validity(row: dict[str, Any]) -> dict[str, bool]:
    """``valid: False`` for a partitioned table's index that some partition lacks (``ON ONLY``
    without every partition's index attached); kept only then, so earlier snapshots compare."""
    return {} if row["valid"] else {"valid": False}


def note_partition_constraint(meta: dict[str, Any], row: dict[str, Any]) -> None:
    """Record a partition's copy of its parent's constraint (``queries/partition_constraints.sql``)."""
    meta.setdefault(CLONED_META, []).append([row["schema"], row["table_name"], row["name"], row["parent_schema"],
                                             row["parent_table"], row["parent_name"]])


def note_notnull_name(meta: dict[str, Any], row: dict[str, Any]) -> None:
    """Record the name of a NOT NULL constraint (``queries/notnull_names.sql``, PostgreSQL 18)."""
    meta.setdefault(NOTNULL_META, []).append([row["schema"], row["table_name"], row["column_name"], row["name"]])
