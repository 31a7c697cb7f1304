"""Models of the apps above audit that its annotations name: the RFQ whose stream an event joins.

For type checking only: nothing here is imported at run time, so audit still loads nothing
of the apps above it; and this is the one module of audit that names them for types.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rfqs.models import RFQ as RFQ
