"""Round trips of partitioned tables, written from PostgreSQL's documentation on partitioning
(5.12 Table Partitioning: the ``measurement`` and ``cities`` examples; CREATE TABLE's
``PARTITION BY`` / ``PARTITION OF``, ALTER TABLE's ``ATTACH``/``DETACH PARTITION``, CREATE
INDEX's ``ON ONLY`` and ALTER INDEX's ``ATTACH PARTITION``): range, list and hash
partitioning, default partitions, sub-partitioning, bounds, partitioned indexes and the
partitions' indexes and constraints they adopt, unique constraints including the partition key,
foreign keys from and to partitioned tables, and turning a table into a partitioned one and back.

(The first partition cases live in test_roundtrip_tables.py; none is repeated here.)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.roundtrip.harness import Case, case_params, run_case
from trueup.engines.interface.generators import DiffOptions

# the documentation's measurement table (5.12.2.1), by month
MEAS = ("CREATE TABLE measurement (city_id int NOT NULL, logdate date NOT NULL, peaktemp int, unitsales int)"
        " PARTITION BY RANGE (logdate);\n")
FEB = "CREATE TABLE measurement_y2006m02 PARTITION OF measurement FOR VALUES FROM ('2006-02-01') TO ('2006-03-01');\n"
MAR = "CREATE TABLE measurement_y2006m03 PARTITION OF measurement FOR VALUES FROM ('2006-03-01') TO ('2006-04-01');\n"
MEAS_IDX = "CREATE INDEX measurement_logdate_idx ON measurement (logdate);\n"
# the cities example (5.12.2.2 and sub-partitioning)
CITIES = ("CREATE TABLE cities (city_id bigint NOT NULL, name text NOT NULL, population bigint)"
          " PARTITION BY LIST (left(lower(name), 1));\n")
CITIES_AB = ("CREATE TABLE cities_ab PARTITION OF cities (CONSTRAINT city_id_nonzero CHECK (city_id != 0))"
             " FOR VALUES IN ('a', 'b');\n")
CITIES_AB_SUB = ("CREATE TABLE cities_ab PARTITION OF cities (CONSTRAINT city_id_nonzero CHECK (city_id != 0))"
                 " FOR VALUES IN ('a', 'b') PARTITION BY RANGE (population);\n")
CITIES_AB_LOW = "CREATE TABLE cities_ab_10000_to_100000 PARTITION OF cities_ab FOR VALUES FROM (10000) TO (100000);\n"
# an orders table partitioned by a key that unique constraints must include
ORD = "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, amount int) PARTITION BY RANGE (at);\n"
ORD24 = "CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
ORD25 = "CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
ORD_PK = "ALTER TABLE orders ADD PRIMARY KEY (id, at);\n"
CUST = "CREATE TABLE customers (id int PRIMARY KEY);\n"

RANGE_LIST_HASH = [
    Case("measurement_create", "", MEAS + FEB + MAR + MEAS_IDX),
    Case("measurement_new_month_with_storage_parameter", MEAS + FEB + MEAS_IDX,
         MEAS + FEB + MEAS_IDX + "CREATE TABLE measurement_y2006m03 PARTITION OF measurement"
         " FOR VALUES FROM ('2006-03-01') TO ('2006-04-01') WITH (parallel_workers = 4)"),
    Case("measurement_attach_prepared_table_drops_its_check",
         MEAS + FEB + "CREATE TABLE measurement_y2006m03 (LIKE measurement INCLUDING DEFAULTS INCLUDING CONSTRAINTS);"
         " ALTER TABLE measurement_y2006m03 ADD CONSTRAINT y2006m03"
         " CHECK (logdate >= DATE '2006-03-01' AND logdate < DATE '2006-04-01')",
         MEAS + FEB + MAR),
    Case("measurement_drop_oldest_month", MEAS + FEB + MAR + MEAS_IDX, MEAS + MAR + MEAS_IDX),
    Case("range_split_partition_in_two",
         ORD + ORD24,
         ORD + "CREATE TABLE orders_2024h1 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');"
         " CREATE TABLE orders_2024h2 PARTITION OF orders FOR VALUES FROM ('2024-07-01') TO ('2025-01-01')"),
    Case("range_merge_two_partitions",
         ORD + "CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');"
         " CREATE TABLE orders_2024h2 PARTITION OF orders FOR VALUES FROM ('2024-07-01') TO ('2025-01-01')",
         ORD + ORD24),
    Case("range_multicolumn_minvalue_maxvalue", "",
         "CREATE TABLE r (a int, b int) PARTITION BY RANGE (a, b);"
         " CREATE TABLE r_low PARTITION OF r FOR VALUES FROM (MINVALUE, MINVALUE) TO (10, MAXVALUE);"
         " CREATE TABLE r_high PARTITION OF r FOR VALUES FROM (11, MINVALUE) TO (MAXVALUE, MAXVALUE)"),
    Case("range_bound_to_maxvalue",
         ORD + ORD24, ORD + "CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO (MAXVALUE)"),
    Case("list_value_removed",
         "CREATE TABLE l (id int, region text) PARTITION BY LIST (region);"
         " CREATE TABLE l_eu PARTITION OF l FOR VALUES IN ('eu', 'uk')",
         "CREATE TABLE l (id int, region text) PARTITION BY LIST (region);"
         " CREATE TABLE l_eu PARTITION OF l FOR VALUES IN ('eu')"),
    Case("list_null_partition", "CREATE TABLE l (id int, region text) PARTITION BY LIST (region)",
         "CREATE TABLE l (id int, region text) PARTITION BY LIST (region);"
         " CREATE TABLE l_none PARTITION OF l FOR VALUES IN (NULL)"),
    Case("cities_expression_key_create", "", CITIES + CITIES_AB),
    Case("hash_modulus_grows",
         "CREATE TABLE h (id bigint NOT NULL) PARTITION BY HASH (id);"
         " CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 0);"
         " CREATE TABLE h1 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
         "CREATE TABLE h (id bigint NOT NULL) PARTITION BY HASH (id);"
         " CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (MODULUS 4, REMAINDER 0);"
         " CREATE TABLE h1 PARTITION OF h FOR VALUES WITH (MODULUS 4, REMAINDER 1);"
         " CREATE TABLE h2 PARTITION OF h FOR VALUES WITH (MODULUS 4, REMAINDER 2);"
         " CREATE TABLE h3 PARTITION OF h FOR VALUES WITH (MODULUS 4, REMAINDER 3)"),
    Case("partition_moves_to_other_parent",
         ORD + ORD24 + "CREATE TABLE archive (id int NOT NULL, at date NOT NULL, amount int) PARTITION BY RANGE (at)",
         ORD + "CREATE TABLE archive (id int NOT NULL, at date NOT NULL, amount int) PARTITION BY RANGE (at);"
         " CREATE TABLE orders_2024 PARTITION OF archive FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"),
    Case("attach_table_with_columns_in_other_order",
         ORD + "CREATE TABLE orders_2024 (amount int, at date NOT NULL, id int NOT NULL)",
         ORD + "CREATE TABLE orders_2024 (amount int, at date NOT NULL, id int NOT NULL);"
         " ALTER TABLE orders ATTACH PARTITION orders_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"),
]

DEFAULTS = [
    Case("default_partition_dropped",
         ORD + ORD24 + "CREATE TABLE orders_other PARTITION OF orders DEFAULT", ORD + ORD24),
    Case("partition_added_beside_default",
         ORD + ORD24 + "CREATE TABLE orders_other PARTITION OF orders DEFAULT",
         ORD + ORD24 + ORD25 + "CREATE TABLE orders_other PARTITION OF orders DEFAULT"),
    Case("default_partition_becomes_ranged",
         ORD + "CREATE TABLE orders_other PARTITION OF orders DEFAULT",
         ORD + "CREATE TABLE orders_other PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"),
    Case("ranged_partition_becomes_default", ORD + ORD24 + ORD25,
         ORD + ORD25 + "CREATE TABLE orders_2024 PARTITION OF orders DEFAULT"),
    Case("default_partition_sub_partitioned", "",
         ORD + "CREATE TABLE orders_other PARTITION OF orders DEFAULT PARTITION BY HASH (id);"
         " CREATE TABLE orders_other_0 PARTITION OF orders_other FOR VALUES WITH (MODULUS 2, REMAINDER 0);"
         " CREATE TABLE orders_other_1 PARTITION OF orders_other FOR VALUES WITH (MODULUS 2, REMAINDER 1)"),
]

MULTI_LEVEL = [
    Case("cities_sub_partitioned_create", "", CITIES + CITIES_AB_SUB + CITIES_AB_LOW),
    Case("cities_partition_becomes_sub_partitioned", CITIES + CITIES_AB, CITIES + CITIES_AB_SUB + CITIES_AB_LOW),
    Case("cities_sub_partitioned_back_to_leaf", CITIES + CITIES_AB_SUB + CITIES_AB_LOW, CITIES + CITIES_AB),
    Case("cities_sub_partition_added", CITIES + CITIES_AB_SUB + CITIES_AB_LOW,
         CITIES + CITIES_AB_SUB + CITIES_AB_LOW
         + "CREATE TABLE cities_ab_100000_up PARTITION OF cities_ab FOR VALUES FROM (100000) TO (MAXVALUE)"),
    Case("three_levels_with_index", "",
         "CREATE TABLE e (id int, region text, at date, kind int) PARTITION BY LIST (region);"
         " CREATE TABLE e_eu PARTITION OF e FOR VALUES IN ('eu') PARTITION BY RANGE (at);"
         " CREATE TABLE e_eu_2024 PARTITION OF e_eu FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
         " PARTITION BY HASH (kind);"
         " CREATE TABLE e_eu_2024_0 PARTITION OF e_eu_2024 FOR VALUES WITH (MODULUS 1, REMAINDER 0);"
         " CREATE INDEX e_at_idx ON e (at)"),
    Case("sub_partition_detached_keeps_index",
         CITIES + CITIES_AB_SUB + CITIES_AB_LOW + "CREATE INDEX cities_name_idx ON cities (name)",
         CITIES + CITIES_AB_SUB + "CREATE INDEX cities_name_idx ON cities (name);"
         " CREATE TABLE cities_ab_10000_to_100000 (city_id bigint NOT NULL, name text NOT NULL, population bigint,"
         " CONSTRAINT city_id_nonzero CHECK (city_id != 0));"
         " CREATE INDEX cities_ab_10000_to_100000_name_idx ON cities_ab_10000_to_100000 (name)"),
]

INDEXES = [
    Case("detached_partition_keeps_its_index", MEAS + FEB + MAR + MEAS_IDX,
         MEAS + FEB + MEAS_IDX
         + "CREATE TABLE measurement_y2006m03 (city_id int NOT NULL, logdate date NOT NULL, peaktemp int,"
         " unitsales int); CREATE INDEX measurement_y2006m03_logdate_idx ON measurement_y2006m03 (logdate)"),
    Case("parent_index_adopts_partitions_indexes",
         MEAS + FEB + MAR + "CREATE INDEX measurement_y2006m02_logdate_idx ON measurement_y2006m02 (logdate);"
         " CREATE INDEX measurement_y2006m03_logdate_idx ON measurement_y2006m03 (logdate)",
         MEAS + FEB + MAR + MEAS_IDX),
    Case("invalid_parent_index_completed_by_attach",
         MEAS + FEB + MAR + "CREATE INDEX measurement_logdate_idx ON ONLY measurement (logdate);"
         " CREATE INDEX measurement_y2006m02_logdate_idx ON measurement_y2006m02 (logdate);"
         " ALTER INDEX measurement_logdate_idx ATTACH PARTITION measurement_y2006m02_logdate_idx;"
         " CREATE INDEX measurement_y2006m03_logdate_idx ON measurement_y2006m03 (logdate)",
         MEAS + FEB + MAR + MEAS_IDX),
    Case("parent_index_only_stays_invalid", MEAS + FEB,
         MEAS + FEB + "CREATE INDEX measurement_logdate_idx ON ONLY measurement (logdate)"),
    Case("attach_table_adopts_its_matching_index",
         MEAS + FEB + MEAS_IDX + "CREATE TABLE measurement_y2006m03 (city_id int NOT NULL, logdate date NOT NULL,"
         " peaktemp int, unitsales int);"
         " CREATE INDEX measurement_y2006m03_logdate_idx ON measurement_y2006m03 (logdate)",
         MEAS + FEB + MAR + MEAS_IDX),
    Case("unique_index_with_partition_key", ORD + ORD24,
         ORD + ORD24 + "CREATE UNIQUE INDEX orders_id_at_idx ON orders (id, at)"),
    Case("parent_index_dropped", MEAS + FEB + MAR + MEAS_IDX, MEAS + FEB + MAR),
    Case("parent_index_changed", MEAS + FEB + MEAS_IDX,
         MEAS + FEB + "CREATE INDEX measurement_logdate_idx ON measurement (logdate, city_id)"),
]

CONSTRAINTS = [
    Case("primary_key_added_to_partitioned_with_partitions", ORD + ORD24 + ORD25, ORD + ORD24 + ORD25 + ORD_PK),
    Case("parent_primary_key_adopts_partition_primary_key",
         ORD + ORD24 + "ALTER TABLE orders_2024 ADD PRIMARY KEY (id, at)", ORD + ORD24 + ORD_PK),
    Case("parent_unique_adopts_partition_unique",
         ORD + ORD24 + "ALTER TABLE orders_2024 ADD CONSTRAINT orders_2024_id_at_key UNIQUE (id, at)",
         ORD + ORD24 + "ALTER TABLE orders ADD CONSTRAINT orders_id_at_key UNIQUE (id, at)"),
    Case("primary_key_dropped_from_partitioned", ORD + ORD24 + ORD_PK, ORD + ORD24),
    Case("partition_own_check_added", ORD + ORD24,
         ORD + ORD24 + "ALTER TABLE orders_2024 ADD CONSTRAINT amount_small CHECK (amount < 1000)"),
    Case("partitioned_check_not_valid", ORD + ORD24,
         ORD + ORD24 + "ALTER TABLE orders ADD CONSTRAINT amount_pos CHECK (amount > 0) NOT VALID"),
    Case("exclusion_on_partitioned_with_key", "CREATE EXTENSION btree_gist;\n" + ORD + ORD24,
         "CREATE EXTENSION btree_gist;\n" + ORD + ORD24
         + "ALTER TABLE orders ADD CONSTRAINT no_overlap EXCLUDE USING gist (at WITH =, id WITH =)", min_pg=17),
]

FOREIGN_KEYS = [
    Case("fk_added_from_partitioned_table", CUST + ORD.replace("amount int", "customer int") + ORD24,
         CUST + ORD.replace("amount int", "customer int") + ORD24
         + "ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer) REFERENCES customers"),
    Case("fk_added_to_partitioned_table",
         ORD + ORD24 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date)",
         ORD + ORD24 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date,"
         " FOREIGN KEY (order_id, order_at) REFERENCES orders)"),
    Case("fk_between_partitioned_tables",
         ORD + ORD24 + ORD_PK + "CREATE TABLE lines (order_id int, order_at date NOT NULL) PARTITION BY RANGE"
         " (order_at); CREATE TABLE lines_2024 PARTITION OF lines FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
         ORD + ORD24 + ORD_PK + "CREATE TABLE lines (order_id int, order_at date NOT NULL) PARTITION BY RANGE"
         " (order_at); CREATE TABLE lines_2024 PARTITION OF lines FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
         " ALTER TABLE lines ADD FOREIGN KEY (order_id, order_at) REFERENCES orders"),
    Case("fk_from_partitioned_not_valid", CUST + ORD.replace("amount int", "customer int") + ORD24,
         CUST + ORD.replace("amount int", "customer int") + ORD24
         + "ALTER TABLE orders ADD FOREIGN KEY (customer) REFERENCES customers NOT VALID", min_pg=18),
    Case("fk_from_partitioned_validated", CUST + ORD.replace("amount int", "customer int") + ORD24
         + "ALTER TABLE orders ADD FOREIGN KEY (customer) REFERENCES customers NOT VALID",
         CUST + ORD.replace("amount int", "customer int") + ORD24
         + "ALTER TABLE orders ADD FOREIGN KEY (customer) REFERENCES customers", min_pg=18),
    Case("fk_from_partitioned_action_changed",
         CUST + ORD.replace("amount int", "customer int") + ORD24
         + "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer) REFERENCES customers",
         CUST + ORD.replace("amount int", "customer int") + ORD24
         + "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer) REFERENCES customers ON DELETE CASCADE"),
    Case("fk_to_partitioned_dropped",
         ORD + ORD24 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date,"
         " FOREIGN KEY (order_id, order_at) REFERENCES orders)",
         ORD + ORD24 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date)"),
    Case("referenced_partition_dropped",
         ORD + ORD24 + ORD25 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date,"
         " FOREIGN KEY (order_id, order_at) REFERENCES orders)",
         ORD + ORD25 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date,"
         " FOREIGN KEY (order_id, order_at) REFERENCES orders)"),
    Case("referenced_partition_added",
         ORD + ORD24 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date,"
         " FOREIGN KEY (order_id, order_at) REFERENCES orders)",
         ORD + ORD24 + ORD25 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date,"
         " FOREIGN KEY (order_id, order_at) REFERENCES orders)"),
    Case("referenced_partition_bound_changed",
         ORD + ORD24 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date,"
         " FOREIGN KEY (order_id, order_at) REFERENCES orders)",
         ORD + "CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');"
         + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date,"
         " FOREIGN KEY (order_id, order_at) REFERENCES orders)"),
]

CONVERSIONS = [
    Case("table_becomes_partitioned",
         "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, amount int)",
         ORD + ORD24 + ORD25),
    Case("partitioned_becomes_plain_table", ORD + ORD24 + ORD25,
         "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, amount int)"),
    Case("partitioned_becomes_plain_keeping_partitions_as_tables", ORD + ORD24 + ORD25,
         "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, amount int);"
         " CREATE TABLE orders_2024 (id int NOT NULL, at date NOT NULL, amount int);"
         " CREATE TABLE orders_2025 (id int NOT NULL, at date NOT NULL, amount int)"),
    Case("referenced_table_becomes_partitioned",
         "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, amount int, PRIMARY KEY (id, at));"
         " CREATE TABLE refunds (order_id int, order_at date, FOREIGN KEY (order_id, order_at) REFERENCES orders)",
         ORD + ORD24 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date,"
         " FOREIGN KEY (order_id, order_at) REFERENCES orders)"),
    Case("referenced_partitioned_becomes_plain",
         ORD + ORD24 + ORD_PK + "CREATE TABLE refunds (order_id int, order_at date,"
         " FOREIGN KEY (order_id, order_at) REFERENCES orders)",
         "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, amount int, PRIMARY KEY (id, at));"
         " CREATE TABLE refunds (order_id int, order_at date, FOREIGN KEY (order_id, order_at) REFERENCES orders)"),
    Case("referencing_table_becomes_partitioned",
         CUST + "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, customer int REFERENCES customers)",
         CUST + "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, customer int REFERENCES customers)"
         " PARTITION BY RANGE (at);\n" + ORD24),
    Case("partition_key_changed_with_partitions_and_fk",
         CUST + ORD.replace("amount int", "customer int REFERENCES customers") + ORD24,
         CUST + "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, customer int REFERENCES customers)"
         " PARTITION BY LIST (customer); CREATE TABLE orders_c1 PARTITION OF orders FOR VALUES IN (1)"),
    Case("partitioned_replaced_with_view_over_it",
         ORD + ORD24 + "CREATE VIEW recent AS SELECT id, at FROM orders WHERE at > '2024-06-01'",
         "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, amount int) PARTITION BY RANGE (id);"
         " CREATE TABLE orders_low PARTITION OF orders FOR VALUES FROM (0) TO (1000);"
         " CREATE VIEW recent AS SELECT id, at FROM orders WHERE at > '2024-06-01'"),
]

DETACHED = [
    Case("detached_partition_keeps_primary_key", ORD + ORD24 + ORD25 + ORD_PK,
         ORD + ORD25 + ORD_PK + "CREATE TABLE orders_2024 (id int NOT NULL, at date NOT NULL, amount int,"
         " CONSTRAINT orders_2024_pkey PRIMARY KEY (id, at))"),
    Case("detached_partition_loses_primary_key", ORD + ORD24 + ORD25 + ORD_PK,
         ORD + ORD25 + ORD_PK + "CREATE TABLE orders_2024 (id int NOT NULL, at date NOT NULL, amount int)",),
    Case("detached_partition_keeps_foreign_key",
         CUST + ORD.replace("amount int", "customer int REFERENCES customers") + ORD24 + ORD25,
         CUST + ORD.replace("amount int", "customer int REFERENCES customers") + ORD25
         + "CREATE TABLE orders_2024 (id int NOT NULL, at date NOT NULL, customer int,"
         " CONSTRAINT orders_customer_fkey FOREIGN KEY (customer) REFERENCES customers)"),
    Case("detached_partition_loses_foreign_key",
         CUST + ORD.replace("amount int", "customer int REFERENCES customers") + ORD24 + ORD25,
         CUST + ORD.replace("amount int", "customer int REFERENCES customers") + ORD25
         + "CREATE TABLE orders_2024 (id int NOT NULL, at date NOT NULL, customer int)"),
    Case("parent_unique_index_adopts_partition_unique_index",
         ORD + ORD24 + "CREATE UNIQUE INDEX orders_2024_id_at_idx ON orders_2024 (id, at)",
         ORD + ORD24 + "CREATE UNIQUE INDEX orders_id_at_idx ON orders (id, at)"),
]

REFUNDS = ("CREATE TABLE refunds (order_id int, order_at date,"
           " CONSTRAINT refunds_order_fkey FOREIGN KEY (order_id, order_at) REFERENCES orders);\n")
REFERENCED = [
    Case("referenced_partitioned_table_dropped", ORD + ORD24 + ORD_PK + REFUNDS,
         "CREATE TABLE refunds (order_id int, order_at date)"),
    Case("referenced_partitioned_key_changed", ORD + ORD24 + ORD_PK + REFUNDS,
         "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, amount int) PARTITION BY HASH (at);"
         " CREATE TABLE orders_0 PARTITION OF orders FOR VALUES WITH (MODULUS 1, REMAINDER 0);\n"
         + ORD_PK + REFUNDS),
    Case("referenced_sub_partition_leaf_dropped",
         ORD + "CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
         " PARTITION BY HASH (id); CREATE TABLE orders_2024_0 PARTITION OF orders_2024 FOR VALUES WITH"
         " (MODULUS 2, REMAINDER 0); CREATE TABLE orders_2024_1 PARTITION OF orders_2024 FOR VALUES WITH"
         " (MODULUS 2, REMAINDER 1);\n" + ORD_PK + REFUNDS,
         ORD + "CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
         " PARTITION BY HASH (id); CREATE TABLE orders_2024_0 PARTITION OF orders_2024 FOR VALUES WITH"
         " (MODULUS 2, REMAINDER 0);\n" + ORD_PK + REFUNDS),
    Case("self_referencing_partitioned_table", ORD + ORD24 + ORD_PK,
         ORD.replace("amount int", "amount int, parent_id int, parent_at date") + ORD24 + ORD_PK
         + "ALTER TABLE orders ADD FOREIGN KEY (parent_id, parent_at) REFERENCES orders"),
    Case("partitioned_both_sides_becomes_plain",
         ORD + ORD24 + ORD_PK + "CREATE TABLE lines (order_id int, order_at date NOT NULL) PARTITION BY RANGE"
         " (order_at); CREATE TABLE lines_2024 PARTITION OF lines FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
         " ALTER TABLE lines ADD FOREIGN KEY (order_id, order_at) REFERENCES orders",
         "CREATE TABLE orders (id int NOT NULL, at date NOT NULL, amount int, PRIMARY KEY (id, at));"
         " CREATE TABLE lines (order_id int, order_at date NOT NULL, FOREIGN KEY (order_id, order_at)"
         " REFERENCES orders)"),
]

CASES = REFERENCED + DETACHED + RANGE_LIST_HASH + DEFAULTS + MULTI_LEVEL + INDEXES + CONSTRAINTS + FOREIGN_KEYS + CONVERSIONS


@pytest.mark.parametrize(("case", "server"), case_params(CASES))
def test_roundtrip(db_on: Callable[..., str], servers: dict[str, tuple[str, int]], case: Case, server: str) -> None:
    run_case(db_on, servers, case, server)


class ConcurrentCase(Case):
    """A case planned with ``--concurrently`` (DETACH PARTITION ... CONCURRENTLY where allowed)."""

    def options(self) -> DiffOptions:
        return DiffOptions(concurrently=True)


CONCURRENT = [
    ConcurrentCase("detach_concurrently", MEAS + FEB + MAR,
                   MEAS + FEB + "CREATE TABLE measurement_y2006m03 (city_id int NOT NULL, logdate date NOT NULL,"
                   " peaktemp int, unitsales int)", min_pg=14),
    ConcurrentCase("detach_beside_default_not_concurrently",
                   ORD + ORD24 + "CREATE TABLE orders_other PARTITION OF orders DEFAULT",
                   ORD + "CREATE TABLE orders_other PARTITION OF orders DEFAULT;"
                   " CREATE TABLE orders_2024 (id int NOT NULL, at date NOT NULL, amount int)", min_pg=14),
]


@pytest.mark.parametrize(("case", "server"), case_params(CONCURRENT))
def test_roundtrip_concurrently(db_on: Callable[..., str], servers: dict[str, tuple[str, int]], case: Case,
                                server: str) -> None:
    run_case(db_on, servers, case, server)
