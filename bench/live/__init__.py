"""bench/live_auction.py's own parts (bench/README.md, "live_auction.py"): the bidding plan,
the SDK clients and their processes, the bare baseline, the checks, the report; the server
stack and one auction's cycle, shared with bench/soak.py."""
