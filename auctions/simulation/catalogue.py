"""Which formats a simulation plays: auction types, their pricing rules and award modes.

Pure and without imports from the app, so the model, the serializers and the engine share it.
A sealed-bid RFQ is simulated with the award mode it is configured with: a whole award prices
one winner (first or second price), a split award divides the lines (pay as bid or VCG). A
bundle auction pays as bid or VCG; the reverse auction always pays as bid.
"""
from __future__ import annotations

AUCTION_TYPES = ["SEALED_BID", "REVERSE_AUCTION", "COMBINATORIAL"]
PRICING = ["FIRST_PRICE", "SECOND_PRICE", "VCG"]
# What a request without `auction_types` / `pricing` simulates, besides the RFQ's own format.
DEFAULT_TYPES = ["SEALED_BID", "REVERSE_AUCTION"]
DEFAULT_PRICING = ["FIRST_PRICE", "SECOND_PRICE"]
AWARD_MODES = ["WHOLE", "SPLIT", "BUNDLES"]

_RULES = {"WHOLE": ("FIRST_PRICE", "SECOND_PRICE"), "SPLIT": ("FIRST_PRICE", "VCG"),
          "BUNDLES": ("FIRST_PRICE", "VCG")}


def award_mode(auction_type: str, settings: dict) -> str:
    """How the phantom auction of this type awards: one winner, lines split, or bundles."""
    if auction_type == "COMBINATORIAL":
        return "BUNDLES"
    if auction_type == "SEALED_BID" and settings.get("award_mode") == "SPLIT":
        return "SPLIT"
    return "WHOLE"


def rules_for(auction_type: str, settings: dict, pricing: list[str]) -> list[str]:
    """The asked-for pricing rules this format can pay by; pay as bid when it can pay by none.
    The reverse auction pays as bid."""
    if auction_type == "REVERSE_AUCTION":
        return ["FIRST_PRICE"]
    allowed = _RULES[award_mode(auction_type, settings)]
    return [rule for rule in pricing if rule in allowed] or ["FIRST_PRICE"]


def formats_for(auction_types: list[str], pricing: list[str], settings: dict[str, dict]) -> list[tuple[str, str]]:
    """(auction_type, pricing) pairs in the order asked; `settings` per auction type."""
    return [(auction_type, rule) for auction_type in auction_types
            for rule in rules_for(auction_type, settings.get(auction_type, {}), pricing)]


# The work of one run, in units of a whole award's run (about 0.1 ms whatever the bidders: only
# the lowest bids are checked). Split and bundle runs check every phantom's quote and solve:
# per phantom and line (bundles: per offer), measured with 6–200 phantoms and 3–40 lines.
WHOLE_RUN = 1.0
PER_QUOTE_LINE = {("SPLIT", "FIRST_PRICE"): 0.5, ("SPLIT", "VCG"): 0.8,
                  ("BUNDLES", "FIRST_PRICE"): 0.8, ("BUNDLES", "VCG"): 4.0}
# Above INLINE_WORK a simulation is computed by a task (about 0.2 s inline); above MAX_WORK
# (about 10 minutes of a core) it is refused: the buyer is told how many runs would fit.
INLINE_WORK = 2000
MAX_WORK = 6_000_000


def offers_per_quote(mode: str, settings: dict, lines: int) -> int:
    if mode == "BUNDLES":
        return 1 if lines == 1 else min(lines + 1, int(settings.get("max_bundles_per_quote", 10)))
    return lines


def run_work(formats: list[tuple[str, str]], settings: dict[str, dict], bidders: int, lines: int) -> float:
    """The work of one run of every format, in whole-award runs."""
    total = 0.0
    for auction_type, pricing in formats:
        own = settings.get(auction_type, {})
        mode = award_mode(auction_type, own)
        total += WHOLE_RUN if mode == "WHOLE" else (
            PER_QUOTE_LINE[mode, pricing] * bidders * offers_per_quote(mode, own, lines))
    return total
