"""Back up a whole store to one archive file, and restore it into a new folder.

The archive is a ZIP file (stored, not compressed: the records are compressed or
encrypted already) holding every record file exactly as it is on disk (so encrypted when
the store is protected), the audit log, the keys file of a protected store, and
``manifest.json``: the store's id, when the backup was made, and each member's size and
SHA-256. It is written to a temporary file, read back and checked member by member, then
renamed into place. A restore checks the archive the same way before it writes anything,
builds the store in a temporary folder beside the target and renames it into place, so a
kill at any moment leaves either no store or the whole one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bodymap.store.atomic import PRIVATE_FILE, ensure_folder, fsync_folder, temp_path_for
from bodymap.store.backend import LocalFolder
from bodymap.store.errors import StoreError, write_error
from bodymap.store.keys import KEYS_FILE
from bodymap.store.protection import record_files
from bodymap.store.store import Store

MANIFEST = "manifest.json"
BACKUP_FORMAT = "bodymap-backup"
BACKUP_SCHEMA = 1
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    files: int
    bytes: int
    sha256: str
    created: datetime


def backup(store: Store, destination: Path, progress: Progress | None = None) -> BackupInfo:
    """Write the whole store to ``destination`` (a new ``.zip`` file), checked after writing.

    The store's write lock is held throughout, so the copy is one consistent moment.
    """
    destination = Path(destination)
    if destination.exists():
        raise StoreError(f"{destination.name} exists already: choose a new file name")
    with store._writing():
        members = _members(store)
        created = datetime.now(UTC)
        temp = temp_path_for(destination)
        try:
            manifest = _write_archive(temp, store, members, created, progress)
            check_archive(temp)
            with open(temp, "rb") as stream:
                os.fsync(stream.fileno())
            os.replace(temp, destination)
            fsync_folder(destination.parent)
        except OSError as error:
            temp.unlink(missing_ok=True)
            raise write_error(error, destination.name) from error
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        sha = _file_sha256(destination)
        store.audit.append("backup", None, None, sha256=sha)
    total = sum(m["size"] for m in manifest["files"])
    return BackupInfo(destination, len(members), total, sha, created)


def _members(store: Store) -> list[Path]:
    members = list(record_files(store))
    for extra in (store.layout.audit, store.root / KEYS_FILE):
        if extra.is_file():
            members.append(extra)
    return members


def _write_archive(temp: Path, store: Store, members, created, progress) -> dict:
    entries = []
    with zipfile.ZipFile(temp, "x", compression=zipfile.ZIP_STORED) as archive:
        for done, path in enumerate(members, start=1):
            data = store.backend.read_plain(path)
            name = path.relative_to(store.root).as_posix()
            archive.writestr(name, data)
            entries.append({"name": name, "size": len(data), "sha256": _sha(data),
                            "mode": oct(os.stat(path).st_mode & 0o777)})  # fmt: skip
            if progress is not None:
                progress(done, len(members))
        manifest = {
            "format": BACKUP_FORMAT,
            "schema_version": BACKUP_SCHEMA,
            "created": created.isoformat(timespec="seconds"),
            "protected": store.protected,
            "files": entries,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
    return manifest


def check_archive(path: Path) -> dict:
    """The manifest of a backup archive after checking every member against it.

    Raises
    ------
    StoreError
        Not a BodyMap backup, damaged, or a member missing, extra or changed.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            if manifest.get("format") != BACKUP_FORMAT:
                raise StoreError(f"{path.name} is not a BodyMap backup")
            if int(manifest.get("schema_version", 0)) > BACKUP_SCHEMA:
                raise StoreError(f"{path.name} was made by a newer BodyMap")
            names = {e["name"] for e in manifest["files"]}
            extra = set(archive.namelist()) - names - {MANIFEST}
            if extra:
                raise StoreError(f"{path.name} holds files its manifest does not list")
            for entry in manifest["files"]:
                _check_member_name(entry["name"])
                if _sha(archive.read(entry["name"])) != entry["sha256"]:
                    raise StoreError(f"{path.name}: {entry['name']} is damaged")
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise StoreError(f"{Path(path).name} is not a readable backup ({error})") from error
    return manifest


def restore(archive_path: Path, root: Path, progress: Progress | None = None) -> Path:
    """Rebuild the store of a backup in ``root`` (a new or empty folder); the folder.

    Open the result with :class:`Store` (with its keys when it was protected) and
    ``verify`` it.
    """
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise StoreError(f"{root} is not empty: restore into a new folder")
    manifest = check_archive(archive_path)
    ensure_folder(root.parent)
    staging = root.with_name(f".{root.name}.restoring")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        ensure_folder(staging)
        folder = LocalFolder(staging)
        with zipfile.ZipFile(archive_path) as archive:
            for done, entry in enumerate(manifest["files"], start=1):
                target = staging / entry["name"]
                ensure_folder(target.parent)
                mode = int(entry.get("mode", oct(PRIVATE_FILE)), 8)
                folder.write_atomic(target, archive.read(entry["name"]), mode=mode)
                if progress is not None:
                    progress(done, len(manifest["files"]))
        if root.exists():
            root.rmdir()
        os.replace(staging, root)
        fsync_folder(root.parent)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise write_error(error, f"the restored store {root}") from error
    return root


def last_backup(store: Store) -> datetime | None:
    """When the store was last backed up (from its audit log), or ``None``."""
    times = [e.get("time") for e in store.audit.entries() if e.get("action") == "backup"]
    return datetime.fromisoformat(times[-1]) if times else None


def _check_member_name(name: str) -> None:
    parts = Path(name).parts
    if name.startswith("/") or ".." in parts or not parts:
        raise StoreError(f"a backup member has an unsafe name: {name[:80]!r}")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
