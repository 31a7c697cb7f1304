"""The comparison table as an XLSX workbook (openpyxl): real numbers with number formats in
the currency's minor unit, bold headers, a merged header per supplier group, the header and
line columns frozen, and columns wide enough to read."""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from common.money import currency_decimals

from .comparison import LEAD_COLUMNS, Cell, ComparisonTable

BOLD = Font(bold=True)
LABELS = {"Total", "Score", "Rank", "Allocation", "Total cost", "Best single supplier", "Saving", "No allocation"}


def money_format(currency: str) -> str:
    digits = currency_decimals(currency)
    return "#,##0" + ("." + "0" * digits if digits else "")


def _put(sheet: Worksheet, row: int, values: list[Cell], money: str, *, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        if value is None or value == "":
            continue
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text: a description "=…" is never a formula
        elif isinstance(value, Decimal):
            cell.number_format = money
        elif isinstance(value, float):
            cell.number_format = "0.0###"
        if bold or (column == 1 and value in LABELS):
            cell.font = BOLD


def _widths(sheet: Worksheet, table: ComparisonTable) -> None:
    widths = {1: 8, 2: 40, 3: 10, 4: 8}
    for index, name in enumerate(table.groups):
        first = len(LEAD_COLUMNS) + 1 + 2 * index
        widths[first] = widths[first + 1] = max(16, min(30, len(name) // 2 + 4))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def comparison_xlsx(table: ComparisonTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Comparison"
    money = money_format(table.currency)
    for number, values in enumerate(table.header, start=1):
        _put(sheet, number, values, money, bold=True)
    for index in range(len(table.groups)):
        first = len(LEAD_COLUMNS) + 1 + 2 * index
        sheet.merge_cells(start_row=1, start_column=first, end_row=1, end_column=first + 1)
        sheet.cell(row=1, column=first).alignment = Alignment(horizontal="center")
    row = len(table.header) + 1
    for values in table.body:
        _put(sheet, row, values, money)
        row += 1
    for block in table.sections:
        row += 1
        for offset, values in enumerate(block):
            _put(sheet, row, values, money, bold=offset < 2)
            row += 1
    sheet.freeze_panes = sheet.cell(row=len(table.header) + 1, column=len(LEAD_COLUMNS) + 1)
    _widths(sheet, table)
    workbook.properties.title = f"{table.reference} comparison"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
