"""What the benchmarks in bench/ share (bench/README.md, "Layout").

- `setup`: the scratch database, the environment of every Django process, `manage.py`, Django
  in this process; `prepare` does all of it in order.
- `world`: the bench suppliers and the open reverse auctions they bid in.
- `servers`: HTTP / ASGI server processes on a shared socket, always stopped; one-off
  processes tied to the bench's life; free ports; waiting until something answers.
- `client`: one HTTP request with a supplier's API token.
- `metrics`: CPU and memory of processes, of PostgreSQL, of the whole machine (psutil).
- `stats`: percentiles (`statistics.quantiles`) and their printed form.
- `machine`: the machine, code revision and PostgreSQL version a report names.
- `pyspy`: optional sampling of server processes with a py-spy binary.
"""
