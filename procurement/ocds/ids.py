"""Identifiers of the export: the ocid, party ids and release ids, stable for ever."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from rfqs.models import RFQ

# "ocds-" and the six characters the Open Contracting Partnership assigns to a publisher.
OCDS_PREFIX_PATTERN = re.compile(r"ocds-[a-z0-9]{6}")


def ocid(rfq: RFQ) -> str:
    return f"{settings.QUAYSIDE['OCDS_PREFIX']}-{rfq.reference}"


def buyer_party_id(organization_id: int) -> str:
    return f"QS-BUYER-{organization_id}"


def supplier_party_id(supplier_id: int) -> str:
    return f"QS-SUPPLIER-{supplier_id}"


def release_id(rfq: RFQ, tag: str, seq: int) -> str:
    """`<ocid>-<tag>-<audit seq>`: the stage's audit event names the release."""
    return f"{ocid(rfq)}-{tag}-{seq}"
