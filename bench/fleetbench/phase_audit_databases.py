"""(b)-(d) for the databases: ``trueup audit --group databases`` as a subprocess (wall time,
Python start-up included): the first run (nothing cached: the desired state is loaded into a
scratch database and every target fingerprinted), again with ``--rescan`` (desired state from
the cache, every target fingerprinted), the repeat run (desired state cached, unchanged targets
known by their change tokens; the median of three) and the fixed cost (one database); their
peak RSS and their ratio to the floor (a)."""

from __future__ import annotations

from bench.common.timing import middle
from bench.fleetbench.build import db_names
from bench.fleetbench.check import check_report
from bench.fleetbench.context import Bench, Pair


def run(b: Bench) -> None:
    n, say, res = b.opts.databases, b.say, b.results
    if not n or res.floor is None:
        return
    floor = res.floor
    db_run, firsts = b.first_run("databases", "databases.json")
    res.db_run = db_run
    b.compare("audit databases, first run (server warm)", firsts)
    first_ratio = res.first_ratio = db_run.seconds / floor
    say(f"(b) trueup audit --group databases ({n} databases), first run (nothing cached:"
        f" desired state loaded, every target fingerprinted): {db_run.seconds:.2f} s, exit {db_run.exit_code}")
    say(f"(c) peak RSS: {db_run.rss_mb:.0f} MB")
    say(f"(d) audit / floor, first run: {first_ratio:.2f}")
    rescans = b.cli("databases", "databases2.json", extra=("--rescan",))
    b.compare("audit databases, --rescan", rescans)
    res.rescan_seconds = rescans.new.seconds
    say(f"    again with --rescan (desired state from the cache, every target fingerprinted):"
        f" {rescans.new.seconds:.2f} s, ratio {rescans.new.seconds / floor:.2f}")
    pairs = [b.cli("databases", f"databases3_{i}.json") for i in range(3)]
    repeat_db, repeats = middle([p.new for p in pairs], key=lambda r: r.seconds)
    olds = [p.old for p in pairs if p.old is not None]
    b.compare("audit databases, repeat run (median of 3)",
              Pair(repeat_db, middle(olds, key=lambda r: r.seconds)[0] if len(olds) == len(pairs) else None))
    ratio = res.ratio = repeat_db.seconds / floor
    say(f"(d) audit / floor, repeat run (desired state cached, unchanged targets known by their"
        f" change tokens): {repeat_db.seconds:.2f} s, median of {', '.join(f'{r.seconds:.2f}' for r in repeats)};"
        f" ratio {ratio:.2f}")
    one = db_names(1)[0]
    ones = b.cli("databases", "one.json", target=one)
    b.compare("audit one database (fixed cost)", ones)
    say(f"    fixed cost: the same command for one database (--target {one}): {ones.new.seconds:.2f} s")
    res.repeat_db_check = check_report(repeat_db.report, db_names(n), b.db_drift)
    res.db_check = check_report(db_run.report, db_names(n), b.db_drift)
