"""The databases of one run of the inspect benchmark: ``trueup_bench_<pid>_<random>_<suffix>``,
each created with a schema and dropped by :meth:`Databases.drop_all`."""

from __future__ import annotations

import os
import secrets

import psycopg

from bench.common.server import PREFIX, quote_ident, with_database


class Databases:
    """Creates ``trueup_bench_*`` databases and drops every one of them in :meth:`drop_all`."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.tag = f"{os.getpid()}_{secrets.token_hex(3)}"
        self.created: list[str] = []

    def create(self, suffix: str, sql: str) -> str:
        name = f"{PREFIX}{self.tag}_{suffix}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            self.created.append(name)
            conn.execute(f"CREATE DATABASE {quote_ident(name)}")
        url = with_database(self.admin_url, name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql)
            conn.execute("ANALYZE")
        return url

    def drop_all(self) -> None:
        if not self.created:
            return
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in list(self.created):
                conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
                self.created.remove(name)
