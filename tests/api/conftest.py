"""Fixtures of the API tests."""
import pytest


@pytest.fixture
def buyer(api):
    """The demo buyer's token client."""
    return api("buyer")
