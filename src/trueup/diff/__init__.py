"""Compare two schema models and produce an ordered, hazard-tagged migration plan."""

from trueup.diff.changes import Change, Hazard, Statement
from trueup.diff.compare import diff_schemas

__all__ = ["Change", "Hazard", "Statement", "diff_schemas"]
