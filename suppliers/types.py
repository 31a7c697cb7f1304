"""Models of the apps above suppliers that its annotations name: the RFQ an invitation is for.

For type checking only: nothing here is imported at run time, so suppliers still loads nothing
of the apps above it; and this is the one module of suppliers that names them for types.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rfqs.models import RFQ as RFQ
