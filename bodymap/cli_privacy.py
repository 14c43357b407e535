"""``bodymap`` commands that keep records private, and unlocking a store from a terminal.

    bodymap protect [--store DIR]            encrypt the store; prints the recovery key once
    bodymap unprotect [--store DIR] [--recovery-key-file F]
    bodymap passphrase [--store DIR] --new-passphrase-file F
                                             change the passphrase (no record is rewritten)
    bodymap backup DEST [--store DIR]        one checked archive of every record
    bodymap restore ARCHIVE --store NEWDIR   rebuild a store from a backup, then verify it
    bodymap erase CLIENT [--store DIR] --yes remove every record of a client

The passphrase is read from ``--passphrase-file FILE`` or the file named by
``BODYMAP_PASSPHRASE_FILE`` when given (scripts, tests), else asked at the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from bodymap.store import StoreError
from bodymap.store.access import PASSPHRASE_ENV, open_store, passphrase_from
from bodymap.store.keys import read_passphrase_file, unlock
from bodymap.store.location import store_location


def add_parsers(commands) -> None:
    """Add the privacy commands to the ``bodymap`` subcommand parser."""

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text)
        parser.add_argument("--store", type=Path, dest="sub_store", help="the store folder")
        parser.add_argument("--passphrase-file", type=Path, help="read the passphrase here")
        return parser

    command("protect", "encrypt the store with a passphrase (in place)")
    unprotect = command("unprotect", "decrypt a protected store in place")
    unprotect.add_argument("--recovery-key-file", type=Path, help="unlock with the recovery key")
    change = command("passphrase", "change a protected store's passphrase")
    change.add_argument("--new-passphrase-file", type=Path, help="read the new passphrase here")
    backup = command("backup", "write the whole store to one checked archive")
    backup.add_argument("destination", type=Path, help="the archive to write (.zip)")
    restore = command("restore", "rebuild a store from a backup archive")
    restore.add_argument("archive", type=Path, help="a backup archive")
    erase = command("erase", "remove every record of a client")
    erase.add_argument("client", help="the client's id or exact name")
    erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")


COMMANDS = ("protect", "unprotect", "passphrase", "backup", "restore", "erase")


def run(args) -> int:
    """Run one of :data:`COMMANDS`; its exit status (errors raise :class:`StoreError`)."""
    return {
        "protect": _protect,
        "unprotect": _unprotect,
        "passphrase": _passphrase,
        "backup": _backup,
        "restore": _restore,
        "erase": _erase,
    }[args.command](args)


def _root(args) -> Path:
    return store_location(getattr(args, "sub_store", None) or getattr(args, "store", None))


def _protect(args) -> int:
    from bodymap.store.protection import protect

    root = _root(args)
    passphrase = passphrase_from(args.passphrase_file, "New passphrase: ")
    if args.passphrase_file is None and not os.environ.get(PASSPHRASE_ENV):
        if getpass.getpass("Repeat it: ") != passphrase:
            raise StoreError("the two passphrases differ: nothing was changed")
    _, recovery = protect(root, passphrase, progress=_progress("protecting"))
    print(f"The store {root} is protected.")
    if recovery:
        print("Recovery key (shown only now; print it and keep it somewhere safe):")
        print(f"  {recovery}")
    return 0


def _unprotect(args) -> int:
    from bodymap.store.protection import unprotect

    root = _root(args)
    if args.recovery_key_file is not None:
        recovery = read_passphrase_file(args.recovery_key_file)
        unprotect(root, recovery_key=recovery, progress=_progress("decrypting"))
    else:
        unprotect(root, passphrase_from(args.passphrase_file), progress=_progress("decrypting"))
    print(f"The store {root} is no longer protected: its records are in plain files.")
    return 0


def _passphrase(args) -> int:
    from bodymap.store.protection import change_passphrase

    root = _root(args)
    keys = unlock(root, passphrase_from(args.passphrase_file, "Current passphrase: "))
    new = passphrase_from(args.new_passphrase_file, "New passphrase: ")
    change_passphrase(root, keys, new)
    print("The passphrase is changed; the recovery key still works.")
    return 0


def _backup(args) -> int:
    from bodymap.store.backup import backup

    store = open_store(_root(args), args.passphrase_file)
    info = backup(store, args.destination, progress=_progress("backing up"))
    state = "encrypted" if store.protected else "not encrypted (the store is not protected)"
    print(f"Backed up {info.files} files ({info.bytes:,} bytes) to {info.path}: checked, {state}.")
    return 0


def _restore(args) -> int:
    from bodymap.store.backup import restore

    root = _root(args)
    restore(args.archive, root, progress=_progress("restoring"))
    store = open_store(root, args.passphrase_file)
    report = store.verify()
    if not report.ok:
        raise StoreError(f"restored into {root}, but verify found: {report.problems[0]}")
    store.log("restore", None, None)
    print(f"Restored into {root}; verify: OK ({len(report.files)} files).")
    return 0


def _erase(args) -> int:
    store = open_store(_root(args), args.passphrase_file)
    matches = [c for c in store.clients() if args.client in (c.id, c.name)]
    if len(matches) != 1:
        found = "no client" if not matches else f"{len(matches)} clients"
        raise StoreError(f"{found} with the id or exact name {args.client[:80]!r}")
    client = matches[0]
    signed = [s for s in store.sessions(client.id) if s.finalised]
    if not args.yes:
        raise StoreError("erasing cannot be undone: add --yes to confirm")
    if signed:
        print(
            f"Note: {len(signed)} finalised session(s) are erased too. Check your record-"
            "keeping duties (retention periods) before erasing signed clinical records.",
            file=sys.stderr,
        )
    store.delete_client(client.id)
    print(f"Erased client {client.id} and every record of theirs.")
    return 0


def _progress(verb: str):
    def report(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{verb}: {done}/{total}", end="" if done < total else "\n", file=sys.stderr)

    return report
