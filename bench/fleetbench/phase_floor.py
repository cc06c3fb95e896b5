"""(a) The floor: connect + ``SELECT 1`` + close on every tenant database, with the audit's
concurrency and its connection options (the median of three passes: timings on this machine
vary by about 20% from pass to pass), and for scale the catalog yardstick."""

from __future__ import annotations

from bench.common.floors import MINIMAL_PROBE, floor_seconds
from bench.common.server import with_database
from bench.fleetbench.build import db_names
from bench.fleetbench.context import Bench


def run(b: Bench) -> None:
    if not b.opts.databases:
        return
    say, conc = b.say, b.concurrency
    urls = [with_database(b.opts.url, n) for n in db_names(b.opts.databases)]
    # untimed: the first connection to a new database writes its relation cache file
    floor_seconds(urls, conc)
    # this machine's timings vary by ±20% from one pass to the next: the median of three
    floors = sorted(floor_seconds(urls, conc) for _ in range(3))
    floor = b.results.floor = floors[1]
    say(f"(a) floor: connect + SELECT 1 on {len(urls)} databases: {floor:.2f} s, median of"
        f" {', '.join(f'{f:.2f}' for f in floors)} ({floor / len(urls) * 1000:.1f} ms each, {len(urls) / floor:.0f}/s)")
    # for scale: what merely reading the catalog costs a new connection, before any hashing
    minimal = floor_seconds(urls, conc, MINIMAL_PROBE)
    say(f"    for scale: connect + one 3-catalog count (no fingerprint) on {len(urls)} databases:"
        f" {minimal:.2f} s, ratio {minimal / floor:.2f}")
