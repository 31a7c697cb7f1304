"""The bid rules (product.md §4.4). Importing this package registers every rule."""
from . import eligibility, fairness, format, timing, validity  # noqa: F401  (registration)
from .context import BidContext
from .engine import REGISTRY, Finding, Rule, Violation, rule, run_rules

__all__ = ["REGISTRY", "BidContext", "Finding", "Rule", "Violation", "rule", "run_rules"]
