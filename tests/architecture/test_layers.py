"""The apps have a direction (tests/architecture/imports.py LAYERS, top down): procurement,
oversight, auctions, suppliers, accounts, audit, rfqs, common. A module imports only its own
app and those below; a lower app tells the ones above that something happened through a hook
(common.hooks), never by importing them.
"""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from common.hooks import Hook

from . import imports
from .imports import LAYERS, layer_of, upward_imports


def test_no_import_against_the_direction_of_the_layers():
    found = sorted(upward_imports())
    assert not found, (f"Imports against the direction {' > '.join(name for name, _ in LAYERS)} (move the code "
                       f"down, pass the object in, or send a hook): {found}")


def test_every_module_of_the_apps_has_a_layer():
    assert not [path for path in imports.app_modules() if layer_of(imports.module_name(path)) is None]


@pytest.mark.parametrize("source", [
    "def f():\n    from procurement.services import rfq_publish\n",  # inside a function
    "from ...procurement.services import rfq_publish\n",  # relative
    "import procurement.api\n",
])
def test_the_check_sees_every_kind_of_import(tmp_path, monkeypatch, source):
    for app in imports.APPS:
        (tmp_path / app).mkdir()
    (tmp_path / "auctions" / "rules").mkdir()
    (tmp_path / "auctions" / "rules" / "late.py").write_text(source)
    monkeypatch.setattr(imports, "ROOT", tmp_path)
    assert [module.split(".")[0] for _, module in upward_imports()] == ["procurement"]


def test_the_app_decides_the_layer():
    assert layer_of("procurement.views.buyer") == 0
    assert layer_of("rfqs.models") == len(LAYERS) - 2
    assert layer_of("config.urls") is None


def test_the_engine_hooks_reach_the_layers_above():
    from auctions import hooks
    from oversight.gaming.scheduling import gaming_scan_soon
    from procurement.scheduling import schedule_close

    assert hooks.deadline_extended.receivers == (schedule_close,)
    assert hooks.bids_changed.receivers == (gaming_scan_soon,)


def test_a_receiver_connected_twice_is_an_error():
    calls = []

    def receiver(*, n):
        calls.append(n)

    hook = Hook("example", "n")
    hook.connect(receiver)
    with pytest.raises(ImproperlyConfigured):
        hook.connect(receiver)
    hook.send(n=1)
    assert calls == [1]
