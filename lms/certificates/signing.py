"""Signed verification tokens: what a certificate's QR code carries.

A token is ``<payload>.<signature>`` in base64url: the payload is the serial, the issue date
and a short hash of the holder's name; the signature is Ed25519. Anyone holding the public
key can check a token offline; only the programme's private key can make one.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class BadToken(ValueError):
    """The token is damaged, altered, or signed with another key."""


@dataclass(frozen=True)
class TokenClaims:
    serial: str
    issued_on: date
    #: the first 12 hex digits of SHA-256 over the holder's name (NFC)
    name_hash: str


def name_hash(name: str) -> str:
    return hashlib.sha256(unicodedata.normalize("NFC", name).encode()).hexdigest()[:12]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: Ed25519PrivateKey, serial: str, issued_on: date, holder_name: str) -> str:
    payload = f"{serial}|{issued_on:%Y%m%d}|{name_hash(holder_name)}".encode()
    return f"{_b64(payload)}.{_b64(key.sign(payload))}"


def verify(public_key: Ed25519PublicKey, token: str) -> TokenClaims:
    """The claims of a genuine token; BadToken for anything else."""
    try:
        payload_part, signature_part = token.strip().split(".")
        payload, signature = _unb64(payload_part), _unb64(signature_part)
        public_key.verify(signature, payload)
        serial, day, hashed = payload.decode().split("|")
        return TokenClaims(serial, date(int(day[:4]), int(day[4:6]), int(day[6:])), hashed)
    except (ValueError, InvalidSignature, UnicodeDecodeError) as error:
        raise BadToken(str(error) or type(error).__name__) from error


def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    """The programme's signing key, generated into the instance folder on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} is not an Ed25519 private key")
    return key


def public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise BadToken("not an Ed25519 public key")
    return key
