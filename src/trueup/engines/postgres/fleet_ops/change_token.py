"""A change token: one cheap reading that moves whenever the schema (or a reference table) of a
database may have changed, so an audit can reuse what it measured there last time.

It reads no catalog table. PostgreSQL (15 and later) counts, per table, the rows every session
inserts, updates and deletes, system catalogs included, in its cumulative statistics; any DDL
writes catalog rows, so the sum of those counters over the catalogs the inspection reads only
grows with each change. The token is those counters (and the counters of the reference tables,
which catch changed rows), together with what detects that they started over:

* the file path of ``pg_class``, which holds the database's OID (a database dropped and created
  again under the same name) and its relfilenode;
* the time the database's statistics were last reset (``pg_stat_reset()``, one table's reset);
* the time the server's shared statistics were last reset: PostgreSQL discards all statistics
  after a crash and sets that time anew (checked on PostgreSQL 15: the counters fell to zero
  while the postmaster start time stayed the same);
* the server version and the ``track_counts`` setting (off: no token).

What it cannot see: a change whose counters the session that made it has not flushed yet (a
session flushes when it goes idle, at most once a second, so up to about ten seconds after its
last statement while it stays connected, sixty if the statistics are contended; a closed
session flushes at once); DDL run by a
superuser who turned ``track_counts`` off for that session. Callers trust a token only to
confirm that nothing changed since a state they measured exactly.

A catalog table's OID is fixed by PostgreSQL's catalog definition and the same on every server
(``tests/test_change_token.py`` checks the list below against the server).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from typing import Any

import psycopg

from trueup.engines.interface.session import Token
from trueup.engines.postgres.quoting import literal

#: the catalogs whose rows the inspection reads or whose changes alter its output, by fixed OID
CATALOGS: dict[str, int] = {
    "pg_default_acl": 826, "pg_type": 1247, "pg_attribute": 1249, "pg_proc": 1255, "pg_class": 1259,
    "pg_authid": 1260, "pg_auth_members": 1261, "pg_sequence": 2224, "pg_aggregate": 2600, "pg_am": 2601,
    "pg_attrdef": 2604, "pg_cast": 2605, "pg_constraint": 2606, "pg_depend": 2608, "pg_description": 2609,
    "pg_index": 2610, "pg_inherits": 2611, "pg_language": 2612, "pg_namespace": 2615, "pg_opclass": 2616,
    "pg_operator": 2617, "pg_rewrite": 2618, "pg_trigger": 2620, "pg_opfamily": 2753, "pg_extension": 3079,
    "pg_policy": 3256, "pg_partitioned_table": 3350, "pg_statistic_ext": 3381, "pg_init_privs": 3394,
    "pg_collation": 3456, "pg_event_trigger": 3466, "pg_enum": 3501, "pg_range": 3541, "pg_seclabel": 3596,
    "pg_foreign_data_wrapper": 2328, "pg_foreign_server": 1417, "pg_user_mapping": 1418, "pg_foreign_table": 3118,
    "pg_publication": 6104, "pg_publication_rel": 6106, "pg_publication_namespace": 6237,
}

#: the servers whose statistics behave as described above: in shared memory (reliable, never
#: sampled) since PostgreSQL 15, discarded after a crash with a new reset time (checked on 15
#: and 18). A later major version is trusted once checked (writing statistics at checkpoints, to
#: keep them across a crash, has been proposed: counts falling back to a checkpoint's, with no
#: new reset time, would break the token)
SERVER_VERSIONS = (150000, 190000)
MIN_SERVER_VERSION = SERVER_VERSIONS[0]


def _counters(rel: str) -> str:
    return ", ".join(f"pg_catalog.pg_stat_get_tuples_{k}({rel})" for k in ("inserted", "updated", "deleted"))


@cache
def token_sql(tables: tuple[str, ...], known: tuple[int | None, ...] | None = None) -> str:
    """One row of plain function calls: on a new connection every other construct (a catalog
    scan, an aggregate) costs more than all the counters together. ``known``: the reference
    tables' OIDs of the last reading, and the database's OID is passed as ``%(db)s`` (else the
    tables are looked up by name and the database in pg_database, which costs a new connection
    more than the rest of the query)."""
    db = ("%(db)s::oid" if known is not None
          else "(SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())")
    parts = [
        "pg_catalog.current_setting('track_counts')",
        "pg_catalog.current_setting('server_version_num')",
        f"pg_catalog.pg_relation_filepath({CATALOGS['pg_class']}::oid)",
        "pg_catalog.pg_stat_get_bgwriter_stat_reset_time()",
        f"pg_catalog.pg_stat_get_db_stat_reset_time({db})",
        *(_counters(str(oid)) for oid in CATALOGS.values()),
    ]
    # per reference table its OID (dropped and created again) and counters, as one 2-D array (a
    # target list holds at most 1664 columns)
    rels = ([f"pg_catalog.to_regclass({literal(name)})" for name in tables] if known is None
            else [f"{oid}::oid" if oid is not None else "NULL::oid" for oid in known])
    if rels:
        parts.append("ARRAY[" + ", ".join(f"ARRAY[{rel}::oid::int8, {_counters(rel)}]" for rel in rels) + "]")
    return "SELECT " + ", ".join(parts)


def database_oid(path: str) -> int:
    """The database OID in a relation's file path (``base/DB/FILE`` or
    ``pg_tblspc/SPC/VERSION/DB/FILE``)."""
    return int(path.split("/")[-2])


def change_token(conn: psycopg.Connection[Any], tables: Sequence[str] = (),
                 last: Token | None = None) -> Token | None:
    """The token of the connection's database (``tables``: reference tables, qualified names),
    or ``None`` where there is none to trust: a server outside :data:`SERVER_VERSIONS`,
    ``track_counts`` off, or a function the user may not call. ``last``: the token read last
    time, whose OIDs spare looking the database and the tables up (a database created again
    under the same name has another OID: then they are looked up). A table dropped, created or
    renamed since writes pg_class, whose counts then move the token anyway; a caller who finds
    it moved must read it again without ``last`` before keeping it."""
    if not SERVER_VERSIONS[0] <= conn.info.server_version < SERVER_VERSIONS[1]:
        return None
    names = tuple(tables)
    attempts = [last, None] if last is not None and len(last.tables) == len(names) else [None]
    for known in attempts:
        try:
            cur = conn.execute(token_sql(names, known.tables if known else None),  # type: ignore[arg-type]
                               {"db": known.database} if known else None)
            row = cur.fetchone()
        except psycopg.Error:
            if not conn.autocommit:
                conn.rollback()
            return None
        if row is None or row[0] != "on":
            return None
        db = database_oid(str(row[2]))
        if known is None or db == known.database:
            oids = tuple(None if t[0] is None else int(t[0]) for t in row[-1]) if names else ()
            value = hashlib.sha256("\x1f".join(map(str, row)).encode()).hexdigest()[:32]
            return Token(db, value, oids)
    return None
