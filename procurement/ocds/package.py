"""The release package (one release per stage) and the record compiled from it with ocdsmerge."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from ocdsmerge import Merger  # type: ignore[import-untyped]

from rfqs.models import RFQ

from .ids import ocid
from .releases import RFQFacts, stage_release
from .stages import rfq_stages

VERSION = "1.1"
# The bids extension (bids.details); the only extension the releases use.
EXTENSIONS = ["https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.4/extension.json"]


@cache
def _merger() -> Merger:
    schema = json.loads((Path(__file__).with_name("release-schema.json")).read_text())
    return Merger(schema=schema)


def rfq_releases(rfq: RFQ) -> list[dict[str, Any]]:
    facts = RFQFacts.load(rfq)
    return [stage_release(facts, stage) for stage in rfq_stages(rfq)]


def _envelope(uri: str, releases: list[dict[str, Any]]) -> dict[str, Any]:
    # Dated by the last release, so the package reads the same until a new stage is reached.
    return {"uri": uri, "version": VERSION, "publishedDate": releases[-1]["date"],
            "publisher": {"name": settings.QUAYSIDE["OCDS_PUBLISHER"]}, "extensions": EXTENSIONS}


def release_package(rfq: RFQ, *, releases: list[dict[str, Any]], uri: str) -> dict[str, Any]:
    return {**_envelope(uri, releases), "releases": releases}


def record_package(rfq: RFQ, *, releases: list[dict[str, Any]], uri: str) -> dict[str, Any]:
    """A record package with the RFQ's one record: its releases and the compiled release."""
    record = {"ocid": ocid(rfq), "releases": releases,
              "compiledRelease": _merger().create_compiled_release(releases)}
    return {**_envelope(uri, releases), "records": [record]}
