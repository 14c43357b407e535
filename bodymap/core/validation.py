"""Rules for text and keys as they come in, so that every record can be stored as given.

HDF5 attribute strings and object names cannot hold a NUL character, a layer's name is an
HDF5 path component, and nothing a person types needs control characters other than line
breaks and tabs. Checking at the door gives a clear message where the text was typed,
instead of a file that its own reader rejects.
"""

from __future__ import annotations

import re

LAYER_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
"""Tag and layer keys: a lower-case identifier (also an HDF5 name and a file-safe word)."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_NAME = 200
"""Names (practitioner, client, tag): at most this many characters."""


def check_key(key: str, what: str = "tag key") -> str:
    """``key`` if it is a lower-case identifier, else ValueError with a one-line reason."""
    if not isinstance(key, str) or not LAYER_KEY.fullmatch(key):
        raise ValueError(f"{what} {str(key)[:60]!r} is not a lower-case identifier (a-z, 0-9, _)")
    return key


def check_text(text: str, what: str, max_length: int = MAX_NAME) -> str:
    """``text`` if it holds no control characters and is not too long, else ValueError."""
    if not isinstance(text, str):
        raise ValueError(f"{what} must be text")
    if CONTROL.search(text):
        raise ValueError(f"{what} contains a control character (such as NUL): remove it")
    if len(text) > max_length:
        raise ValueError(f"{what} is longer than {max_length:,} characters")
    return text
