"""The passphrase in the OS keychain (``keyring``), only when the practitioner asks for it.

Keychains fail in many ways (no backend, a locked or absent Secret Service, D-Bus errors):
every failure means "nothing remembered" and never stops the app. Entries are named by an
opaque hash of the store's folder, never by anything a client could be recognised by.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bodymap.ui.settings import store_token

SERVICE = "BodyMap"
_log = logging.getLogger(__name__)


def _keyring():
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # noqa: BLE001 - an absent or broken keyring is "no keychain"
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001
        return None
    return None if isinstance(backend, fail.Keyring) else keyring


def available() -> bool:
    """Whether a working keychain backend is present (so "Remember" can be offered)."""
    return _keyring() is not None


def remembered(root: Path) -> str | None:
    """The passphrase kept for the store at ``root``, or ``None``."""
    ring = _keyring()
    if ring is None:
        return None
    try:
        return ring.get_password(SERVICE, store_token(root))
    except Exception as error:  # noqa: BLE001 - any backend failure: nothing remembered
        _log.info("keychain read failed: %s", type(error).__name__)
        return None


def remember(root: Path, passphrase: str) -> bool:
    """Keep the passphrase for ``root`` in the keychain; whether it was kept."""
    ring = _keyring()
    if ring is None:
        return False
    try:
        ring.set_password(SERVICE, store_token(root), passphrase)
    except Exception as error:  # noqa: BLE001
        _log.info("keychain write failed: %s", type(error).__name__)
        return False
    return True


def forget(root: Path) -> None:
    """Remove any passphrase kept for ``root`` (nothing happens when there is none)."""
    ring = _keyring()
    if ring is None:
        return
    try:
        ring.delete_password(SERVICE, store_token(root))
    except Exception:  # noqa: BLE001 - absent entry or failing backend: nothing to forget
        return
