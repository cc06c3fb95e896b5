"""trueup's own bookkeeping, kept in a database of an engine (``[state] url``) or in a local
file: the apply journal and the probes of earlier audits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Journal(Protocol):
    """Every target's progress through an apply, recorded durably (``trueup apply --resume``)."""

    def start_run(self, args: dict[str, Any], targets: Sequence[tuple[str, str]]) -> int: ...

    def resume_run(self) -> tuple[int, dict[tuple[str, str], str]] | None:
        """The last unfinished run and its targets' states, if any."""
        ...

    def run_args(self, run: int) -> dict[str, Any]:
        """The arguments a run was started with (``allow_destructive`` ...)."""
        ...

    def add_targets(self, run: int, targets: Sequence[tuple[str, str]]) -> None: ...

    def record(self, run: int, group: str, name: str, state: str, reason: str | None = None) -> None: ...

    def finish_run(self, run: int) -> None: ...

    def states(self, run: int) -> dict[tuple[str, str], tuple[str, str | None]]: ...

    def close(self) -> None: ...


class ProbeTable(Protocol):
    """Stored probes in a database, shared by every machine that audits the fleet."""

    def read(self, store: str) -> dict[str, dict[str, Any]]:
        """Every entry of ``store`` by key (raises TrueupError when the database cannot be read)."""
        ...

    def write(self, store: str, changed: dict[str, dict[str, Any]], forget: Sequence[str], *,
              stale_prefix: str, forget_after_s: int) -> None:
        """Store ``changed`` entries, delete the ``forget`` keys, and drop the entries of other
        stores starting with ``stale_prefix`` (other code of trueup) and entries not seen for
        ``forget_after_s`` seconds."""
        ...
