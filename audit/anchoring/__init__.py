"""Anchoring the audit trail outside the database (product.md §6 "Anchoring").

The hash chain shows any edit to one event, but a database superuser can rewrite an event
and recompute every later hash. So the head of each stream is checkpointed: its seq and hash,
signed with an Ed25519 key the database does not hold (`keys`), written to a store outside
the database (`store`) by `services`, at least every minute while events arrive and at every
close. The verifier (oversight/verify/) then checks the chain against those checkpoints.
"""
