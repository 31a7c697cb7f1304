"""pgbench on the twin auction: the same clients and duration as the HTTP run, its figures parsed."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from harness.client import USER_AGENT
from harness.metrics import CpuMeter
from harness.world import STARTING_PRICE, World

from .pgbench_sql import ScriptError, ScriptParams, batched_script, per_statement_script, prepared_script

SCRIPTS = {"bid": per_statement_script, "bid-batched": batched_script, "bid-prepared": prepared_script}
# pgbench's query protocol per script: the default (simple: each statement parsed and planned
# anew, as the figure is measured), or prepared (each statement planned once per
# connection, as the server's hot path sends its own since common.db's pipelines).
PROTOCOL = {"bid-prepared": "prepared"}


def script_params(args, world: World) -> ScriptParams | None:
    """None when the bench suppliers' or users' ids are not contiguous (the script adds to a base)."""
    base_s, base_u = world.supplier_ids[0], world.user_ids[0]
    if world.supplier_ids != list(range(base_s, base_s + len(world.supplier_ids))) or \
            world.user_ids != list(range(base_u, base_u + len(world.user_ids))):
        return None
    return ScriptParams(rfq=world.twin_rfq_id, sup_base=base_s, user_base=base_u,
                        n_suppliers=len(world.supplier_ids), max_step=args.max_step_cents, user_agent=USER_AGENT)


def run_pgbench(args, world: World, tmpdir: Path, name: str = "bid", seconds: int | None = None) -> dict:
    """Run script `name` (see SCRIPTS) for `seconds` (args.seconds); the figures, or {"error": …}."""
    seconds = seconds or args.seconds
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        return {"error": "pgbench not found (apt-get install postgresql-client)"}
    params = script_params(args, world)
    if params is None:
        return {"error": "bench supplier/user ids are not contiguous; pgbench script cannot address them"}
    try:
        text = SCRIPTS[name](params)
    except ScriptError as exc:
        return {"error": str(exc)}
    script = tmpdir / f"{name}.sql"
    script.write_text(text)
    # The twin starts where the HTTP auction started: at the starting price.
    import psycopg

    from rfqs.models import RFQ

    table, best, pk = RFQ._meta.db_table, RFQ._meta.get_field("best_amount").column, RFQ._meta.pk.column
    with psycopg.connect(f"{args.pg_url}/{args.db}", autocommit=True) as conn:
        conn.execute(f"UPDATE {table} SET {best} = %s WHERE {pk} = %s", (STARTING_PRICE, world.twin_rfq_id))
    command = [pgbench, "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres", "-n", "-c", str(args.clients),
               "-j", str(min(2, args.clients)), "-T", str(seconds), "-M", PROTOCOL.get(name, "simple"),
               "-f", str(script), args.db]
    meter = CpuMeter()
    before = meter.sample()
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    cpu = CpuMeter.delta(before, meter.sample())
    figures = parse_output(result.stdout + result.stderr, result.returncode, command)
    if "error" not in figures:
        figures.update(command=" ".join(command[:-2] + ["<script>", args.db]), cpu=cpu, script=text)
    return figures


def combine_rounds(runs: list[dict]) -> dict:
    """Several runs of one script as one: transactions and CPU added up, tps and latency over
    their total time; each round's tps kept under "rounds". The first error, if any."""
    failed = next((run for run in runs if "error" in run), None)
    if failed is not None:
        return failed
    processed = sum(run["processed"] for run in runs)
    seconds = sum(run["processed"] / run["tps"] for run in runs if run["tps"])
    latency = [(run["latency_ms"], run["processed"]) for run in runs if run["latency_ms"] is not None]
    return {**runs[0], "tps": processed / seconds if seconds else 0.0, "processed": processed,
            "failed": sum(run["failed"] for run in runs),
            "latency_ms": round(sum(ms * n for ms, n in latency) / processed, 3) if latency and processed else None,
            "cpu": {key: sum(run["cpu"][key] for run in runs) for key in runs[0]["cpu"]},
            "rounds": [run["tps"] for run in runs]}


def parse_output(out: str, returncode: int, command: list[str]) -> dict:
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    latency = re.search(r"latency average = ([0-9.]+) ms", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    processed = re.search(r"number of transactions actually processed: (\d+)", out)
    if returncode != 0 or tps is None:
        return {"error": f"pgbench failed ({returncode}):\n{out[-2000:]}", "command": command}
    return {"tps": float(tps.group(1)), "latency_ms": float(latency.group(1)) if latency else None,
            "failed": int(failed.group(1)) if failed else 0, "processed": int(processed.group(1)) if processed else 0}
