"""The maritime scenario templates buyers start from (product.md §4, §7)."""
from dataclasses import dataclass, field

from .mechanisms import get_mechanism


@dataclass(frozen=True)
class ScenarioTemplate:
    id: str
    name: str
    description: str
    auction_type: str
    duration_minutes: int
    overrides: dict = field(default_factory=dict)

    def settings(self) -> dict:
        return get_mechanism(self.auction_type).validate_settings(self.overrides)


TEMPLATES = [
    ScenarioTemplate(
        "commodity_purchase", "Commodity purchase",
        "Standardised goods (provisions, lubricants, consumables): a live reverse auction "
        "drives the price down with anti-sniping protection.",
        "REVERSE_AUCTION", 30,
        {"minimum_decrement": "0.5", "decrement_type": "PERCENTAGE", "duration_minutes": 30},
    ),
    ScenarioTemplate(
        "technical_equipment", "Technical equipment",
        "Spare parts and machinery where delivery time, warranty and class certification "
        "matter as much as price: a multi-attribute auction.",
        "MULTI_ATTRIBUTE", 7 * 24 * 60,
        {"scoring_method": "WEIGHTED_SUM", "price_weight": 50, "criteria": [
            {"id": "delivery_days", "name": "Delivery time", "weight": 25, "type": "NUMERIC",
             "higher_is_better": False, "min_value": 0, "max_value": 90, "unit": "days"},
            {"id": "warranty_months", "name": "Warranty", "weight": 15, "type": "NUMERIC",
             "higher_is_better": True, "min_value": 0, "max_value": 60, "unit": "months"},
            {"id": "class_certified", "name": "Class-certified", "weight": 10, "type": "BOOLEAN",
             "higher_is_better": True},
        ]},
    ),
    ScenarioTemplate(
        "strategic_sourcing", "Strategic sourcing",
        "Long-term or high-value contracts: a sealed-bid tender with revisions allowed until "
        "the deadline; nobody sees a price before the opening.",
        "SEALED_BID", 14 * 24 * 60,
        {"allow_multiple_submissions": True, "minimum_bidders": 3, "pricing": "FIRST_PRICE"},
    ),
    ScenarioTemplate(
        "urgent_requirement", "Urgent requirement",
        "A vessel needs it now: a sealed bid with a short window and a single firm quote each.",
        "SEALED_BID", 4 * 60,
        {"allow_multiple_submissions": False, "minimum_bidders": 2, "pricing": "FIRST_PRICE"},
    ),
    ScenarioTemplate(
        "bundled_supply", "Bundled supply",
        "Suppliers price sets of lines together (all or nothing), e.g. a discount for taking the whole "
        "order: a sealed combinatorial auction; each supplier wins at most one of its bundles.",
        "COMBINATORIAL", 7 * 24 * 60,
        {"allow_multiple_submissions": True, "minimum_bidders": 2, "pricing": "FIRST_PRICE",
         "max_bundles_per_quote": 10},
    ),
]
TEMPLATES_BY_ID = {template.id: template for template in TEMPLATES}
