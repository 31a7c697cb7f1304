"""Money as the contract has it: decimal strings on the wire, Decimal in Python, never float."""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

# ISO 4217 minor units other than 2, for currencies the server may use. The server formats
# every amount with its currency's digits, so an amount it sent tells them too (digits_of).
ZERO_DIGITS = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
               "XAF", "XOF", "XPF"}
THREE_DIGITS = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}

Amount = Decimal | str | int


def to_decimal(value: Amount) -> Decimal:
    """A Decimal from a Decimal, an int or a decimal string; a float is refused (its binary
    value is rarely the amount meant)."""
    if isinstance(value, bool) or isinstance(value, float) or not isinstance(value, (Decimal, str, int)):
        raise TypeError(f"amounts are Decimal, int or a decimal string, not {type(value).__name__}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return amount


def money_string(value: Amount) -> str:
    """The wire form: a plain decimal string, never an exponent ("9500.00", "9500")."""
    return format(to_decimal(value), "f")


def parse_money(value: object) -> Decimal | None:
    """An amount the server sent (a decimal string or null)."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def currency_digits(currency: str | None) -> int:
    code = (currency or "").upper()
    return 0 if code in ZERO_DIGITS else 3 if code in THREE_DIGITS else 2


def digits_of(*amounts: object) -> int | None:
    """The minor-unit digits shown by amounts the server formatted ("9300.00" → 2)."""
    for amount in amounts:
        if isinstance(amount, str) and amount:
            return len(amount.partition(".")[2])
    return None


def quantum(digits: int) -> Decimal:
    return Decimal(1).scaleb(-digits)


def round_down(amount: Decimal, digits: int) -> Decimal:
    """To the currency's minor unit, towards the lower amount: in a reverse auction a lower
    bid only gets better, and the server's own limit is rounded the same way."""
    return amount.quantize(quantum(digits), rounding=ROUND_DOWN)


def round_up(amount: Decimal, digits: int) -> Decimal:
    """To the minor unit, towards the higher amount: a floor is never undercut by rounding."""
    rounded = amount.quantize(quantum(digits), rounding=ROUND_DOWN)
    return rounded if rounded == amount else rounded + quantum(digits)
