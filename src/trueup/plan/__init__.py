"""Ordering of changes by a dependency graph, and rendering of the resulting script."""

from trueup.plan.graph import CycleError, toposort
from trueup.plan.script import Plan

__all__ = ["CycleError", "Plan", "toposort"]
