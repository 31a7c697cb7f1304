"""Exact award optimisation for split and bundle awards (product.md §7): pure functions over
plain data. `highs_model` is the one module that talks to HiGHS.
"""
from .problem import (
    Allocation,
    Award,
    Bundle,
    BundleProblem,
    Infeasible,
    Line,
    Offer,
    Payment,
    SplitProblem,
)
from .solve import best_single_supplier, solve_bundles, solve_split
from .validation import validate_bundles
from .vcg import PAYMENT_RULES, payments, total_payment, total_premium

__all__ = [
    "PAYMENT_RULES", "Allocation", "Award", "Bundle", "BundleProblem", "Infeasible", "Line", "Offer", "Payment",
    "SplitProblem", "best_single_supplier", "payments", "solve_bundles", "solve_split", "total_payment",
    "total_premium", "validate_bundles",
]
