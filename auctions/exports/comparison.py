"""The side-by-side comparison as a table: one row per line item, a column group (unit price,
amount) per ranked supplier, then totals, score and rank rows, the allocation when the award
is split or bundled, and every bundle offered when quotes are bundles (a bundle's price covers
its lines together, so it has no line price to put in a supplier's column). Cells are typed: Decimal is money in the currency's minor unit,
int a count or rank, float a score, str text, None empty.

The figures are the evaluation's own (the same as GET /evaluation/); line prices are the
opened quotes' lines.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from auctions.evaluation import Evaluation
from auctions.models import BidBundle, BidLine
from common.money import format_money

if TYPE_CHECKING:
    from auctions.types import RFQ

Cell = Decimal | int | float | str | None
LEAD_COLUMNS = ("Line", "Description", "Quantity", "Unit")
ALLOCATION_COLUMNS = ("Line", "Description", "Quantity", "Supplier", "Unit price", "Amount")
BUNDLE_COLUMNS = ("Bundle", "Lines", "", "Supplier", "", "Price")


@dataclass
class ComparisonTable:
    reference: str
    title: str
    currency: str
    groups: list[str]  # one per supplier column group, in rank order
    header: list[list[Cell]]  # two rows: group names, then column names
    body: list[list[Cell]]  # line rows, then totals, score and rank
    allocation: list[list[Cell]] = field(default_factory=list)  # title, header and rows; empty when not split
    bundles: list[list[Cell]] = field(default_factory=list)  # title, header and rows; empty without bundles

    @property
    def sections(self) -> list[list[list[Cell]]]:
        """The blocks after the line table, each a title row, a header row and its rows."""
        return [block for block in (self.allocation, self.bundles) if block]

    @property
    def rows(self) -> list[list[Cell]]:
        """Every row in order, as the CSV carries them (a blank row before each section)."""
        return [*self.header, *self.body, *(row for block in self.sections for row in [[], *block])]


def _money(value: Any, currency: str) -> Decimal | None:
    return None if value is None else Decimal(format_money(Decimal(str(value)), currency))


def _quantity(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _header(groups: list[str], currency: str) -> list[list[Cell]]:
    top: list[Cell] = [*LEAD_COLUMNS]
    second: list[Cell] = ["", "", "", ""]
    for name in groups:
        top += [name, ""]
        second += [f"Unit price ({currency})", f"Amount ({currency})"]
    return [top, second]


def _line_rows(rfq: RFQ, bid_ids: list[int]) -> list[list[Cell]]:
    prices: dict[tuple[int, int], BidLine] = {
        (line.bid_id, line.line_item_id): line for line in BidLine.objects.filter(bid_id__in=bid_ids)}
    rows = []
    for item in rfq.line_items.order_by("position"):
        row: list[Cell] = [item.position, item.description, _quantity(item.quantity), item.unit]
        for bid_id in bid_ids:
            line = prices.get((bid_id, item.pk))
            row += [None, None] if line is None else [_money(line.unit_price, rfq.currency),
                                                      _money(line.line_total, rfq.currency)]
        rows.append(row)
    return rows


def _summary_rows(rankings: list[dict[str, Any]], currency: str) -> list[list[Cell]]:
    rows: list[list[Cell]] = [["Total", "", "", ""], ["Score", "", "", ""], ["Rank", "", "", ""]]
    for ranked in rankings:
        rows[0] += [None, _money(ranked["total"], currency)]
        rows[1] += [None, float(ranked["score"])]
        rows[2] += [None, int(ranked["rank"])]
    return rows


def _allocation_rows(rfq: RFQ, data: dict[str, Any]) -> list[list[Cell]]:
    if "allocation" not in data:
        return []
    currency = rfq.currency
    items = {item.pk: item for item in rfq.line_items.all()}
    rows: list[list[Cell]] = [["Allocation"], [*ALLOCATION_COLUMNS]]
    for award in data["allocation"]:
        item = items[award["line_item_id"]]
        quantity = award["quantity"]
        rows.append([item.position, item.description, _quantity(Decimal(str(quantity))), award["supplier"]["name"],
                     _money(award["unit_price"], currency), _money(award["amount"], currency)])
    best = data.get("best_single_supplier")
    rows += [["Total cost", "", "", "", None, _money(data.get("total_cost"), currency)],
             ["Best single supplier", "", "", best["supplier"]["name"] if best else "", None,
              _money(best["total"], currency) if best else None],
             ["Saving", "", "", "", None, _money(data.get("saving"), currency)]]
    if data.get("allocation_problem"):
        rows.append(["No allocation", str(data["allocation_problem"])])
    return rows


def _bundle_rows(rfq: RFQ, rankings: list[dict[str, Any]]) -> list[list[Cell]]:
    """Each ranked supplier's bundles, in rank order: which lines (by position), at what price."""
    offered = list(BidBundle.objects.filter(bid_id__in=[ranked["bid_id"] for ranked in rankings]))
    if not offered:
        return []
    position = dict(rfq.line_items.values_list("pk", "position"))
    supplier = {ranked["bid_id"]: ranked["supplier"]["name"] for ranked in rankings}
    order = {ranked["bid_id"]: index for index, ranked in enumerate(rankings)}
    rows: list[list[Cell]] = [["Bundle offers"], [*BUNDLE_COLUMNS]]
    for bundle in sorted(offered, key=lambda b: (order[b.bid_id], b.index)):
        lines = ", ".join(str(p) for p in sorted(position[pk] for pk in bundle.line_item_ids))
        rows.append([bundle.index + 1, lines, None, supplier[bundle.bid_id], None, _money(bundle.price, rfq.currency)])
    return rows


def comparison_table(rfq: RFQ, evaluation: Evaluation) -> ComparisonTable:
    """The comparison of a closed RFQ's evaluation (the caller has checked who may see it)."""
    data = evaluation.as_dict()
    rankings = data["rankings"]
    groups = [f"{ranked['rank']}. {ranked['supplier']['name']}" for ranked in rankings]
    bid_ids = [ranked["bid_id"] for ranked in rankings]
    return ComparisonTable(
        reference=rfq.reference, title=rfq.title, currency=rfq.currency, groups=groups,
        header=_header(groups, rfq.currency),
        body=_line_rows(rfq, bid_ids) + _summary_rows(rankings, rfq.currency),
        allocation=_allocation_rows(rfq, data), bundles=_bundle_rows(rfq, rankings))
