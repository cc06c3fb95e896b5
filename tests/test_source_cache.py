"""The cache of loaded .sql sources behind ``trueup diff`` and ``inspect``: a repeated load comes
from it, any change of input (the files, the server's settings) loads afresh, and a damaged
entry is only a miss."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from conftest import scratch_databases
from test_cli import run

import trueup.engines.postgres.scratch as scratch_module
from trueup.api import inspect_source

TABLE = "CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);\n"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The scratch databases created, by server URL."""
    made: list[str] = []
    real: Callable[[str], AbstractContextManager[str]] = scratch_module.scratch_database

    def counting(server_url: str) -> Iterator[str]:
        made.append(server_url)
        with real(server_url) as url:
            yield url

    monkeypatch.setattr(scratch_module, "scratch_database", contextmanager(counting))
    return made


def cache_dir() -> Path:
    return Path(os.environ["TRUEUP_CACHE_DIR"])


def test_repeated_diff_of_a_sql_source_comes_from_the_cache(make_db: Callable[..., str], pg_url: str,
                                                            tmp_path: Path, loads: list[str]) -> None:
    target = make_db(TABLE)
    schema = tmp_path / "schema.sql"
    schema.write_text(TABLE + "CREATE INDEX accounts_name_idx ON accounts (name);\n")
    first = run("diff", target, str(schema))
    assert first[0] == 1 and "CREATE INDEX accounts_name_idx" in first[1]
    assert len(loads) == 1 and len(list(cache_dir().glob("*.json"))) == 1
    assert run("diff", target, str(schema)) == first
    assert len(loads) == 1  # no scratch database this time

    # a changed file is a new input
    schema.write_text(TABLE + "CREATE INDEX accounts_name_idx ON accounts (lower(name));\n")
    changed = run("diff", target, str(schema))
    assert len(loads) == 2 and "(lower(name))" in changed[1]

    # --no-cache loads afresh, and gets what the cache gave
    assert run("diff", target, str(schema), "--no-cache") == changed
    assert len(loads) == 3

    # a damaged entry is a miss, replaced by a good one
    for entry in cache_dir().glob("*.json"):
        entry.write_text("{ damaged")
    assert run("diff", target, str(schema)) == changed
    assert len(loads) == 4
    assert run("diff", target, str(schema)) == changed
    assert len(loads) == 4
    assert not scratch_databases(pg_url)


def test_a_server_setting_the_model_depends_on_is_part_of_the_key(pg_url: str, tmp_path: Path,
                                                                   loads: list[str]) -> None:
    # a timestamptz default is written in the session's time zone: the same file loaded on the
    # same server under another TimeZone has another model, never the cached one
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE events (at timestamptz DEFAULT '2020-01-01 12:00:00+00');\n")
    sep = "&" if "?" in pg_url else "?"

    def default_in(zone: str) -> str:
        url = f"{pg_url}{sep}options=-c%20TimeZone%3D{zone.replace('/', '%2F')}"
        code, out, err = run("inspect", str(schema), "--dev-url", url, "--format", "json")
        assert code == 0, err
        [column] = [o for o in json.loads(out)["objects"] if o["id"] == ["column", ["public", "events", "at"]]]
        return str(column["attrs"]["default"])

    assert "12:00:00+00" in default_in("UTC")
    assert "13:00:00+01" in default_in("Europe/Paris")
    assert "12:00:00+00" in default_in("UTC")
    assert len(loads) == 2  # the last one came from the cache


def test_the_library_keeps_no_cache_unless_asked(pg_url: str, tmp_path: Path, loads: list[str]) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(TABLE)
    plain = [inspect_source(str(schema), dev_url=pg_url) for _ in range(2)]
    assert len(loads) == 2 and not list(cache_dir().glob("*.json"))
    cached = [inspect_source(str(schema), dev_url=pg_url, cache=True) for _ in range(2)]
    assert len(loads) == 3
    assert dict(plain[0].objects) == dict(cached[0].objects) == dict(cached[1].objects)


def test_a_cache_folder_that_cannot_be_written_only_costs_the_load(make_db: Callable[..., str], tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   loads: list[str]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("TRUEUP_CACHE_DIR", str(blocker / "sources"))
    target = make_db(TABLE)
    schema = tmp_path / "schema.sql"
    schema.write_text(TABLE + "CREATE INDEX accounts_name_idx ON accounts (name);\n")
    for expected_loads in (1, 2):
        code, out, err = run("diff", target, str(schema))
        assert code == 1 and "CREATE INDEX accounts_name_idx" in out and not err
        assert len(loads) == expected_loads
    assert blocker.read_text() == "a file where the cache folder should be"


def test_a_source_file_gone_before_the_load_is_one_clear_error(tmp_path: Path) -> None:
    from trueup.errors import SourceError
    from trueup.sources.cache import files_digest

    with pytest.raises(SourceError, match=r"gone\.sql: cannot read it"):
        files_digest([tmp_path / "gone.sql"])


def test_a_model_json_cannot_hold_is_simply_not_cached(tmp_path: Path) -> None:
    from trueup.model import DbObject, ObjectId, Schema
    from trueup.sources import cache as source_cache

    odd = Schema.build("postgresql", [DbObject(ObjectId("table", ("public", "t")), {"weird": {1, 2}})])
    source_cache.put(tmp_path, "k", odd, "")
    assert list(tmp_path.iterdir()) == []  # neither the entry nor its temporary file
