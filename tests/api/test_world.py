"""The module-scoped demo world (world.py) still isolates tests from each other."""
from rfqs.models import RFQ
from tests.factories import rfq_payload

TITLE = "Isolation probe 7f3a"


def test_a_write_in_one_test(api):
    assert api("buyer").post("/api/v1/rfqs/", rfq_payload(title=TITLE), format="json").status_code == 201
    assert RFQ.objects.filter(title=TITLE).count() == 1


def test_is_gone_in_the_next(api, demo):
    assert not RFQ.objects.filter(title=TITLE).exists()
    # ...while the seeded world is whole: 9 users, 5 example RFQs.
    assert demo.user("supplier6").supplier.kyc_status == "REJECTED"
    assert RFQ.objects.count() == 5
