"""The eddsa-rdfc-2022 code against the specification's published test vectors
(W3C Data Integrity EdDSA Cryptosuites v1.0; files and their source in vectors/SOURCE.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lms.certificates import credentials

VECTORS = Path(__file__).with_name("vectors")
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def _text(name: str) -> str:
    return (VECTORS / name).read_text(encoding="utf-8")


def _json(name: str) -> dict:
    return json.loads(_text(name))


@pytest.fixture
def loader():
    # the vector's second context is an example one: the tests ship it, the product does not
    return credentials.make_loader({EXAMPLES_V2: _json("credentials-examples-v2.jsonld")})


@pytest.fixture
def key():
    return credentials.private_key_from_multikey(_json("keyPair.json")["privateKeyMultibase"])


def test_the_vector_key_pair_reads_as_its_multikeys(key):
    public = credentials.public_multikey(key.public_key())
    assert public == _json("keyPair.json")["publicKeyMultibase"]
    method = _json("proofConfigDataInt.json")["verificationMethod"]
    assert credentials.verification_method(key.public_key()) == method


def test_canonical_forms_and_hashes_are_the_vectors(loader):
    hashes = credentials.proof_hashes(
        _json("unsigned.json"), _json("proofConfigDataInt.json"), loader
    )
    assert hashes.canonical_document == _text("canonDocDataInt.txt")
    assert hashes.canonical_proof_config == _text("proofCanonDataInt.txt")
    assert hashes.document_hash.hex() == _text("docHashDataInt.txt").strip()
    assert hashes.proof_hash.hex() == _text("proofHashDataInt.txt").strip()
    assert hashes.hash_data.hex() == _text("combinedHashDataInt.txt").strip()


def test_signing_the_vector_gives_its_signature_and_signed_document(key, loader):
    unsigned, config = _json("unsigned.json"), _json("proofConfigDataInt.json")
    hashes = credentials.proof_hashes(unsigned, config, loader)
    signature = key.sign(hashes.hash_data)
    assert signature.hex() == _text("sigHexDataInt.txt").strip()
    assert credentials.multibase_b58(signature) == _text("sigBTC58DataInt.txt").strip()

    created = credentials.datetime.fromisoformat(config["created"].replace("Z", "+00:00"))
    signed = credentials.sign_document(unsigned, key, created, loader)
    assert signed == _json("signedDataInt.json")


def test_the_signed_vector_verifies_and_an_altered_one_does_not(loader):
    signed = _json("signedDataInt.json")
    checked = credentials.verify_document(signed, loader)
    assert checked.signer == "did:key:" + _json("keyPair.json")["publicKeyMultibase"]

    signed["credentialSubject"]["alumniOf"] = "Another School"
    with pytest.raises(credentials.BadCredential, match="signature does not match"):
        credentials.verify_document(signed, loader)


def test_base58btc_round_trips_leading_zeros():
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(256))):
        assert credentials.b58decode(credentials.b58encode(data)) == data
    assert credentials.b58encode(b"hello world") == "StV1DL6CwTryKyV"


def test_the_loader_refuses_a_context_that_is_not_shipped():
    document = {"@context": ["https://example.org/context.jsonld"], "name": "x"}
    with pytest.raises(credentials.BadCredential, match="not shipped"):
        credentials.canonical(document)


def test_a_context_another_loader_served_is_not_served_by_the_products(loader):
    unsigned = _json("unsigned.json")
    assert credentials.canonical(unsigned, loader) == _text("canonDocDataInt.txt")
    # pyld caches resolved contexts process-wide; the product's loader must not use that
    with pytest.raises(credentials.BadCredential, match="not shipped"):
        credentials.canonical(unsigned)
