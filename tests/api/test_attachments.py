"""api.md "Around the event": RFQ attachments — the buyer uploads (checked by content, size
limited, audited), whoever may see the RFQ lists and downloads; anybody else gets 404."""
from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from auctions.models import QuoteAttachment
from audit.models import AuditEvent
from rfqs.models import RFQAttachment, RFQStatus
from tests.engine.helpers import created, items, quote, sealed_auction, transition
from tests.factories import (
    BuyerFactory,
    ComplianceOfficerFactory,
    RFQFactory,
    SupplierCompanyFactory,
    SupplierFactory,
    move_deadline_into_past,
    published_rfq,
)

from .helpers import assert_error

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def attachments_url(rfq) -> str:
    return f"/api/v1/rfqs/{rfq.pk}/attachments/"


def post(client, rfq, content=PDF, name="drawing.pdf", title="General arrangement"):
    return client.post(attachments_url(rfq), {"title": title, "file": SimpleUploadedFile(name, content)},
                       format="multipart")


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def world(db):
    invited, uninvited = SupplierFactory(), SupplierFactory()
    rfq = RFQFactory(published=True, invited=[invited.supplier])
    return {"rfq": rfq, "buyer": rfq.created_by, "invited": invited, "uninvited": uninvited}


def test_buyer_uploads_and_everyone_who_sees_the_rfq_downloads(world, api_as):
    rfq, buyer = world["rfq"], world["buyer"]
    response = post(api_as(buyer), rfq, name="../../etc/GA plan.pdf")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["original_name"], body["content_type"], body["size"], body["sha256"]) == \
        ("General arrangement", "GA plan.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
    stored = RFQAttachment.objects.get(pk=body["id"])
    assert "GA plan" not in stored.file.name and ".." not in stored.file.name
    event = AuditEvent.objects.filter(type="rfq.attachment_added").get()
    assert event.payload == {"attachment_id": stored.pk, "title": "General arrangement", "name": "GA plan.pdf",
                             "content_type": "application/pdf", "size": len(PDF), "sha256": stored.sha256}
    colleague = BuyerFactory(buyer_organization=rfq.buyer_organization)
    for user in (buyer, colleague, world["invited"], ComplianceOfficerFactory()):
        client = api_as(user)
        listed = client.get(attachments_url(rfq))
        assert listed.status_code == 200, (user, listed.content)
        assert [a["id"] for a in listed.json()] == [stored.pk]
        download = client.get(body["download_url"])
        assert download.status_code == 200, (user, download.content[:300])
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"].startswith("attachment")


def test_who_cannot_see_the_rfq_gets_404(world, api_as):
    rfq = world["rfq"]
    attachment = post(api_as(world["buyer"]), rfq).json()
    other_tenant = BuyerFactory()
    for user in (world["uninvited"], other_tenant):
        client = api_as(user)
        assert_error(client.get(attachments_url(rfq)), 404, "not_found")
        assert_error(client.get(attachment["download_url"]), 404, "not_found")
        assert_error(post(client, rfq), 404, "not_found")
    assert_error(api_as(None).get(attachment["download_url"]), 401)
    # An attachment id of another RFQ is not found under this one.
    other = RFQFactory(published=True, created_by=world["buyer"])
    assert_error(api_as(world["buyer"]).get(f"{attachments_url(other)}{attachment['id']}/"), 404, "not_found")


def test_a_draft_rfqs_attachments_are_not_shown_to_suppliers(api_as, db):
    supplier = SupplierFactory()
    rfq = RFQFactory(invited=[supplier.supplier])
    attachment = post(api_as(rfq.created_by), rfq).json()
    assert_error(api_as(supplier).get(attachment["download_url"]), 404, "not_found")


def test_only_the_buyer_uploads(world, api_as):
    assert_error(post(api_as(world["invited"]), world["rfq"]), 403, "permission_denied")
    assert not RFQAttachment.objects.exists()


@pytest.mark.parametrize("content, name", [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200, "invoice.pdf"),
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, "drawing.png"),
    (b"PK\x03\x04" + b"\x00" * 200, "specs.docx"),  # a zip that is not an Office document
    (b"", "empty.pdf"),
])
def test_content_not_name_decides(world, api_as, content, name):
    error = assert_error(post(api_as(world["buyer"]), world["rfq"], content=content, name=name), 400, "invalid")
    assert "file" in error["fields"]
    assert not RFQAttachment.objects.exists()
    assert not AuditEvent.objects.filter(type="rfq.attachment_added").exists()


@pytest.mark.parametrize("content, name, content_type", [
    (docx(), "specs.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("Item;Qty\nRice 25kg;40\nCafé;2\n".encode(), "lines.csv", "text/csv"),
    (b"Deliver to berth 4.\n", "note.txt", "text/plain"),
])
def test_office_and_text_files_are_accepted(world, api_as, content, name, content_type):
    response = post(api_as(world["buyer"]), world["rfq"], content=content, name=name)
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == content_type


def test_oversize_is_refused(world, api_as, settings):
    settings.QUAYSIDE = {**settings.QUAYSIDE, "ATTACHMENT_MAX_UPLOAD_BYTES": 1024}
    error = assert_error(post(api_as(world["buyer"]), world["rfq"], content=PDF + b"%" * 2048), 400, "invalid")
    assert "limit" in error["fields"]["file"][0]
    assert not RFQAttachment.objects.exists()


def test_no_attachments_after_the_close(api_as, db):
    rfq = RFQFactory(status=RFQStatus.CLOSED, invited=[SupplierCompanyFactory()])
    assert_error(post(api_as(rfq.created_by), rfq), 409, "conflict")


# --- Quote attachments: sealed with the quote until the close -----------------------------

def quote_attachment(api, user, rfq_id, bid_id, content=PDF, name="certificate.pdf"):
    return api(user).post(f"/api/v1/rfqs/{rfq_id}/bids/{bid_id}/attachments/",
                          {"title": "Mill certificate", "file": SimpleUploadedFile(name, content)}, format="multipart")


def test_quote_attachments_are_sealed_until_the_close(demo, api):
    rfq_id = sealed_auction(demo)
    rice, flour = items(rfq_id)
    bid_id = created(quote(api, "supplier1", rfq_id, {rice: "10.00", flour: "8.00"}))["id"]
    own = created(quote_attachment(api, "supplier1", rfq_id, bid_id))
    listing = f"/api/v1/rfqs/{rfq_id}/bids/{bid_id}/attachments/"
    stored = QuoteAttachment.objects.get(pk=own["id"])
    with stored.file.open("rb") as handle:
        at_rest = handle.read()
    assert PDF not in at_rest and b"%PDF" not in at_rest
    event = AuditEvent.objects.filter(type="bid.attachment_added").get()
    assert "title" not in event.payload and "name" not in event.payload
    # Before the close: the supplier reads its own; the buyer, compliance, another supplier get 404.
    download = api("supplier1").get(own["download_url"])
    assert download.status_code == 200 and download.content == PDF
    assert [a["id"] for a in api("supplier1").get(listing).json()] == [own["id"]]
    for user in ("buyer", "compliance", "supplier2", "buyer2"):
        assert_error(api(user).get(listing), 404, "not_found")
        assert_error(api(user).get(own["download_url"]), 404, "not_found")
    assert_error(quote_attachment(api, "supplier2", rfq_id, bid_id), 404, "not_found")
    # A renamed executable is refused here too.
    assert_error(quote_attachment(api, "supplier1", rfq_id, bid_id, content=b"MZ" + b"\x00" * 300), 400, "invalid")
    # After the close the buyer reads it, decrypted; nobody attaches any more.
    move_deadline_into_past(rfq_id)
    assert transition(api, "buyer", rfq_id, "close").status_code == 200
    assert [a["id"] for a in api("buyer").get(listing).json()] == [own["id"]]
    download = api("buyer").get(own["download_url"])
    assert download.status_code == 200, download.content[:300]
    assert download.content == PDF and download["Content-Type"] == "application/pdf"
    assert_error(api("supplier2").get(own["download_url"]), 404, "not_found")
    assert_error(api("buyer2").get(own["download_url"]), 404, "not_found")
    assert_error(quote_attachment(api, "supplier1", rfq_id, bid_id), 409, "conflict")


def test_key_rotation_re_encrypts_quote_attachments(demo, api, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.QUAYSIDE_SEALING_KEYS = [old]
    rfq_id = sealed_auction(demo)
    bid_id = created(quote(api, "supplier1", rfq_id, dict.fromkeys(items(rfq_id), "10.00")))["id"]
    attachment = created(quote_attachment(api, "supplier1", rfq_id, bid_id))
    settings.QUAYSIDE_SEALING_KEYS = [new, old]
    call_command("rotate_sealing_keys", verbosity=0)
    settings.QUAYSIDE_SEALING_KEYS = [new]  # the old key is retired
    assert api("supplier1").get(attachment["download_url"]).content == PDF


# --- Pages -----------------------------------------------------------------------------------

def test_pages_list_attachments_and_the_buyer_uploads_by_form(demo, login):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    buyer = login("buyer")
    page = buyer.post(f"/rfqs/{rfq_id}/attachments/", {"title": "Stowage plan",
                                                        "file": SimpleUploadedFile("plan.pdf", PDF)}, follow=True)
    assert page.status_code == 200
    attachment = RFQAttachment.objects.get(rfq_id=rfq_id)
    link = f"/api/v1/rfqs/{rfq_id}/attachments/{attachment.pk}/"
    assert "Stowage plan" in page.content.decode() and link in page.content.decode()
    supplier_page = login("supplier1").get(f"/supplier/rfqs/{rfq_id}/")
    assert supplier_page.status_code == 200 and link in supplier_page.content.decode()
    assert b"".join(login("supplier1").get(link).streaming_content) == PDF  # the session is enough
    assert login("supplier3").get(link).status_code == 404
    refused = buyer.post(f"/rfqs/{rfq_id}/attachments/", {
        "title": "Totally a PDF", "file": SimpleUploadedFile("x.pdf", b"MZ" + b"\x00" * 300)}, follow=True)
    assert "content is checked" in refused.content.decode()
    assert RFQAttachment.objects.filter(rfq_id=rfq_id).count() == 1
    assert login("supplier1").post(f"/rfqs/{rfq_id}/attachments/", {
        "title": "x", "file": SimpleUploadedFile("x.pdf", PDF)}).status_code in (403, 404)


def test_a_failed_upload_leaves_no_file_behind(world, api_as, monkeypatch, settings):
    def broken(**kwargs):
        raise RuntimeError("audit down")
    monkeypatch.setattr("procurement.attachments.audit_append", broken)
    with pytest.raises(RuntimeError):
        post(api_as(world["buyer"]), world["rfq"])
    folder = settings.MEDIA_ROOT / "rfq-attachments"
    assert not RFQAttachment.objects.exists()
    assert not folder.exists() or not any(path.is_file() for path in folder.rglob("*"))


def test_the_supplier_page_attaches_files_to_the_standing_quote(demo, api, login):
    rfq_id = sealed_auction(demo)
    bid_id = created(quote(api, "supplier1", rfq_id, dict.fromkeys(items(rfq_id), "10.00")))["id"]
    supplier = login("supplier1")
    page = supplier.post(f"/supplier/rfqs/{rfq_id}/bids/{bid_id}/attachments/", {
        "title": "Mill certificate", "file": SimpleUploadedFile("mill.pdf", PDF)}, follow=True)
    assert page.status_code == 200
    attachment = QuoteAttachment.objects.get(bid_id=bid_id)
    link = f"/api/v1/rfqs/{rfq_id}/bids/{bid_id}/attachments/{attachment.pk}/"
    assert "Mill certificate" in page.content.decode() and link in page.content.decode()
    assert login("buyer").get(link).status_code == 404
    assert login("supplier2").post(f"/supplier/rfqs/{rfq_id}/bids/{bid_id}/attachments/", {
        "title": "x", "file": SimpleUploadedFile("x.pdf", PDF)}).status_code in (403, 404)
    assert QuoteAttachment.objects.count() == 1
