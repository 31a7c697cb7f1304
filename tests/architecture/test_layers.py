"""The apps have a direction (tests/architecture/imports.py LAYERS, top down): procurement,
auctions, audit, suppliers, accounts, common. An app imports only apps below it; lower apps
learn of "closed / evaluated / awarded" through hooks, not by importing upwards.

KNOWN lists the upward imports not yet removed (issue 13 is taking them out). It only
shrinks: a new upward import fails, and so does an entry that no longer occurs.
"""
from __future__ import annotations

from .imports import LAYERS, upward_imports

KNOWN = {
    ("accounts/auth.py", "suppliers.models"),
    ("accounts/services.py", "audit.services"),
    ("auctions/api.py", "procurement.selectors"),
    ("auctions/live.py", "procurement.selectors"),
    ("auctions/rules/timing.py", "procurement.models"),
    ("auctions/services/bids.py", "procurement.models"),
    ("auctions/services/bids.py", "procurement.scheduling"),
    ("auctions/simulation/phantoms.py", "procurement.models"),
    ("auctions/simulation/selectors.py", "procurement.selectors"),
    ("auctions/types.py", "procurement.models"),
    ("audit/compliance/services.py", "procurement.models"),
    ("audit/gaming/detectors/shared_origin.py", "auctions.models"),
    ("audit/gaming/facts.py", "auctions.models"),
    ("audit/gaming/facts.py", "procurement.models"),
    ("audit/gaming/selectors.py", "procurement.selectors"),
    ("audit/gaming/services.py", "procurement.models"),
    ("audit/reports/builder.py", "auctions.models"),
    ("audit/reports/builder.py", "auctions.rules"),
    ("audit/reports/builder.py", "auctions.selectors.evaluation"),
    ("audit/reports/gate.py", "auctions.selectors.evaluation"),
    ("audit/reports/selectors.py", "procurement.selectors"),
    ("audit/reports/services.py", "procurement.models"),
    ("audit/types.py", "procurement.models"),
    ("audit/verify/state.py", "auctions.models"),
    ("audit/verify/state.py", "procurement.models"),
    ("suppliers/api.py", "procurement.selectors"),
    ("suppliers/expiry.py", "audit.services"),
    ("suppliers/services.py", "audit.services"),
    ("suppliers/services.py", "procurement.models"),
    ("suppliers/types.py", "procurement.models"),
}


def test_no_new_import_against_the_direction_of_the_apps():
    new = sorted(upward_imports() - KNOWN)
    assert not new, (f"Imports against the direction {' > '.join(LAYERS)} (move the code down, pass the object "
                     f"in, or register a hook): {new}")


def test_the_list_of_known_upward_imports_only_shrinks():
    gone = sorted(KNOWN - upward_imports())
    assert not gone, f"These upward imports are gone: remove them from KNOWN: {gone}"


def test_the_check_sees_imports_inside_functions(tmp_path, monkeypatch):
    from . import imports

    app = tmp_path / "common"
    app.mkdir()
    (app / "late.py").write_text("def f():\n    from procurement.models import RFQ\n    return RFQ\n")
    for name in imports.LAYERS[:-1]:
        (tmp_path / name).mkdir()
    monkeypatch.setattr(imports, "ROOT", tmp_path)
    assert upward_imports() == {("common/late.py", "procurement.models")}
