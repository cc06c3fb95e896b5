"""Compare two schema models into an ordered, hazard-tagged plan (see :mod:`trueup.diff.compare`)."""

from trueup.diff.compare import diff_schemas

__all__ = ["diff_schemas"]
