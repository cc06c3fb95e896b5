"""The destructive policy: the one rule that decides whether a statement may run.

A statement that deletes data (hazard ``deletes_data``) runs only when the user allowed it
(``--allow-destructive``); every other statement always may. ``diff`` and ``plan`` render with
it, the audit's plans and saved plans split their statements with it, ``apply`` asks it again
for every statement just before running it, and ``--resume`` asks it with the choice the
journal recorded when the interrupted apply started.
"""

from __future__ import annotations

from collections.abc import Iterable

from trueup.engines.interface.sql import Statement


def may_run(statement: Statement, allow_destructive: bool) -> bool:
    """Whether ``statement`` may run under the user's choice."""
    return allow_destructive or not statement.destructive


def partition(statements: Iterable[Statement], allow_destructive: bool) -> tuple[list[Statement], list[Statement]]:
    """The statements that may run, and those left out (in their order)."""
    run: list[Statement] = []
    skipped: list[Statement] = []
    for s in statements:
        (run if may_run(s, allow_destructive) else skipped).append(s)
    return run, skipped
