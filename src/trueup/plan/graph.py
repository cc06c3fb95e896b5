"""A small deterministic topological sort (Kahn's algorithm with a priority queue)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from trueup.errors import TrueupError

N = TypeVar("N", bound=Hashable)


class CycleError(TrueupError):
    """The changes depend on each other in a circle; no order can satisfy them."""


def toposort(nodes: Iterable[N], edges: Iterable[tuple[N, N]], key: Callable[[N], Any]) -> list[N]:
    """Order ``nodes`` so that for every edge ``(a, b)`` a comes before b.

    Among nodes that are ready at the same time the one with the smallest ``key`` goes first,
    so the result is stable from run to run.
    """
    node_list = list(dict.fromkeys(nodes))
    succ: dict[N, set[N]] = {n: set() for n in node_list}
    indeg: dict[N, int] = dict.fromkeys(node_list, 0)
    for a, b in edges:
        if a == b or a not in succ or b not in succ or b in succ[a]:
            continue
        succ[a].add(b)
        indeg[b] += 1
    heap = [(key(n), i, n) for i, n in enumerate(node_list) if indeg[n] == 0]
    heapq.heapify(heap)
    order_index = {n: i for i, n in enumerate(node_list)}
    out: list[N] = []
    while heap:
        _, _, n = heapq.heappop(heap)
        out.append(n)
        for m in succ[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                heapq.heappush(heap, (key(m), order_index[m], m))
    if len(out) != len(node_list):
        stuck = [n for n in node_list if indeg[n] > 0]
        names = ", ".join(str(n) for n in stuck[:6])
        raise CycleError(
            f"circular dependency between {len(stuck)} changes: {names}",
            hint="break the cycle by applying the change in two steps",
        )
    return out
