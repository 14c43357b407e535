"""Encryption at rest: AES-256-GCM envelopes, key derivation and key wrapping.

A protected store has one random 256-bit *data key*. Every file that holds client data is
sealed with it as an envelope::

    MAGIC (8 bytes) | nonce (12 bytes) | ciphertext | GCM tag (16 bytes)

with a fresh random nonce for every write, and the record's identity (the store's id and
the file's path inside the store, e.g. ``sessions/c-…/s-….h5``) as associated data: a file
swapped for another's, or moved, fails to open, and any changed byte fails the tag.

The data key never lies on disk in the clear: ``keys.json`` holds it wrapped (AES-GCM) by
a key derived from the passphrase with scrypt, and again by a key derived from the
recovery key (random, shown once). Changing the passphrase re-wraps the data key only.
A key for the audit log's HMAC chain is derived from the data key (HKDF).
"""

from __future__ import annotations

import base64
import os
import secrets
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from bodymap.store.errors import StoreError

MAGIC = b"BMSEAL1\n"
NONCE_BYTES = 12
KEY_BYTES = 32
OVERHEAD = len(MAGIC) + NONCE_BYTES + 16
"""Bytes an envelope adds to its content."""
SCRYPT_R, SCRYPT_P = 8, 1
TARGET_SECONDS = 0.3
"""The passphrase's key derivation is tuned, when a store is protected, to about this."""


class WrongPassphraseError(StoreError):
    """The passphrase (or recovery key) does not unlock this store."""


class SealedFileError(StoreError):
    """An encrypted file does not open: changed, damaged, moved, or another store's."""


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def is_sealed(data: bytes) -> bool:
    return data[: len(MAGIC)] == MAGIC


def seal(data: bytes, key: bytes, identity: str) -> bytes:
    """``data`` encrypted and authenticated under ``key``, bound to ``identity``."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, bytes(data), identity.encode("utf-8"))


def unseal(blob: bytes, key: bytes, identity: str) -> bytes:
    """The plaintext of an envelope made by :func:`seal` for ``identity``.

    Raises
    ------
    SealedFileError
        Not an envelope, or changed, damaged, or sealed for another file or store.
    """
    if not is_sealed(blob) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
        raise SealedFileError("not an encrypted BodyMap file")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], identity.encode())
    except InvalidTag:
        raise SealedFileError(
            "it does not decrypt: changed, damaged, or another record's file put in its place"
        ) from None


def derive(passphrase: str, salt: bytes, n: int) -> bytes:
    """A 256-bit key from a passphrase (scrypt, cost ``n``)."""
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=SCRYPT_R, p=SCRYPT_P).derive(
        passphrase.encode("utf-8")
    )


def tuned_cost(target: float = TARGET_SECONDS, floor: int = 2**14, ceiling: int = 2**18) -> int:
    """The scrypt cost ``n`` that takes about ``target`` seconds on this machine."""
    n = floor
    while n < ceiling:
        started = time.perf_counter()
        derive("calibration", b"\0" * 16, n)
        if time.perf_counter() - started >= target / 2:
            break
        n *= 2
    return n


def subkey(key: bytes, purpose: str) -> bytes:
    """A key for one purpose (``"audit"``) derived from the data key (HKDF-SHA256)."""
    return HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=purpose.encode()).derive(key)


def wrap(data_key: bytes, wrapping_key: bytes, label: str) -> str:
    """The data key encrypted under ``wrapping_key``, as base64 text."""
    return b64(seal(data_key, wrapping_key, f"bodymap key wrap: {label}"))


def unwrap(wrapped: str, wrapping_key: bytes, label: str) -> bytes:
    try:
        return unseal(unb64(wrapped), wrapping_key, f"bodymap key wrap: {label}")
    except (SealedFileError, ValueError):
        raise WrongPassphraseError("that passphrase does not unlock this store") from None


def new_recovery_key() -> str:
    """A random recovery key, printable: eight groups of five letters and digits."""
    text = base64.b32encode(secrets.token_bytes(25)).decode("ascii")
    return "-".join(text[i : i + 5] for i in range(0, 40, 5))


def recovery_wrapping_key(recovery_key: str) -> bytes:
    """The wrapping key of a recovery key (high entropy already: HKDF, no slow KDF)."""
    cleaned = recovery_key.replace("-", "").replace(" ", "").upper()
    try:
        raw = base64.b32decode(cleaned)
    except ValueError:
        raise WrongPassphraseError("that is not a BodyMap recovery key") from None
    return subkey(raw, "recovery")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def random_salt() -> bytes:
    return os.urandom(16)
