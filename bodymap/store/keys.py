"""A protected store's keys: ``keys.json`` in the store folder, and unlocking it.

``keys.json`` holds no secret in the clear: the store's id, the scrypt salt and cost, and
the data key wrapped twice (by the passphrase, by the recovery key). Its presence is what
makes a store protected; every reader then needs the passphrase or the recovery key.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from bodymap.store import crypto
from bodymap.store.atomic import write_atomic
from bodymap.store.errors import StoreError

KEYS_FILE = "keys.json"
KEYS_FORMAT = "bodymap-keys"
KEYS_SCHEMA = 1
_failures = {"count": 0}
"""Failed unlocks in this process: each waits longer than the one before."""


@dataclass(frozen=True)
class StoreKeys:
    """The unlocked keys of a protected store."""

    store_id: str
    data_key: bytes

    @property
    def audit_key(self) -> bytes:
        return crypto.subkey(self.data_key, "audit")


def keys_path(root: Path) -> Path:
    return Path(root) / KEYS_FILE


def is_protected(root: Path) -> bool:
    return keys_path(root).is_file()


def _read(root: Path) -> dict:
    try:
        document = json.loads(keys_path(root).read_text(encoding="ascii"))
        if document.get("format") != KEYS_FORMAT:
            raise ValueError("not a BodyMap keys file")
        if int(document.get("schema_version", 0)) > KEYS_SCHEMA:
            raise ValueError("written by a newer BodyMap")
        return document
    except (OSError, ValueError, TypeError, AttributeError) as error:
        raise StoreError(f"the store's keys file cannot be read ({error})") from error


def _write(root: Path, document: dict) -> None:
    data = (json.dumps(document, indent=1, sort_keys=True) + "\n").encode("ascii")
    write_atomic(keys_path(root), data)


def create_keys(root: Path, passphrase: str, cost: int | None = None) -> tuple[StoreKeys, str]:
    """New keys for ``root`` (written to ``keys.json``): the keys and the recovery key.

    The recovery key is returned once and stored nowhere: show it to the practitioner.
    """
    check_passphrase(passphrase)
    keys = StoreKeys("st-" + secrets.token_hex(8), crypto.new_key())
    recovery = crypto.new_recovery_key()
    _write(root, _document(keys, passphrase, recovery, cost or crypto.tuned_cost()))
    return keys, recovery


def _document(keys: StoreKeys, passphrase: str, recovery: str | None, cost: int, old=None):
    salt = crypto.random_salt()
    kek = crypto.derive(passphrase, salt, cost)
    document = {
        "format": KEYS_FORMAT,
        "schema_version": KEYS_SCHEMA,
        "store_id": keys.store_id,
        "cipher": "AES-256-GCM",
        "kdf": {
            "name": "scrypt",
            "n": cost,
            "r": crypto.SCRYPT_R,
            "p": crypto.SCRYPT_P,
            "salt": crypto.b64(salt),
        },  # fmt: skip
        "by_passphrase": crypto.wrap(keys.data_key, kek, keys.store_id + "/passphrase"),
        "audit": "hmac-sha256",
        "state": (old or {}).get("state", "protecting"),
        "audit_keyed": (old or {}).get("audit_keyed", False),
    }
    if recovery is not None:
        wrapping = crypto.recovery_wrapping_key(recovery)
        document["by_recovery_key"] = crypto.wrap(
            keys.data_key, wrapping, keys.store_id + "/recovery"
        )
    elif old is not None:
        document["by_recovery_key"] = old["by_recovery_key"]
    return document


def unlock(root: Path, passphrase: str | None = None, recovery_key: str | None = None):
    """The store's keys, from its passphrase or its recovery key.

    Raises
    ------
    WrongPassphraseError
        Neither unlocks it; this process then waits longer after each repeated failure.
    """
    document = _read(root)
    store_id = str(document["store_id"])
    try:
        if recovery_key is not None:
            wrapping = crypto.recovery_wrapping_key(recovery_key)
            data_key = crypto.unwrap(document["by_recovery_key"], wrapping, store_id + "/recovery")
        else:
            kdf = document["kdf"]
            kek = crypto.derive(passphrase or "", crypto.unb64(kdf["salt"]), int(kdf["n"]))
            data_key = crypto.unwrap(document["by_passphrase"], kek, store_id + "/passphrase")
    except crypto.WrongPassphraseError:
        _failures["count"] += 1
        time.sleep(min(8.0, 0.25 * 2 ** (_failures["count"] - 1)))
        raise
    _failures["count"] = 0
    return StoreKeys(store_id, data_key)


def change_passphrase(root: Path, keys: StoreKeys, new_passphrase: str) -> None:
    """Re-wrap the data key under a new passphrase; no record file is touched."""
    check_passphrase(new_passphrase)
    old = _read(root)
    cost = int(old["kdf"]["n"])
    _write(root, _document(keys, new_passphrase, None, cost, old=old))


def key_state(root: Path) -> dict:
    """``{"state": "protecting" | "protected" | "unprotecting", "audit_keyed": bool}``."""
    document = _read(root)
    return {"state": str(document.get("state", "protected")),
            "audit_keyed": bool(document.get("audit_keyed", True))}  # fmt: skip


def set_key_state(root: Path, **state) -> None:
    """Record how far protecting or unprotecting the store has come."""
    document = _read(root)
    document.update(state)
    _write(root, document)


def remove_keys(root: Path) -> None:
    keys_path(root).unlink(missing_ok=True)


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < 8:
        raise StoreError("a passphrase needs at least 8 characters")


def read_passphrase_file(path: Path) -> str:
    """The passphrase in a file (its first line), for scripts and tests."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise StoreError(f"cannot read the passphrase file {path} ({error.strerror})") from None
    return text.splitlines()[0] if text else ""
