"""What plans of partitioned tables say and do, on every server version of the suite: the DDL
chosen from the target's version (foreign keys on partitioned tables, DETACH CONCURRENTLY), the
hazards it carries, and the partitions' indexes and constraints attached or kept rather than
built again (the same index, by its OID, before and after)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import psycopg
import pytest

from trueup.api import diff_models
from trueup.engines.interface.generators import DiffOptions
from trueup.engines.interface.sql import Hazard
from trueup.engines.postgres import ENGINE
from trueup.plan.script import Plan

SERVERS = ("main", "pg16", "pg18")

CUST = "CREATE TABLE customers (id int PRIMARY KEY);"
ORD = ("CREATE TABLE orders (id int NOT NULL, at date NOT NULL, customer int) PARTITION BY RANGE (at);"
       " CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');")
ORD25 = "CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"
FK = "ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer) REFERENCES customers;"


def _server(servers: dict[str, tuple[str, int]], label: str) -> tuple[str, int]:
    if label not in servers:
        pytest.skip(f"no {label} server (see tests/pgcluster.py)")
    url, version = servers[label]
    if label != "main" and version // 10000 == servers["main"][1] // 10000:
        pytest.skip(f"the main test server is PostgreSQL {version // 10000} already")
    return url, version


def _plan(db_on: Callable[..., str], server: str, old: str, new: str,
          options: DiffOptions | None = None) -> tuple[str, Plan]:
    old_url, new_url = db_on(server, old), db_on(server, new)
    return old_url, diff_models(ENGINE.inspect(old_url), ENGINE.inspect(new_url), options)


def _apply(url: str, plan: Plan) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for s in plan.statements(allow_destructive=True):
            conn.execute(s.sql)  # type: ignore[arg-type]


def _one(url: str, sql: str) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
    return row[0] if row else None


@pytest.mark.parametrize("label", SERVERS)
def test_foreign_key_on_partitioned_table_follows_the_server_version(
        db_on: Callable[..., str], servers: dict[str, tuple[str, int]], label: str) -> None:
    server, version = _server(servers, label)
    url, plan = _plan(db_on, server, CUST + ORD + "INSERT INTO customers VALUES (1);"
                      " INSERT INTO orders VALUES (1, '2024-05-01', 1)", CUST + ORD + FK)
    sqls = [s.sql for s in plan.all_statements()]
    adds = [s for s in plan.all_statements() if "ADD CONSTRAINT orders_customer_fkey" in s.sql]
    assert len(adds) == 1
    if version >= 180000:  # added without a scan, validated under a weaker lock
        assert adds[0].sql.endswith(" NOT VALID")
        assert any("VALIDATE CONSTRAINT orders_customer_fkey" in s for s in sqls)
    else:  # PostgreSQL refuses NOT VALID there: one statement, which blocks writes
        assert "NOT VALID" not in adds[0].sql and not any("VALIDATE" in s for s in sqls)
        assert {Hazard.BLOCKS_WRITES, Hazard.MAY_FAIL} <= set(adds[0].hazards)
        assert any("before 18" in n for n in adds[0].notes)
    _apply(url, plan)
    assert _one(url, "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_customer_fkey'"
                     " AND conparentid = 0") is True
    # the partition has its copy of it
    assert _one(url, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders_2024'::regclass"
                     " AND contype = 'f'") == 1


def test_a_model_without_server_version_gets_ddl_every_version_accepts(
        db_on: Callable[..., str], servers: dict[str, tuple[str, int]]) -> None:
    server, _ = _server(servers, "main")
    old_url, new_url = db_on(server, CUST + ORD), db_on(server, CUST + ORD + FK)
    old = dataclasses.replace(ENGINE.inspect(old_url), server_version=0)
    new = dataclasses.replace(ENGINE.inspect(new_url), server_version=0)
    assert not any("NOT VALID" in s.sql for s in diff_models(old, new).all_statements())


@pytest.mark.parametrize("label", SERVERS)
def test_partition_of_a_referenced_table_is_detached_before_its_drop(
        db_on: Callable[..., str], servers: dict[str, tuple[str, int]], label: str) -> None:
    server, _ = _server(servers, label)
    pk = "ALTER TABLE orders ADD PRIMARY KEY (id, at);"
    refunds = "CREATE TABLE refunds (order_id int, order_at date, FOREIGN KEY (order_id, order_at) REFERENCES orders);"
    url, plan = _plan(db_on, server, ORD + ORD25 + pk + refunds,
                      ORD.split(";")[0] + ";" + ORD25 + pk + refunds)
    sqls = [s.sql for s in plan.all_statements()]
    detach = sqls.index("ALTER TABLE public.orders DETACH PARTITION public.orders_2024")
    assert sqls.index("DROP TABLE public.orders_2024") == detach + 1
    _apply(url, plan)
    assert _one(url, "SELECT to_regclass('orders_2024')") is None
    assert _one(url, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'refunds'::regclass"
                     " AND contype = 'f' AND conparentid = 0") == 1


def _oid(url: str, name: str) -> object:
    return _one(url, f"SELECT '{name}'::regclass::oid")


@pytest.mark.parametrize("label", SERVERS)
def test_invalid_parent_index_is_completed_by_attaching_the_partitions_index(
        db_on: Callable[..., str], servers: dict[str, tuple[str, int]], label: str) -> None:
    server, _ = _server(servers, label)
    old = (ORD + ORD25 + "CREATE INDEX orders_at_idx ON ONLY orders (at);"
           " CREATE INDEX orders_2024_at_idx ON orders_2024 (at);"
           " ALTER INDEX orders_at_idx ATTACH PARTITION orders_2024_at_idx;"
           " CREATE INDEX orders_2025_at_idx ON orders_2025 (at)")
    url, plan = _plan(db_on, server, old, ORD + ORD25 + "CREATE INDEX orders_at_idx ON orders (at)")
    before = _oid(url, "orders_2025_at_idx")
    assert [s.sql for s in plan.all_statements()] == [
        "ALTER INDEX public.orders_at_idx ATTACH PARTITION public.orders_2025_at_idx"]
    _apply(url, plan)
    assert _one(url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_at_idx'::regclass") is True
    assert _oid(url, "orders_2025_at_idx") == before  # attached, not built again


@pytest.mark.parametrize("label", SERVERS)
def test_new_parent_index_and_primary_key_adopt_the_partitions_own(
        db_on: Callable[..., str], servers: dict[str, tuple[str, int]], label: str) -> None:
    server, _ = _server(servers, label)
    old = (ORD + "CREATE INDEX orders_2024_customer_idx ON orders_2024 (customer);"
           " ALTER TABLE orders_2024 ADD PRIMARY KEY (id, at)")
    url, plan = _plan(db_on, server, old, ORD + "CREATE INDEX orders_customer_idx ON orders (customer);"
                                                " ALTER TABLE orders ADD PRIMARY KEY (id, at)")
    before = (_oid(url, "orders_2024_customer_idx"), _oid(url, "orders_2024_pkey"))
    sqls = [s.sql for s in plan.all_statements()]
    assert not any(s.startswith("DROP INDEX") or "DROP CONSTRAINT" in s for s in sqls), sqls
    _apply(url, plan)
    assert (_oid(url, "orders_2024_customer_idx"), _oid(url, "orders_2024_pkey")) == before
    assert _one(url, "SELECT count(*) FROM pg_inherits WHERE inhrelid IN"
                     " ('orders_2024_customer_idx'::regclass, 'orders_2024_pkey'::regclass)") == 2


@pytest.mark.parametrize("label", SERVERS)
def test_detached_partition_keeps_its_index_and_primary_key(
        db_on: Callable[..., str], servers: dict[str, tuple[str, int]], label: str) -> None:
    server, _ = _server(servers, label)
    both = "CREATE INDEX orders_customer_idx ON orders (customer); ALTER TABLE orders ADD PRIMARY KEY (id, at);"
    alone = ("CREATE TABLE orders_2025 (id int NOT NULL, at date NOT NULL, customer int,"
             " CONSTRAINT orders_2025_pkey PRIMARY KEY (id, at));"
             " CREATE INDEX orders_2025_cust ON orders_2025 (customer)")
    url, plan = _plan(db_on, server, ORD + ORD25 + both, ORD + both + alone)
    before = (_oid(url, "orders_2025_customer_idx"), _oid(url, "orders_2025_pkey"))
    sqls = [s.sql for s in plan.all_statements()]
    assert "ALTER INDEX public.orders_2025_customer_idx RENAME TO orders_2025_cust" in sqls
    assert not any(s.startswith("CREATE INDEX") or "ADD CONSTRAINT" in s for s in sqls), sqls
    _apply(url, plan)
    assert (_oid(url, "orders_2025_cust"), _oid(url, "orders_2025_pkey")) == before


@pytest.mark.parametrize("label", SERVERS)
def test_detach_concurrently_where_the_server_allows_it(
        db_on: Callable[..., str], servers: dict[str, tuple[str, int]], label: str) -> None:
    server, _ = _server(servers, label)
    alone = "CREATE TABLE orders_2024 (id int NOT NULL, at date NOT NULL, customer int);"
    parent = ORD.split(";")[0] + ";"
    options = DiffOptions(concurrently=True)
    _, plan = _plan(db_on, server, ORD + ORD25, parent + ORD25 + alone, options)
    detach = [s for s in plan.all_statements() if "DETACH PARTITION" in s.sql]
    assert [s.sql for s in detach] == ["ALTER TABLE public.orders DETACH PARTITION public.orders_2024 CONCURRENTLY"]
    assert not detach[0].transactional
    # beside a default partition PostgreSQL refuses it: detached under lock, and said so
    default = "CREATE TABLE orders_other PARTITION OF orders DEFAULT;"
    _, plan = _plan(db_on, server, ORD + default, parent + default + alone, options)
    detach = [s for s in plan.all_statements() if "DETACH PARTITION" in s.sql]
    assert [s.sql for s in detach] == ["ALTER TABLE public.orders DETACH PARTITION public.orders_2024"]
    assert detach[0].transactional and Hazard.BLOCKS_WRITES in detach[0].hazards
    # without --concurrently: under lock too
    _, plan = _plan(db_on, server, ORD + ORD25, parent + ORD25 + alone)
    assert not any("CONCURRENTLY" in s.sql for s in plan.all_statements())


def test_new_partition_of_an_existing_table_is_tagged(db_on: Callable[..., str],
                                                      servers: dict[str, tuple[str, int]]) -> None:
    server, _ = _server(servers, "main")
    default = "CREATE TABLE orders_other PARTITION OF orders DEFAULT;"
    _, plan = _plan(db_on, server, ORD + default, ORD + default + ORD25)
    create = next(s for s in plan.all_statements() if s.sql.startswith("CREATE TABLE public.orders_2025"))
    assert {Hazard.BLOCKS_WRITES, Hazard.MAY_FAIL} <= set(create.hazards)
    # a partition created with its new partitioned table blocks nothing
    _, plan = _plan(db_on, server, "", ORD)
    assert all(not s.hazards for s in plan.all_statements())


def test_an_interrupted_detach_concurrently_is_finalized(db_on: Callable[..., str],
                                                         servers: dict[str, tuple[str, int]]) -> None:
    from trueup.engines.interface.session import ExecutionLimits
    from trueup.engines.interface.sql import stmt
    from trueup.engines.postgres.fleet_ops.execute import execute

    server, _ = _server(servers, "main")
    url = db_on(server, ORD + ORD25)
    detach = "ALTER TABLE public.orders DETACH PARTITION public.orders_2024 CONCURRENTLY"
    with psycopg.connect(url) as reader, psycopg.connect(url, autocommit=True) as deployer, \
            psycopg.connect(url, autocommit=True) as admin:
        reader.execute("SELECT count(*) FROM orders")  # an open transaction: the detach waits for it
        deployer.execute("SET statement_timeout = '1s'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            deployer.execute(detach)  # type: ignore[arg-type]
        reader.rollback()
        assert admin.execute("SELECT inhdetachpending FROM pg_inherits"
                             " WHERE inhrelid = 'orders_2024'::regclass").fetchone() == (True,)
    with psycopg.connect(url, autocommit=True) as conn:
        landed: list[object] = []
        execute(conn, [stmt(detach, transactional=False)], ExecutionLimits(), landed.extend)
        assert len(landed) == 1
    assert _one(url, "SELECT count(*) FROM pg_inherits WHERE inhrelid = 'orders_2024'::regclass") == 0
