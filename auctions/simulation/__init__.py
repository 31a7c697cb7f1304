"""What-if simulation before publishing ("phantom bidders", product.md §7).

Monte Carlo runs with synthetic suppliers whose private costs are drawn around a baseline;
each format's equilibrium (first-price sealed) or dominant (second-price sealed, reverse)
strategy; every bid goes through the real rule engine (`auctions.rules`) and every run
through the real evaluation and pricing (`auctions.evaluation.rank`). A Django app of its
own (label `simulation`) above `auctions` and `procurement`: it reads both, neither reads it.
"""
