"""JSON snapshots (``trueup inspect --format json``) read back as models."""

from __future__ import annotations

import json
from pathlib import Path

from trueup.engines import engine_by_name
from trueup.errors import SnapshotError, TrueupError
from trueup.model import Schema
from trueup.model.gcpause import collector_paused
from trueup.model.objects import objects_from_json
from trueup.model.schema import SNAPSHOT_FORMAT, SNAPSHOT_VERSION


def read_snapshot(path: Path) -> Schema:
    with collector_paused():  # parsing makes hundreds of thousands of objects, no cycles
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise SnapshotError(f"{path}: not a readable JSON snapshot ({err})") from None
        return snapshot_from_json(data, path)


def snapshot_from_json(data: object, path: Path) -> Schema:
    """A snapshot's model from its parsed JSON (``path`` names it in errors)."""
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"{path}: not a trueup snapshot (no \"format\": \"{SNAPSHOT_FORMAT}\")",
                            hint="create snapshots with: trueup inspect SOURCE --format json")
    version = data.get("version")
    if not isinstance(version, int) or version > SNAPSHOT_VERSION:
        raise SnapshotError(f"{path}: snapshot format version {version} is newer than this trueup reads "
                            f"(up to {SNAPSHOT_VERSION})", hint="upgrade trueup: pip install -U trueup")
    try:
        engine_by_name(str(data.get("engine")))
        with collector_paused():
            objects = objects_from_json(data["objects"])
    except TrueupError:
        raise
    except (KeyError, TypeError, ValueError) as err:
        raise SnapshotError(f"{path}: malformed snapshot ({err!r})") from None
    return Schema.build(str(data["engine"]), objects, int(data.get("server_version", 0)), data.get("meta") or {})
