"""Reading a list's search, filter and ordering parameters (api.md "Lots and finding things").

Each list declares its parameters once (a selector's filter class reads them with a
`QueryReader`); the API and the page call the same reader and the same selector, so they
cannot disagree. A value outside what the parameter takes is an error naming the parameter,
never ignored: the API answers it with 400, the page shows it above the list.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter

from .errors import ValidationFailed
from .schema import ID_MAX

F = TypeVar("F")
T = TypeVar("T")
SEARCH_MAX = 200
_REFERENCE = re.compile(r"(?:RFQ-?)?0*(\d{1,19})", re.IGNORECASE | re.ASCII)
PAGE_SIZE = 50
DATE_HELP = "A date (YYYY-MM-DD, midnight UTC) or an ISO 8601 date-time with its offset."


class QueryReader:
    """Reads parameters from a QueryDict (or a plain dict), collecting every bad value."""

    def __init__(self, params: Mapping[str, str]):
        self.params = params
        self.errors: dict[str, list[str]] = {}

    def _raw(self, name: str) -> str | None:
        value = self.params.get(name)
        return None if value is None else str(value)

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str = "search", *, max_length: int = SEARCH_MAX) -> str:
        value = (self._raw(name) or "").strip()
        if len(value) > max_length:
            self.fail(name, f"At most {max_length} characters.")
            return ""
        return value

    def choice(self, name: str, values: Iterable[str], *, message: str = "") -> str | None:
        """One of `values`; an empty value is no value of the filter, so it is refused too."""
        value, allowed = self._raw(name), list(values)
        if value is not None and value not in allowed:
            self.fail(name, message or f"One of {', '.join(allowed)}.")
            return None
        return value

    def slug(self, name: str, *, max_length: int = 50) -> str | None:
        value = self._raw(name)
        if value is not None and not 0 < len(value) <= max_length:
            self.fail(name, f"A slug of 1 to {max_length} characters.")
            return None
        return value

    def moment(self, name: str) -> datetime | None:
        """A date (its midnight, UTC) or a date-time with an offset (one without is UTC)."""
        value = self._raw(name)
        if value is None:
            return None
        try:
            parsed = parse_datetime(value) if len(value) > 10 else None
            day = parse_date(value) if parsed is None else None
        except ValueError:
            parsed = day = None
        if day is not None:
            parsed = datetime.combine(day, time.min)
        if parsed is None:
            self.fail(name, DATE_HELP)
            return None
        return _in_utc(parsed)

    def ordering(self, allowed: Iterable[str], *, name: str = "ordering") -> str | None:
        """A field of `allowed`, `-` before it for descending."""
        value, fields = self._raw(name), list(allowed)
        if value is not None and value.removeprefix("-") not in fields:
            self.fail(name, f"One of {', '.join(fields)}, each with - for descending.")
            return None
        return value

    def done(self) -> None:
        if self.errors:
            first = next(iter(self.errors))
            raise ValidationFailed(f"Invalid input: {first}: {self.errors[first][0]}", fields=self.errors)


def reference_id(text: str) -> int | None:
    """The id an RFQ reference names ("RFQ-000042", "rfq42" or "42"), None if `text` is none."""
    match = _REFERENCE.fullmatch(text)
    return int(match.group(1)) if match and int(match.group(1)) <= ID_MAX else None


def _in_utc(moment: datetime) -> datetime:
    """A naive moment is UTC (the API speaks UTC); an offset that carries it past year 1 or
    9999 is clamped there (still before or after every deadline), not an error."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.min if moment.year < 5000 else datetime.max).replace(tzinfo=UTC)


def ordering_values(fields: Iterable[str]) -> list[str]:
    return [value for field in fields for value in (field, f"-{field}")]


def search_parameter(description: str) -> OpenApiParameter:
    return OpenApiParameter("search", {"type": "string", "maxLength": SEARCH_MAX}, required=False,
                            description=description)


def choice_parameter(name: str, values: Iterable[str], description: str = "") -> OpenApiParameter:
    return OpenApiParameter(name, str, enum=list(values), required=False, description=description)


def ordering_parameter(fields: Iterable[str], default: str) -> OpenApiParameter:
    return choice_parameter("ordering", ordering_values(fields),
                            f"Sort by this field, - for descending (default {default}).")


def moment_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "string", "format": "date-time"}, required=False,
                            description=f"{description} {DATE_HELP}")


def slug_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "string", "minLength": 1, "maxLength": 50}, required=False,
                            description=description)


@dataclass
class PageQuery(Generic[F]):
    """A list page's filters as read from its URL, or the errors of its bad values."""

    filters: F | None
    errors: dict[str, list[str]]
    values: dict[str, str]  # what the filter bar shows
    redirect: str | None = None  # the same URL without blank or unknown parameters


def page_query(request: HttpRequest, names: Iterable[str], parse: Callable[[Mapping[str, str]], F]) -> PageQuery[F]:
    """Read a list page's GET parameters with the API's parser (`parse`). Its filter form sends
    every field, a blank one meaning "any": those are dropped (the API refuses a blank value as
    any other outside the parameter's schema) by redirecting to the URL without them, so the
    address stays short enough to bookmark and share."""
    names = [*names, "page"]
    values = {name: request.GET[name] for name in names if request.GET.get(name, "") != ""}
    if len(values) != len(request.GET):
        return PageQuery(None, {}, values, redirect=f"{request.path}?{urlencode(values)}" if values else request.path)
    try:
        return PageQuery(parse(values), {}, values)
    except ValidationFailed as exc:
        return PageQuery(None, exc.fields, values)


def paginate(request: HttpRequest, items: Sequence[T] | QuerySet[Any], per_page: int | None = None) -> Page[Any]:
    """One page of `items` (?page=N, out of range: the nearest page) of `per_page` or PAGE_SIZE
    rows; links keep the filters with {% querystring page=n %}."""
    return Paginator(items, per_page or PAGE_SIZE).get_page(request.GET.get("page"))
