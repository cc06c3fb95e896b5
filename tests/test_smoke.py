"""The basic promise: a schema is inspected, diffed from empty and rebuilt identically."""

from __future__ import annotations

from collections.abc import Callable

from trueup.api import diff_models, render_schema
from trueup.engines.postgres import ENGINE


def test_render_then_reload_gives_same_model(make_db: Callable[..., str]) -> None:
    src = make_db("""
        CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
        CREATE TABLE orders (id serial PRIMARY KEY, customer_id bigint REFERENCES customers ON DELETE CASCADE,
                             total numeric(10,2) DEFAULT 0 CHECK (total >= 0));
        CREATE INDEX orders_customer_idx ON orders (customer_id) WHERE total > 0;
        CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
    """)
    model = ENGINE.inspect(src)
    target = make_db(render_schema(model))
    again = ENGINE.inspect(target)
    assert not diff_models(again, model), diff_models(again, model).to_sql(True)
    assert {o.id.display for o in model.of_kind("table")} == {"public.customers", "public.orders"}
