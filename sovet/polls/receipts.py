"""Receipt codes of secret ballots: how a voter finds their own ballot and nobody else can.

The construction is written down in RECEIPTS.md; in short, for a vote of a mandate in a poll:

    code   = base32(HMAC-SHA256(receipt_key, "sovet-receipt:{poll}:{mandate}")[:20]), in groups
    digest = SHA-256("sovet-receipt-digest:{CODE}:{i}")   for the mandate's i-th vote, i = 1..votes

The server stores and publishes only digests; a voter recomputes them from the code.
"""

import base64
import hashlib
import hmac
import secrets
from functools import cache
from pathlib import Path

from django.conf import settings

from sovet.keyfiles import read_or_create

GROUP = 4


@cache
def _key(path: Path) -> bytes:
    return read_or_create(path, lambda: secrets.token_bytes(32))


def receipt_code(poll_id: int, mandate_id: int) -> str:
    """Return the receipt code of a mandate's ballot in a poll: the same on every request."""
    message = f"sovet-receipt:{poll_id}:{mandate_id}".encode()
    mac = hmac.new(_key(Path(settings.SOVET_RECEIPT_KEY)), message, hashlib.sha256).digest()
    text = base64.b32encode(mac[:20]).decode()
    return "-".join(text[start : start + GROUP] for start in range(0, len(text), GROUP))


def normalize(code: str) -> str:
    """Return the code as the digest reads it: upper case, without spaces and dashes."""
    return "".join(code.split()).replace("-", "").upper()


def receipt_digests(code: str, votes: int) -> list[str]:
    """Return the digests (hex) under which the ballots of a receipt are published."""
    plain = normalize(code)
    return [
        hashlib.sha256(f"sovet-receipt-digest:{plain}:{vote}".encode()).hexdigest()
        for vote in range(1, votes + 1)
    ]
