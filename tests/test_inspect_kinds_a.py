"""Range types, collations, extended statistics and rules in the model: a schema inspected alone
gives its part of the whole database's model (pg_depend read in one pass or through its index),
with the dependencies that order a plan."""

from __future__ import annotations

from collections.abc import Callable

from test_inspect_scope import _restricted

from trueup.engines.postgres.inspect import inspect_url
from trueup.model import ObjectId

TENANT = """
CREATE SCHEMA {s};
SET search_path = {s};
CREATE COLLATION cc (provider = libc, locale = 'C');
CREATE FUNCTION fdiff(float8, float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT $1 - $2';
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = fdiff);
CREATE TYPE coderange AS RANGE (subtype = text, collation = cc);
CREATE TABLE t (id int PRIMARY KEY, a int, b int, code text COLLATE cc, span floatrange, spans floatmultirange,
                codes coderange[]);
CREATE TABLE t_log (id int, note text);
CREATE FUNCTION note(int) RETURNS void LANGUAGE sql AS 'SELECT';
CREATE STATISTICS t_ab (dependencies) ON a, b FROM t;
CREATE STATISTICS t_expr ON (a + b), lower(code) FROM t;
ALTER STATISTICS t_ab SET STATISTICS 300;
CREATE RULE t_audit AS ON DELETE TO t DO ALSO INSERT INTO t_log VALUES (OLD.id, OLD.code);
CREATE RULE t_note AS ON UPDATE TO t DO ALSO SELECT note(NEW.id);
ALTER TABLE t DISABLE RULE t_note;
CREATE VIEW v AS SELECT id, code FROM t;
COMMENT ON RULE t_audit ON t IS 'keeps deletions';
COMMENT ON STATISTICS t_ab IS 'correlated';
COMMENT ON COLLATION cc IS 'bytewise';
RESET search_path;
"""


def test_the_kinds_in_a_schema_alone_and_in_the_whole(make_db: Callable[..., str]) -> None:
    url = make_db(TENANT.format(s="k_a") + TENANT.format(s="k_b"))
    whole = inspect_url(url)
    alone = inspect_url(url, schemas=["k_b"])
    assert {o.id: (o.attrs, o.deps) for o in alone} == _restricted(whole, "k_b")
    objs = {o.id: o for o in alone}
    assert {o.id.display for o in alone if o.kind in ("range", "collation", "statistics", "rule")} == {
        "k_b.floatrange", "k_b.coderange", "k_b.cc", "k_b.t_ab", "k_b.t_expr", "k_b.t.t_audit", "k_b.t.t_note"}
    # the view is a view, never a rule; a range's constructor functions are the range's
    assert not any(o.kind == "rule" and o.id.path[1] == "v" for o in alone)
    assert {o.id.display for o in alone if o.kind == "function"} == {"k_b.fdiff(double precision, double precision)",
                                                                     "k_b.note(integer)"}

    def deps(kind: str, *path: str) -> set[str]:
        return {d.display for d in objs[ObjectId(kind, ("k_b", *path))].deps}

    assert {"k_b.floatrange", "k_b.t"} <= deps("column", "t", "span")
    assert "k_b.floatrange" in deps("column", "t", "spans")  # the multirange is the range's
    assert "k_b.coderange" in deps("column", "t", "codes")  # (through the array type)
    assert "k_b.cc" in deps("column", "t", "code")
    assert {"k_b.cc"} <= deps("range", "coderange")
    assert "k_b.fdiff(double precision, double precision)" in deps("range", "floatrange")
    assert {"k_b.t.a", "k_b.t.b"} <= deps("statistics", "t_ab")
    assert {"k_b.t.id", "k_b.t.code", "k_b.t_log.id", "k_b.t_log.note"} <= deps("rule", "t", "t_audit")
    assert "k_b.note(integer)" in deps("rule", "t", "t_note")
    assert objs[ObjectId("statistics", ("k_b", "t_ab"))].attrs["target"] == 300
    assert objs[ObjectId("rule", ("k_b", "t", "t_note"))].attrs["enabled"] == "D"
    assert objs[ObjectId("collation", ("k_b", "cc"))].attrs == {
        "provider": "libc", "deterministic": True, "lc_collate": "C", "lc_ctype": "C", "locale": None, "rules": None}
    comments = {o.id.path[0] for o in alone if o.kind == "comment"}
    assert {"rule", "statistics", "collation"} <= comments
