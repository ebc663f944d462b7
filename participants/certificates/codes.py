"""Verification codes: random, unguessable, easy to type.

A code is 16 characters of base32 (A-Z, 2-7): 80 random bits from ``secrets``, so there are
about 10^24 possible codes for a few hundred certificates; trying codes at random finds nothing.
People may type it in lower case, with spaces or dashes, or with 0/1/8 for O/I/B.
"""

import base64
import re
import secrets

CODE_BYTES = 10  # 80 bits -> exactly 16 base32 characters, no padding
CODE_LENGTH = 16
_CODE = re.compile(r"^[A-Z2-7]{16}$")
# Characters base32 does not use, read as the letter they look like.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_verification_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def normalise_code(text: str) -> str | None:
    """The code as stored, or None when ``text`` cannot be a code at all."""
    cleaned = re.sub(r"[\s\-_.]", "", text or "").upper().translate(_LOOKALIKES)
    return cleaned if _CODE.match(cleaned) else None
