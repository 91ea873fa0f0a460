"""Open Badges 3.0 credentials: the certificate as a W3C Verifiable Credential 2.0.

A certificate is also an ``OpenBadgeCredential`` (an ``AchievementSubject`` holding the
programme as an ``Achievement``), secured with a Data Integrity proof of the
``eddsa-rdfc-2022`` cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0 §3.3):

1. the proof options (``@context`` of the document, no ``proofValue``) and the document (no
   ``proof``) are each canonicalised with RDFC-1.0 (pyld's URDNA2015 is that algorithm);
2. the hash data is SHA-256(canonical proof options) ‖ SHA-256(canonical document);
3. it is signed with Ed25519, and ``proofValue`` is the signature in multibase base58btc.

The key is the programme's Ed25519 key (lms/certificates/signing.py), named by a ``did:key``
so that anyone can check a credential without asking this product anything.

Revocation is a Bitstring Status List (W3C VC Bitstring Status List v1.0): a signed
credential per block of ``STATUS_LIST_SIZE`` certificates whose bit ``i`` is 1 when the
certificate at index ``i`` is revoked.

The JSON-LD contexts are shipped in ``contexts/``; the document loader serves only them and
refuses any other URL, so canonicalising never touches the network.

This module knows nothing of Flask or the database: it turns plain values into documents
and checks documents; lms/certificates/services.py feeds it certificates.
"""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld
from pyld.context_resolver import ContextResolver

CONTEXTS_DIR = Path(__file__).with_name("contexts")

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

#: the URLs the document loader answers, each from a file shipped in contexts/
SHIPPED_CONTEXTS = {
    CREDENTIALS_V2: CONTEXTS_DIR / "credentials-v2.jsonld",
    OPEN_BADGES_V3: CONTEXTS_DIR / "ob-v3p0-context-3.0.3.jsonld",
}

CRYPTOSUITE = "eddsa-rdfc-2022"
#: the bits in one status list: the specification's minimum (16 KiB uncompressed), which
#: also hides which certificates a list holds among many unused positions
STATUS_LIST_SIZE = 131_072

#: multicodec prefixes (varint) of an Ed25519 public and private key in a Multikey
_ED25519_PUB = b"\xed\x01"
_ED25519_PRIV = b"\x80\x26"


class BadCredential(ValueError):
    """The file is not a credential this code can check, or its proof does not hold."""


# ---------------------------------------------------------------- encodings

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


def b58encode(data: bytes) -> str:
    """Base58 in the Bitcoin alphabet, as multibase's base58btc uses it."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError(f"not base58btc: {char!r}")
        number = number * 58 + _B58_INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_b58(data: bytes) -> str:
    return "z" + b58encode(data)


def from_multibase_b58(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("expected multibase base58btc ('z…')")
    return b58decode(text[1:])


def public_multikey(key: Ed25519PublicKey) -> str:
    """The public key as a Multikey ``publicKeyMultibase`` (``z6Mk…``)."""
    return multibase_b58(_ED25519_PUB + key.public_bytes_raw())


def public_key_from_multikey(text: str) -> Ed25519PublicKey:
    data = from_multibase_b58(text)
    if not data.startswith(_ED25519_PUB) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def private_key_from_multikey(text: str) -> Ed25519PrivateKey:
    """A ``privateKeyMultibase`` (``z3u2…``), as the specification's test vectors give it."""
    data = from_multibase_b58(text)
    if not data.startswith(_ED25519_PRIV) or len(data) != 34:
        raise ValueError("not an Ed25519 private Multikey")
    return Ed25519PrivateKey.from_private_bytes(data[2:])


def did_key(key: Ed25519PublicKey) -> str:
    return "did:key:" + public_multikey(key)


def verification_method(key: Ed25519PublicKey) -> str:
    """The did:key URL of the key itself (``did:key:z6Mk…#z6Mk…``)."""
    multikey = public_multikey(key)
    return f"did:key:{multikey}#{multikey}"


def key_of_verification_method(url: str) -> tuple[str, Ed25519PublicKey]:
    """The controller (the DID) and the public key a did:key verification method names."""
    match = re.fullmatch(r"(did:key:(z6Mk[1-9A-HJ-NP-Za-km-z]+))#(z6Mk[1-9A-HJ-NP-Za-km-z]+)", url)
    if not match or match.group(2) != match.group(3):
        raise BadCredential(f"unsupported verification method {url!r} (expected a did:key)")
    try:
        return match.group(1), public_key_from_multikey(match.group(2))
    except ValueError as error:
        raise BadCredential(str(error)) from error


def private_key_from_pem(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


# ---------------------------------------------------------------- JSON-LD, offline


@cache
def _shipped(url: str) -> dict[str, Any]:
    return json.loads(SHIPPED_CONTEXTS[url].read_text(encoding="utf-8"))


def make_loader(extra: dict[str, dict[str, Any]] | None = None) -> Callable:
    """A pyld document loader that answers the shipped contexts (and ``extra``, for tests)
    and refuses every other URL: canonicalising never reaches the network."""
    extra = dict(extra or {})

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url in extra:
            document = copy.deepcopy(extra[url])
        elif url in SHIPPED_CONTEXTS:
            document = copy.deepcopy(_shipped(url))
        else:
            raise jsonld.JsonLdError(
                f"the context {url} is not shipped with this product; it is not fetched",
                "jsonld.LoadDocumentError",
                {"url": url},
                code="loading document failed",
            )
        return {"contextUrl": None, "documentUrl": url, "document": document}

    #: resolved contexts, kept per loader: pyld's own cache is shared by the whole process
    #: and would answer a URL this loader never served
    load.resolved = {}
    return load


_OFFLINE = make_loader()


def _options(loader: Callable | None) -> dict[str, Any]:
    loader = loader or _OFFLINE
    return {
        "documentLoader": loader,
        "contextResolver": ContextResolver(loader.resolved, loader),
    }


def canonical(document: dict[str, Any], loader: Callable | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    try:
        return jsonld.normalize(
            copy.deepcopy(document),
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                **_options(loader),
            },
        )
    except jsonld.JsonLdError as error:
        raise BadCredential(_json_ld_problem(error)) from error


def _shape(value: Any) -> Any:
    """A value with every property turned into a sorted list of its values, so that JSON-LD's
    "one value or an array of them" reads the same both ways."""
    if isinstance(value, dict):
        shaped = {}
        for key, item in value.items():
            items = item if isinstance(item, list) else [item]
            shaped[key] = (
                items  # the order of contexts matters
                if key == "@context"
                else sorted(
                    json.dumps(_shape(v), sort_keys=True, ensure_ascii=False) for v in items
                )
            )
        return shaped
    return value


def _keys(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, list):
        return set().union(*(_keys(v, prefix) for v in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    found = set()
    for key, item in value.items():
        if key != "@context":
            found |= {prefix + key} | _keys(item, prefix + key + ".")
    return found


def check_terms(document: dict[str, Any], loader: Callable | None = None) -> None:
    """Refuse a document with a property its contexts do not define. Canonicalisation drops
    such a property silently, so a proof would hold while the file shows words nobody
    signed; expanding and compacting again must give the document back unchanged."""
    try:
        expanded = jsonld.expand(copy.deepcopy(document), _options(loader))
        again = jsonld.compact(expanded, {"@context": document["@context"]}, _options(loader))
    except jsonld.JsonLdError as error:
        raise BadCredential(_json_ld_problem(error)) from error
    if _shape(again) != _shape(document):
        unknown = sorted(_keys(document) - _keys(again)) or ["(a value)"]
        raise BadCredential("properties no context defines: " + ", ".join(unknown))


def _json_ld_problem(error: jsonld.JsonLdError) -> str:
    """The first cause of a pyld error (its own message is only "could not convert")."""
    cause: BaseException = error
    while isinstance(cause.__cause__, jsonld.JsonLdError):
        cause = cause.__cause__
    return f"JSON-LD: {cause.args[0] if cause.args else cause}"


# ---------------------------------------------------------------- Data Integrity


@dataclass(frozen=True)
class ProofHashes:
    """The intermediate values of eddsa-rdfc-2022, as its test vectors list them."""

    canonical_proof_config: str
    canonical_document: str
    proof_hash: bytes
    document_hash: bytes

    @property
    def hash_data(self) -> bytes:
        return self.proof_hash + self.document_hash


def proof_hashes(
    unsecured: dict[str, Any], proof_config: dict[str, Any], loader: Callable | None = None
) -> ProofHashes:
    """Transformation and hashing of eddsa-rdfc-2022 (§3.3.2–3.3.5)."""
    options = {k: v for k, v in proof_config.items() if k != "proofValue"}
    options["@context"] = unsecured["@context"]
    canonical_options = canonical(options, loader)
    canonical_document = canonical({k: v for k, v in unsecured.items() if k != "proof"}, loader)
    return ProofHashes(
        canonical_options,
        canonical_document,
        hashlib.sha256(canonical_options.encode()).digest(),
        hashlib.sha256(canonical_document.encode()).digest(),
    )


def xsd_datetime(moment: datetime) -> str:
    """``2026-12-01T12:00:00Z``: UTC, whole seconds."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def sign_document(
    unsecured: dict[str, Any],
    key: Ed25519PrivateKey,
    created: datetime,
    loader: Callable | None = None,
) -> dict[str, Any]:
    """The document with a DataIntegrityProof (eddsa-rdfc-2022) made with ``key``."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method(key.public_key()),
        "proofPurpose": "assertionMethod",
    }
    hashes = proof_hashes(unsecured, proof, loader)
    proof["proofValue"] = multibase_b58(key.sign(hashes.hash_data))
    return {**unsecured, "proof": proof}


@dataclass(frozen=True)
class CheckedProof:
    #: the DID of the key that signed (the controller of the verification method)
    signer: str
    created: str


def verify_document(secured: dict[str, Any], loader: Callable | None = None) -> CheckedProof:
    """Check a document's single eddsa-rdfc-2022 proof (§3.3.1 "Verify Proof"); BadCredential
    for anything else. It says who signed; whether that signer is trusted is the caller's."""
    if not isinstance(secured, dict) or "@context" not in secured:
        raise BadCredential("not a JSON-LD document")
    proof = secured.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise BadCredential("no proof (or more than one)")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise BadCredential(f"the proof is not a DataIntegrityProof of {CRYPTOSUITE}")
    if proof.get("proofPurpose") != "assertionMethod":
        raise BadCredential("the proof's purpose is not assertionMethod")
    if "@context" in proof and proof["@context"] != secured["@context"]:
        raise BadCredential("the proof's @context differs from the document's")
    signer, public_key = key_of_verification_method(str(proof.get("verificationMethod", "")))
    try:
        signature = from_multibase_b58(str(proof.get("proofValue", "")))
    except ValueError as error:
        raise BadCredential(f"proofValue: {error}") from error
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    check_terms(secured, loader)
    hashes = proof_hashes(unsecured, proof, loader)
    try:
        public_key.verify(signature, hashes.hash_data)
    except InvalidSignature as error:
        raise BadCredential(
            "the signature does not match: the file was altered or signed otherwise"
        ) from error
    return CheckedProof(signer, str(proof.get("created", "")))


# ---------------------------------------------------------------- the badge


def identity_hash(value: str, salt: str) -> str:
    """An Open Badges IdentityHash: ``sha256$`` and the hex SHA-256 of value + salt."""
    return "sha256$" + hashlib.sha256((value + salt).encode()).hexdigest()


@dataclass(frozen=True)
class BadgeFacts:
    """What a certificate says, in the plain values the credential is built from."""

    credential_id: str
    serial: str
    issuer_name: str
    issued_at: datetime
    achievement_id: str
    achievement_name: str
    achievement_description: str
    criteria: str
    #: the head of household's name as certified (NFC): hashed, never written out
    holder_name: str
    salt: str
    status_list_url: str
    status_list_index: int


def open_badge(facts: BadgeFacts, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed OpenBadgeCredential of a certificate."""
    issuer = did_key(key.public_key())
    profile = {"id": issuer, "type": ["Profile"], "name": facts.issuer_name}
    document = {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.achievement_name,
        "issuer": profile,
        "validFrom": xsd_datetime(facts.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": True,
                    "identityHash": identity_hash(facts.holder_name, facts.salt),
                    "salt": facts.salt,
                }
            ],
            "achievement": {
                "id": facts.achievement_id,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": facts.achievement_name,
                "description": facts.achievement_description,
                "criteria": {"narrative": facts.criteria},
                "creator": profile,
                "humanCode": facts.serial,
            },
        },
        "credentialStatus": {
            "id": f"{facts.status_list_url}#{facts.status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_list_index),
            "statusListCredential": facts.status_list_url,
        },
    }
    return sign_document(document, key, facts.issued_at)


# ---------------------------------------------------------------- status lists


def status_position(certificate_id: int) -> tuple[int, int]:
    """(list number, index in it) of a certificate: its id, in blocks of STATUS_LIST_SIZE."""
    return divmod(certificate_id, STATUS_LIST_SIZE)


def encode_bits(set_indexes: Iterable[int], size: int = STATUS_LIST_SIZE) -> str:
    """``encodedList``: the GZIP-compressed bitstring, multibase base64url without padding;
    index 0 is the left-most (most significant) bit of the first byte."""
    bits = bytearray(size // 8)
    for index in set_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def bit_at(encoded_list: str, index: int) -> bool:
    if not encoded_list.startswith("u"):
        raise BadCredential("encodedList is not multibase base64url ('u…')")
    try:
        raw = encoded_list[1:]
        bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, OSError) as error:
        raise BadCredential(f"encodedList: {error}") from error
    if not 0 <= index < len(bits) * 8:
        raise BadCredential("the status list index lies outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    url: str, revoked_indexes: Iterable[int], key: Ed25519PrivateKey, now: datetime
) -> dict[str, Any]:
    """The signed BitstringStatusListCredential published at ``url``."""
    document = {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did_key(key.public_key()),
        "validFrom": xsd_datetime(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits(revoked_indexes),
        },
    }
    return sign_document(document, key, now)


# ---------------------------------------------------------------- checking a badge


@dataclass(frozen=True)
class BadgeCheck:
    """What ``verify_badge`` found; ``revoked`` is None when no status list was given."""

    serial: str
    name: str
    issuer: str
    issuer_name: str
    valid_from: str
    signer: str
    status_list_url: str
    status_list_index: int
    revoked: bool | None
    trusted: bool


def issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    return str(issuer.get("id", "")) if isinstance(issuer, dict) else str(issuer or "")


def verify_badge(
    credential: dict[str, Any],
    trusted_key: Ed25519PublicKey | None,
    status_list: dict[str, Any] | None = None,
) -> BadgeCheck:
    """Check an OpenBadgeCredential offline: its proof, that its issuer is the key that
    signed it (and, given ``trusted_key``, that this is the programme's key), and, given the
    status list credential it points to, whether it is revoked."""
    types = credential.get("type") if isinstance(credential, dict) else None
    if not isinstance(types, list) or "OpenBadgeCredential" not in types:
        raise BadCredential("not an OpenBadgeCredential")
    checked = verify_document(credential)
    if checked.signer != issuer_id(credential):
        raise BadCredential("the issuer is not the key that signed the credential")
    trusted = trusted_key is not None and checked.signer == did_key(trusted_key)
    status = credential.get("credentialStatus") or {}
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    try:
        index = int(status.get("statusListIndex", ""))
    except ValueError as error:
        raise BadCredential("the credential has no status list index") from error
    revoked = None
    if status_list is not None:
        if status_list.get("id") != status.get("statusListCredential"):
            raise BadCredential("this status list is not the one the credential names")
        list_proof = verify_document(status_list)
        if list_proof.signer != checked.signer or issuer_id(status_list) != checked.signer:
            raise BadCredential("the status list was not signed by the credential's issuer")
        list_subject = status_list.get("credentialSubject") or {}
        if list_subject.get("statusPurpose") != "revocation":
            raise BadCredential("the status list is not a revocation list")
        revoked = bit_at(str(list_subject.get("encodedList", "")), index)
    issuer = credential.get("issuer")
    return BadgeCheck(
        serial=str(achievement.get("humanCode", "")),
        name=str(credential.get("name", "")),
        issuer=checked.signer,
        issuer_name=str(issuer.get("name", "")) if isinstance(issuer, dict) else "",
        valid_from=str(credential.get("validFrom", "")),
        signer=checked.signer,
        status_list_url=str(status.get("statusListCredential", "")),
        status_list_index=index,
        revoked=revoked,
        trusted=trusted,
    )
