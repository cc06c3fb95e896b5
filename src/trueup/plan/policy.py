"""The destructive policy: the one rule that decides whether a statement may run.

A statement that deletes data (hazard ``deletes_data``) runs only when the user allowed it
(``--allow-destructive``); a statement that needs a USING expression the user did not give
(hazard ``needs_using``: a type change the server has no cast for, and what waits for it) never
runs, whatever the user allowed, nor does one holding a placeholder for a secret trueup never
reads (hazard ``needs_input``: a user mapping's password, and what waits for it); every other
statement always may. ``diff`` and ``plan`` render with it, the audit's plans and saved plans
split their statements with it, ``apply`` asks it again for every statement just before running
it, and ``--resume`` asks it with the choice the journal recorded when the interrupted apply
started.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from trueup.engines.interface.sql import Statement


def may_run(statement: Statement, allow_destructive: bool) -> bool:
    """Whether ``statement`` may run under the user's choice."""
    return not statement.held and (allow_destructive or not statement.destructive)


def why_not(statement: Statement, allow_destructive: bool) -> str | None:
    """Why ``statement`` may not run (a phrase with what to do about it), or None if it may."""
    if statement.needs_using:
        return "needs a USING expression, rerun with --using SCHEMA.TABLE.COLUMN=EXPRESSION"
    if statement.needs_input:
        return "holds a placeholder for a secret trueup never reads, run it by hand with the real value"
    if not may_run(statement, allow_destructive):
        return "destructive, rerun with --allow-destructive to include"
    return None


def skipped_phrase(skipped: Sequence[Statement]) -> str:
    """``2 destructive skipped, 1 waiting for a USING expression, 1 waiting for a secret``
    (empty: none skipped)."""
    held = sum(1 for s in skipped if s.needs_using)
    secret = sum(1 for s in skipped if s.needs_input and not s.needs_using)
    parts = []
    if len(skipped) > held + secret:
        parts.append(f"{len(skipped) - held - secret} destructive skipped")
    if held:
        parts.append(f"{held} waiting for a USING expression")
    if secret:
        parts.append(f"{secret} waiting for a secret")
    return ", ".join(parts)


def partition(statements: Iterable[Statement], allow_destructive: bool) -> tuple[list[Statement], list[Statement]]:
    """The statements that may run, and those left out (in their order)."""
    run: list[Statement] = []
    skipped: list[Statement] = []
    for s in statements:
        (run if may_run(s, allow_destructive) else skipped).append(s)
    return run, skipped
