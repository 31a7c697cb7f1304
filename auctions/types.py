"""Models of the apps above auctions that its annotations name: the RFQ row its auctions live on.

For type checking only: nothing here is imported at run time, so auctions still loads nothing
of the apps above it; and this is the one module of auctions that names them for types.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rfqs.models import RFQ as RFQ
