"""Reading snapshots back: the batch reader gives exactly what the per-object reader gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trueup.errors import SnapshotError
from trueup.model import DbObject, ObjectId, Schema
from trueup.model.objects import objects_from_json
from trueup.sources import read_snapshot

TABLE = ObjectId("table", ("public", "users"))
OBJECTS = [
    DbObject(ObjectId("schema", ("public",))),
    DbObject(TABLE, {"persistence": "p", "options": ["fillfactor=70"]}, deps=[ObjectId("schema", ("public",))]),
    DbObject(ObjectId("column", ("public", "users", "email")), {"type": "text", "default": None,
             "nested": {"a": [1, {"b": 2.5}]}}, deps=[TABLE], parent=TABLE, position=2),
    DbObject(ObjectId("comment", ("table", "public", "users")), {"text": "people"}, deps=[TABLE], parent=TABLE),
]


def test_batch_reader_equals_per_object_reader() -> None:
    data = json.loads(json.dumps([o.to_json() for o in OBJECTS]))
    batch = objects_from_json(data)
    assert batch == [DbObject.from_json(d) for d in data] == OBJECTS
    # one identity object per identity, however often the snapshot names it
    column, comment = batch[2], batch[3]
    assert column.parent is comment.parent and next(iter(column.deps)) is column.parent


def test_snapshot_file_round_trip(tmp_path: Path) -> None:
    schema = Schema.build("postgresql", OBJECTS, 150000, {"source": "test"})
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(schema.to_json()))
    back = read_snapshot(path)
    assert dict(back.objects) == dict(schema.objects) and back.server_version == 150000


@pytest.mark.parametrize("bad", [
    {"id": ["table", [["not", "a", "name"]]]},  # a path element that is a list
    {"id": ["table", ["public", "t"]], "deps": None},
    {"id": ["table", ["public", "t"]], "parent": ["table"]},
    {"id": ["table", ["public", "t"]], "position": "first"},
])
def test_malformed_objects_are_one_clear_error(tmp_path: Path, bad: dict[str, object]) -> None:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps({"format": "trueup-snapshot", "version": 1, "engine": "postgresql",
                                "objects": [bad]}))
    with pytest.raises(SnapshotError, match="malformed snapshot"):
        read_snapshot(path)
