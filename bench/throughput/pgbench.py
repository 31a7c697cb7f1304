"""pgbench on the twin auction: the same clients and duration as the HTTP run, its figures parsed."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from harness.client import USER_AGENT
from harness.metrics import CpuMeter
from harness.world import STARTING_PRICE, World

PGBENCH_SCRIPT = """\
-- One accepted reverse-auction bid as the issue spells it out: lock the row, insert the bid,
-- update the best, append the audit event; one statement per round trip, plus the supplier's
-- own-bids read and the audit stream head every bid needs.
\\set s random(0, {n_minus_1})
\\set sup {sup_base} + :s
\\set usr {user_base} + :s
\\set step random(1, {max_step})
BEGIN;
-- lock the auction row
SELECT id, status, best_amount, bid_count, bidding_deadline, extensions, auction_settings
  FROM procurement_rfq WHERE id = {rfq} FOR UPDATE \\gset
-- the supplier's own bids, for rate limit / version (context.own_bids)
SELECT COALESCE(MAX(version), 0) + 1 AS version, count(*) AS recent FROM auctions_bid
  WHERE rfq_id = {rfq} AND supplier_id = :sup AND submitted_at > now() - interval '1 minute' \\gset
-- insert the bid
INSERT INTO auctions_bid (rfq_id, supplier_id, submitted_by_id, submitted_at, status, version, amount,
    sealed_payload, sealed_commitment, opened_at, criteria, terms, valid_until, items_quoted, withdrawn_at,
    audit_seq, ip_address, user_agent, device_fingerprint)
  VALUES ({rfq}, :sup, :usr, clock_timestamp(), 'accepted', :version, :best_amount - :step / 100.0,
    '', '', NULL, '{{}}', '', NULL, 0, NULL, NULL, '127.0.0.1', '{user_agent}', md5(random()::text))
  RETURNING id AS bid_id, amount AS amount \\gset
-- update best / count / deadline fields of the auction row
UPDATE procurement_rfq SET best_amount = :amount, best_bid_id = :bid_id, bid_count = bid_count + 1,
    bidding_deadline = bidding_deadline, extensions = extensions, deadline_version = deadline_version,
    last_extension_at = last_extension_at, updated_at = clock_timestamp()
  WHERE id = {rfq} AND status = 'open';
-- audit: lock the stream head
SELECT key, last_seq, last_hash FROM audit_auditstream WHERE key = 'rfq:{rfq}' ORDER BY key LIMIT 1
  FOR UPDATE \\gset
-- audit: the hash-chained event
INSERT INTO audit_auditevent (stream, seq, rfq_id, type, actor_id, actor_name, at, payload, prev_hash, hash)
  VALUES ('rfq:{rfq}', :last_seq + 1, {rfq}, 'bid.placed', :usr, 'bench' || lpad(:s::text, 4, '0'),
    clock_timestamp(), jsonb_build_object('bid_id', :bid_id, 'supplier_id', :sup,
      'supplier', 'Bench Supplier ' || lpad(:s::text, 4, '0'), 'version', :version, 'amount', ':amount',
      'ip', '127.0.0.1', 'user_agent', '{user_agent}', 'fingerprint', left(md5(random()::text), 32),
      'session', '', 'submitted_at', clock_timestamp(), 'bid_count', :bid_count + 1),
    ':last_hash', md5(random()::text) || md5(random()::text))
  RETURNING seq AS ev_seq, hash AS ev_hash \\gset
UPDATE audit_auditstream SET last_seq = :ev_seq, last_hash = ':ev_hash' WHERE key = 'rfq:{rfq}';
-- the bid learns its audit seq
UPDATE auctions_bid SET audit_seq = :ev_seq WHERE id = :bid_id;
COMMIT;
"""

PGBENCH_BATCHED_SCRIPT = """\
-- The same bid in the round trips the Django bid transaction uses (auctions/services/bids.py
-- with common/db.py): BEGIN; lock + own bids + id in one; the four writes in one; COMMIT.
\\set s random(0, {n_minus_1})
\\set sup {sup_base} + :s
\\set usr {user_base} + :s
\\set step random(1, {max_step})
BEGIN;
SELECT r.id, r.status, r.best_amount, r.bid_count, r.bidding_deadline, r.extensions, r.auction_settings,
       s.last_seq, s.last_hash
  FROM procurement_rfq r JOIN audit_auditstream s ON s.key = 'rfq:{rfq}'
  WHERE r.id = {rfq} FOR NO KEY UPDATE \\;
SELECT COALESCE(MAX(version), 0) + 1 AS version, count(*) AS recent FROM auctions_bid
  WHERE rfq_id = {rfq} AND supplier_id = :sup \\;
SELECT nextval(pg_get_serial_sequence('auctions_bid', 'id')) AS bid_id \\aset
INSERT INTO auctions_bid (id, rfq_id, supplier_id, submitted_by_id, submitted_at, status, version, amount,
    sealed_payload, sealed_commitment, opened_at, criteria, terms, valid_until, items_quoted, withdrawn_at,
    audit_seq, ip_address, user_agent, device_fingerprint)
  VALUES (:bid_id, {rfq}, :sup, :usr, clock_timestamp(), 'accepted', :version, :best_amount - :step / 100.0,
    '', '', NULL, '{{}}', '', NULL, 0, NULL, :last_seq + 1, '127.0.0.1', '{user_agent}', md5(random()::text)) \\;
UPDATE procurement_rfq SET best_amount = :best_amount - :step / 100.0, best_bid_id = :bid_id,
    bid_count = bid_count + 1, bidding_deadline = bidding_deadline, extensions = extensions,
    deadline_version = deadline_version, last_extension_at = last_extension_at, updated_at = clock_timestamp()
  WHERE id = {rfq} \\;
INSERT INTO audit_auditevent (stream, seq, rfq_id, type, actor_id, actor_name, at, payload, prev_hash, hash)
  VALUES ('rfq:{rfq}', :last_seq + 1, {rfq}, 'bid.placed', :usr, 'bench' || lpad(:s::text, 4, '0'),
    clock_timestamp(), jsonb_build_object('bid_id', :bid_id, 'supplier_id', :sup,
      'supplier', 'Bench Supplier ' || lpad(:s::text, 4, '0'), 'version', :version,
      'amount', (:best_amount - :step / 100.0)::text, 'ip', '127.0.0.1', 'user_agent', '{user_agent}',
      'fingerprint', left(md5(random()::text), 32), 'session', '', 'submitted_at', clock_timestamp(),
      'bid_count', :bid_count + 1),
    ':last_hash', md5(:last_seq::text || 'a') || md5(:last_seq::text || 'b')) \\;
UPDATE audit_auditstream SET last_seq = :last_seq + 1,
    last_hash = md5(:last_seq::text || 'a') || md5(:last_seq::text || 'b') WHERE key = 'rfq:{rfq}';
COMMIT;
"""


def run_pgbench(args, world: World, tmpdir: Path, template: str = PGBENCH_SCRIPT, name: str = "bid") -> dict:
    """Run `template` (PGBENCH_SCRIPT or PGBENCH_BATCHED_SCRIPT); the figures, or {"error": …}."""
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        return {"error": "pgbench not found (apt-get install postgresql-client)"}
    base_s, base_u = world.supplier_ids[0], world.user_ids[0]
    if world.supplier_ids != list(range(base_s, base_s + len(world.supplier_ids))) or \
            world.user_ids != list(range(base_u, base_u + len(world.user_ids))):
        return {"error": "bench supplier/user ids are not contiguous; pgbench script cannot address them"}
    script = tmpdir / f"{name}.sql"
    script.write_text(template.format(n_minus_1=len(world.supplier_ids) - 1, sup_base=base_s,
                                      user_base=base_u, max_step=args.max_step_cents,
                                      rfq=world.twin_rfq_id, user_agent=USER_AGENT))
    # The twin starts where the HTTP auction started: at the starting price.
    import psycopg

    with psycopg.connect(f"{args.pg_url}/{args.db}", autocommit=True) as conn:
        conn.execute("UPDATE procurement_rfq SET best_amount = %s WHERE id = %s", (STARTING_PRICE, world.twin_rfq_id))
    command = [pgbench, "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres", "-n", "-c", str(args.clients),
               "-j", str(min(2, args.clients)), "-T", str(args.seconds), "-f", str(script), args.db]
    meter = CpuMeter()
    before = meter.sample()
    result = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 120)
    cpu = CpuMeter.delta(before, meter.sample())
    figures = parse_output(result.stdout + result.stderr, result.returncode, command)
    if "error" not in figures:
        figures.update(command=" ".join(command[:-2] + ["<script>", args.db]), cpu=cpu, script=template)
    return figures


def parse_output(out: str, returncode: int, command: list[str]) -> dict:
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    latency = re.search(r"latency average = ([0-9.]+) ms", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    processed = re.search(r"number of transactions actually processed: (\d+)", out)
    if returncode != 0 or tps is None:
        return {"error": f"pgbench failed ({returncode}):\n{out[-2000:]}", "command": command}
    return {"tps": float(tps.group(1)), "latency_ms": float(latency.group(1)) if latency else None,
            "failed": int(failed.group(1)) if failed else 0, "processed": int(processed.group(1)) if processed else 0}
