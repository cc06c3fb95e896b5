"""Engine-neutral, immutable description of a database schema. Pure Python, no I/O."""

from trueup.model.objects import DbObject, ObjectId
from trueup.model.schema import Schema

__all__ = ["DbObject", "ObjectId", "Schema"]
