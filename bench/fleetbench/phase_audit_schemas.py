"""(b), (c) for the schemas: ``trueup audit --group schemas`` as a subprocess: the first run
(desired state loaded into a scratch database), again with ``--rescan`` (desired state from the
cache) and the repeat run (change token); the first run's peak RSS."""

from __future__ import annotations

from bench.fleetbench.build import schema_names
from bench.fleetbench.check import check_report
from bench.fleetbench.context import Bench


def run(b: Bench) -> None:
    n, say, res = b.opts.schemas, b.say, b.results
    if not n:
        return
    schema_run, firsts = b.first_run("schemas", "schemas.json")
    res.schema_run = schema_run
    b.compare("audit schemas, first run (server warm)", firsts)
    say(f"(b) trueup audit --group schemas ({n} schemas), first run (desired state loaded"
        f" into a scratch database): {schema_run.seconds:.2f} s, exit {schema_run.exit_code}")
    rescans = b.cli("schemas", "schemas2.json", extra=("--rescan",))
    b.compare("audit schemas, --rescan", rescans)
    say(f"    again with --rescan (desired state from the cache): {rescans.new.seconds:.2f} s")
    repeats = b.cli("schemas", "schemas3.json")
    repeat_schemas = res.repeat_schemas = repeats.new
    b.compare("audit schemas, repeat run", repeats)
    say(f"    repeat run (change token): {repeat_schemas.seconds:.2f} s")
    say(f"(c) peak RSS: {schema_run.rss_mb:.0f} MB")
    res.repeat_schema_check = check_report(repeat_schemas.report, schema_names(n), b.schema_drift)
    res.schema_check = check_report(schema_run.report, schema_names(n), b.schema_drift)
