"""The export responses the API (and the pages' buttons, which link to it) hand out."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from auctions.evaluation import Evaluation
from common.renderers import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, download

from .bids import bid_rows
from .comparison import comparison_table
from .text import csv_text
from .xlsx import comparison_xlsx

if TYPE_CHECKING:
    from auctions.types import RFQ


def format_parameter(*formats: str, description: str) -> OpenApiParameter:
    return OpenApiParameter("format", OpenApiTypes.STR, enum=list(formats), required=False, description=description)


def download_responses(schema: Any, *, xlsx: bool) -> dict:
    """A 200 per media type: the JSON schema, the workbook as binary, the CSV as text."""
    responses = {(200, "application/json"): schema, (200, CSV_MEDIA_TYPE): OpenApiTypes.STR}
    if xlsx:
        responses[(200, XLSX_MEDIA_TYPE)] = OpenApiTypes.BINARY
    return responses


def comparison_download(rfq: RFQ, evaluation: Evaluation, kind: str) -> Response:
    table = comparison_table(rfq, evaluation)
    if kind == "xlsx":
        return download(comparison_xlsx(table), f"{rfq.reference}-comparison.xlsx", XLSX_MEDIA_TYPE)
    return download(csv_text(table.rows), f"{rfq.reference}-comparison.csv", CSV_MEDIA_TYPE)


def bids_download(rfq: RFQ, data: list[dict[str, Any]] | dict[str, Any]) -> Response:
    return download(csv_text(bid_rows(data)), f"{rfq.reference}-bids.csv", CSV_MEDIA_TYPE)
