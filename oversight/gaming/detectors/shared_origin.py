"""The same IP address or device fingerprint behind bids of different suppliers (HIGH).

Separate companies bidding from one machine or one network address suggests one party
running several bidders. Addresses in IGNORED_NETWORKS (loopback by default) say nothing:
there every supplier shares the host — the embedded default, a demo, a proxy that does not
pass the client's address on — so those addresses are not compared. A client-sent device
fingerprint is compared whatever the address: it identifies the machine, not the network.
"""
from __future__ import annotations

import ipaddress
from collections import defaultdict

from auctions.models import Bid

from ..base import AlertSeverity, AuctionFacts, Finding, bids_evidence, detector

NAME = "shared_ip_or_device"


def _ignored(ip: str | None, networks) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return True
    return any(address in network for network in networks)


def _shared(bids, attribute: str, label: str, minimum: int) -> list[Finding]:
    groups = defaultdict(list)
    for bid in bids:
        value = getattr(bid, attribute)
        # A fingerprint the server derived from the user agent ("ua:…") names a browser build
        # that honest suppliers share; only a client-sent fingerprint identifies a device.
        if value and not (attribute == "fingerprint" and value.startswith(Bid.DERIVED_FINGERPRINT)):
            groups[value].append(bid)
    findings = []
    for value, group in sorted(groups.items()):
        names = {b.supplier_id: b.supplier_name for b in group}
        if len(names) < minimum:
            continue
        findings.append(Finding(
            key=f"{attribute}:{value}"[:200], severity=AlertSeverity.HIGH,
            summary=f"{len(names)} suppliers bid from the same {label} {value}: {', '.join(sorted(names.values()))}.",
            supplier_ids=sorted(names), evidence={attribute: value, "suppliers": len(names), "bids": bids_evidence(group)}))
    return findings


@detector(NAME)
def shared_ip_or_device(facts: AuctionFacts, cfg: dict) -> list[Finding]:
    networks = [ipaddress.ip_network(n) for n in cfg["IGNORED_NETWORKS"]]
    addressed = [b for b in facts.bids if not _ignored(b.ip, networks)]
    return (_shared(addressed, "ip", "IP address", cfg["MIN_SUPPLIERS"])
            + _shared(facts.bids, "fingerprint", "device fingerprint", cfg["MIN_SUPPLIERS"]))
