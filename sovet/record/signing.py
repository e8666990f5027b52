"""The installation's Ed25519 key, which signs tree heads.

The key lives in a file outside the database (settings.SOVET_SIGNING_KEY, by default
var/signing-key.pem), so that whoever can only read or edit the database cannot sign a tree head
for a history they rewrote. It is created on first use, readable by its owner only.

What is signed, so that any Ed25519 implementation can check a head: the UTF-8 bytes of the
canonical JSON object {"organization": slug, "reason": why, "root_hash": hex, "timestamp": ms,
"tree_size": n} (sorted keys, no whitespace; timestamp in milliseconds since 1970-01-01 UTC, as
RFC 6962 does; reason one of "requested", "session closed", "poll closed", "exported",
"imported").
"""

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from sovet import canonical
from sovet.keyfiles import read_or_create

SIGNED = ("reason", "root_hash", "timestamp", "tree_size")


class SignatureError(ValueError):
    """A tree head whose signature does not check out."""


def head_message(organization: str, head: Mapping[str, Any]) -> bytes:
    """Return the bytes a tree head's signature covers."""
    fields = {name: head[name] for name in SIGNED}
    return canonical.dumps({"organization": organization, **fields}).encode()


def verify_head(organization: str, head: Mapping[str, Any]) -> None:
    """Raise SignatureError unless the head's signature covers its fields."""
    verify(head["public_key"], head_message(organization, head), head["signature"])


def _new_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@cache
def _private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(read_or_create(path, _new_pem), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} holds a {type(key).__name__}, not an Ed25519 private key")
    return key


def private_key() -> Ed25519PrivateKey:
    """Return the installation's signing key, creating it on first use."""
    return _private_key(Path(settings.SOVET_SIGNING_KEY))


def public_key_hex() -> str:
    """Return the installation's public key as 64 lowercase hex digits (raw Ed25519 bytes)."""
    raw = (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return raw.hex()


def sign(message: bytes) -> str:
    """Sign with the installation's key; return the 64-byte signature as hex."""
    return private_key().sign(message).hex()


def verify(public_key: str, message: bytes, signature: str) -> None:
    """Raise SignatureError unless `signature` (hex) signs `message` under `public_key` (hex)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
        key.verify(bytes.fromhex(signature), message)
    except (ValueError, InvalidSignature) as error:
        reason = str(error) or "the signature does not match"
        raise SignatureError(reason) from None
