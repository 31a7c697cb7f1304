"""Signed bids (api.md "Signed bids"): what the client sends verifies with the library's own
verifier; a changed body, path or method does not."""
import base64
import json
import stat

import httpx
import pytest
from http_message_signatures import HTTPMessageVerifier, InvalidSignature, MappingKeyResolver, algorithms

from quayside_client import RequestSigner, generate_key, load_private_key, public_key_base64, save_private_key
from quayside_client.client import json_body
from quayside_client.signing import COVERED_COMPONENTS, fingerprint

URL = "https://quayside.example/api/v1/rfqs/42/bids/"


def signed_request(signer, body: bytes, url: str = URL) -> httpx.Request:
    request = httpx.Request("POST", url, content=body, headers={"Content-Type": "application/json",
                                                                "Idempotency-Key": "k1"})
    signer.sign(request, body)
    return request


def verifier(key, key_id="qk_test"):
    public = {key_id: key.public_key()}
    return HTTPMessageVerifier(signature_algorithm=algorithms.ED25519,
                               key_resolver=MappingKeyResolver(public_keys=public, private_keys={}))


@pytest.fixture
def key():
    return generate_key()


def test_a_signed_bid_verifies_and_covers_method_path_and_digest(key):
    body = json_body({"amount": "9500.00"})
    request = signed_request(RequestSigner(key, "qk_test"), body)
    [result] = verifier(key).verify(request, body=body, require_components=COVERED_COMPONENTS)
    assert result.label == "sig1" and result.body == body
    assert result.parameters["keyid"] == "qk_test" and result.parameters["alg"] == "ed25519"
    assert isinstance(result.parameters["created"], int) and len(str(result.nonce)) >= 16
    assert result.covered_components['"@path"'] == "/api/v1/rfqs/42/bids/"
    assert result.covered_components['"@method"'] == "POST"
    assert request.headers["Content-Digest"].startswith("sha-256=:")
    assert request.headers["Signature-Input"].startswith('sig1=("@method" "@path" "content-digest")')


def test_a_tampered_body_fails(key):
    body = json_body({"amount": "9500.00"})
    request = signed_request(RequestSigner(key, "qk_test"), body)
    with pytest.raises(InvalidSignature):
        verifier(key).verify(request, body=json_body({"amount": "1.00"}))


def test_another_path_or_method_or_key_fails(key):
    body = json_body({"amount": "9500.00"})
    request = signed_request(RequestSigner(key, "qk_test"), body)
    moved = httpx.Request("POST", URL.replace("/42/", "/43/"), content=body, headers=dict(request.headers))
    with pytest.raises(InvalidSignature):
        verifier(key).verify(moved, body=body)
    put = httpx.Request("PUT", URL, content=body, headers=dict(request.headers))
    with pytest.raises(InvalidSignature):
        verifier(key).verify(put, body=body)
    with pytest.raises(InvalidSignature):
        verifier(generate_key()).verify(request, body=body)


def test_each_signing_takes_a_fresh_nonce_and_replaces_the_old_headers(key):
    signer, body = RequestSigner(key, "qk_test"), json_body({"amount": "9500.00"})
    request = signed_request(signer, body)
    first = request.headers["Signature-Input"]
    signer.sign(request, body)  # a retry of the same bid
    assert request.headers["Signature-Input"] != first
    assert len(request.headers.get_list("Signature")) == 1
    assert verifier(key).verify(request, body=body)


def test_the_key_file_is_owner_only_and_loads_back(tmp_path, key):
    path = tmp_path / "keys" / "signing-key.pem"
    save_private_key(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_key_base64(load_private_key(path)) == public_key_base64(key)
    with pytest.raises(FileExistsError):
        save_private_key(generate_key(), path)  # never overwritten by accident


def test_the_public_key_is_base64_of_32_raw_bytes_and_raw_private_keys_load(tmp_path, key):
    assert len(base64.b64decode(public_key_base64(key))) == 32
    assert fingerprint(key).startswith("SHA256:")
    from cryptography.hazmat.primitives import serialization

    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    path = tmp_path / "raw.key"
    path.write_text(base64.b64encode(raw).decode() + "\n")
    assert public_key_base64(load_private_key(path)) == public_key_base64(key)


def test_json_body_is_compact_and_exactly_what_is_signed():
    assert json_body({"amount": "9500.00"}) == b'{"amount":"9500.00"}'
    assert json.loads(json_body({"a": "é"})) == {"a": "é"}
