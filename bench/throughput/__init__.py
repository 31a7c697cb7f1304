"""bid_throughput.py's own parts (the shared ones are in bench/harness/).

- `load`: the client threads, their bidding patterns and what they record.
- `invariants`: what must hold in the database after the run.
- `pgbench_sql`: the pgbench scripts, with table and column names from the Django models.
- `pgbench`: running them and reading pgbench's figures.
- `report`: the printed report and the --json figures.
"""
