"""Opening a store as a person or a script does: unlocked with its passphrase when protected.

The passphrase comes from a file named by the caller (``--passphrase-file FILE``), else from
the file named by the ``BODYMAP_PASSPHRASE_FILE`` environment variable (scripts, tests),
else it is asked at the terminal. It is never kept.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from bodymap.store.errors import NotFoundError, StoreError
from bodymap.store.keys import is_protected, read_passphrase_file, unlock
from bodymap.store.location import store_location
from bodymap.store.store import Store

PASSPHRASE_ENV = "BODYMAP_PASSPHRASE_FILE"


def passphrase_file(given: Path | None = None) -> Path | None:
    """The passphrase file given, or the one ``$BODYMAP_PASSPHRASE_FILE`` names."""
    if given is not None:
        return Path(given)
    named = os.environ.get(PASSPHRASE_ENV)
    return Path(named) if named else None


def passphrase_from(file: Path | None, prompt: str = "Passphrase: ") -> str:
    """The passphrase: from ``file``, else ``$BODYMAP_PASSPHRASE_FILE``, else the terminal."""
    named = passphrase_file(file)
    if named is not None:
        return read_passphrase_file(named)
    if not sys.stdin.isatty():
        raise StoreError(
            "this store is protected: give its passphrase with --passphrase-file FILE or "
            f"the {PASSPHRASE_ENV} environment variable"
        )
    return getpass.getpass(prompt)


def open_store(root: Path | None, passphrase: Path | None = None, must_exist: bool = True) -> Store:
    """The store at ``root`` (or the usual place), unlocked when it is protected.

    Raises
    ------
    NotFoundError
        ``must_exist`` and there is no store folder there.
    WrongPassphraseError
        The passphrase does not unlock it.
    """
    folder = store_location(root)
    if must_exist and not folder.is_dir():
        raise NotFoundError(f"no session store at {folder}")
    if not is_protected(folder):
        return Store(folder)
    return Store(folder, unlock(folder, passphrase_from(passphrase)))
