"""Protect an existing store with a passphrase, or lift the protection, in place.

Each record file is converted atomically, one at a time, under the store's write lock;
``keys.json`` records how far the conversion has come (``protecting``, ``protected``,
``unprotecting``) and whether the audit log's chain is keyed yet. A kill half-way leaves a
store that still opens (files not yet converted are read as they are), and running the
same command again finishes the job.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from bodymap.store import crypto
from bodymap.store.errors import StoreError
from bodymap.store.keys import (
    StoreKeys,
    change_passphrase,
    create_keys,
    is_protected,
    key_state,
    remove_keys,
    set_key_state,
    unlock,
)
from bodymap.store.store import Store

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called after each file."""


def record_files(store: Store) -> Iterator[Path]:
    """Every file of the store that holds client data (everything but the audit log,
    the keys file and the lock)."""
    layout = store.layout
    yield from layout.files("sessions")
    yield from layout.files("drafts")
    yield from layout.all_amendment_files()
    yield from layout.client_files()
    yield from layout.mesh_files()


def protect(
    root: Path, passphrase: str, cost: int | None = None, progress: Progress | None = None
) -> tuple[StoreKeys, str | None]:
    """Encrypt the store at ``root``; the keys and the recovery key (``None`` when an
    interrupted run is finished: its recovery key was shown the first time).

    Raises
    ------
    StoreError
        Already protected, or half-way through being unprotected.
    WrongPassphraseError
        Finishing an interrupted run with another passphrase.
    """
    recovery = None
    if is_protected(root):
        state = key_state(root)["state"]
        if state == "protected":
            raise StoreError(f"the store {root} is protected already")
        if state == "unprotecting":
            raise StoreError("the store is half-way through being unprotected: finish that")
        keys = unlock(root, passphrase)
    else:
        Store(root)  # resolves any change interrupted before (plain store)
        keys, recovery = create_keys(root, passphrase, cost)
    store = Store(root, keys)
    with store._writing():
        if not key_state(root)["audit_keyed"]:
            _rechain(store, keys.audit_key)
            set_key_state(root, audit_keyed=True)
        _convert(store, lambda path, raw: None if crypto.is_sealed(raw) else raw, progress)
        set_key_state(root, state="protected")
        store.backend.accept_plain = False
        store.audit.append("protect", None, None)
    return keys, recovery


def unprotect(
    root: Path,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    progress: Progress | None = None,
) -> None:
    """Decrypt the store at ``root`` in place, with its passphrase or recovery key."""
    if not is_protected(root):
        raise StoreError(f"the store {root} is not protected")
    keys = unlock(root, passphrase, recovery_key)
    set_key_state(root, state="unprotecting")
    store = Store(root, keys)
    with store._writing():

        def plain(path: Path, raw: bytes) -> bytes | None:
            if not crypto.is_sealed(raw):
                return None
            return crypto.unseal(raw, keys.data_key, store.backend.identity(path))

        _convert(store, plain, progress, seal=False)
        _rechain(store, None)
        set_key_state(root, audit_keyed=False)
        remove_keys(root)
    Store(root).log("unprotect", None, None)


def _convert(store: Store, content, progress: Progress | None, seal: bool = True) -> None:
    """Rewrite each record file whose ``content(path, raw)`` is not ``None``."""
    files = list(record_files(store))
    for done, path in enumerate(files, start=1):
        raw = store.backend.read_plain(path)
        data = content(path, raw)
        if data is not None:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            stored = store.backend.prepare(path, data) if seal else data
            store.backend.write_atomic(path, stored, mode=mode)
        if progress is not None:
            progress(done, len(files))


def _rechain(store: Store, key: bytes | None) -> None:
    """Rewrite the whole audit log chained under ``key`` (HMAC) or plain SHA-256."""
    if store.backend.exists(store.layout.audit):
        store.backend.write_atomic(store.layout.audit, store.audit.rekeyed_lines(key))
    store.audit.key = key


__all__ = ["change_passphrase", "protect", "record_files", "unprotect"]
