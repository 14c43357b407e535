"""The store's folders and file names. Every name is an opaque id, never a client's name::

    <store>/
      clients/<client_id>.json                                  one per client
      sessions/<client_id>/<session_id>.h5                      saved sessions
      drafts/<client_id>/<session_id>.h5                        autosave drafts
      amendments/<client_id>/<session_id>/<time>-<id>.json      corrections
      meshes/<geometry sha256>.h5                               each body mesh, once
      audit.jsonl                                               the audit log

Session ids and client ids are checked (:func:`checked_id`) before they become paths.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from bodymap.store.errors import StoreError

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
SESSION_SUFFIX = ".h5"
FOLDERS = ("clients", "sessions", "drafts", "amendments", "meshes")
MAX_FOUND = 65_536
"""Files whose place :meth:`StoreLayout.find` remembers (a few hundred bytes each)."""


def checked_id(value: str, what: str = "id") -> str:
    """``value`` if it is safe as a file name (letters, digits, ``_.-``), else StoreError."""
    if not isinstance(value, str) or not SAFE_ID.match(value) or ".." in value:
        raise StoreError(f"{what} {value!r} is not a valid id")
    return value


class StoreLayout:
    """Paths inside one store folder. Lookups and listings go through ``backend`` (the
    store's file-access seam, :mod:`bodymap.store.backend`): nothing here reads a file."""

    def __init__(self, root: Path, backend=None) -> None:
        self.root = Path(root)
        self.backend = backend
        self.clients = self.root / "clients"
        self.sessions = self.root / "sessions"
        self.drafts = self.root / "drafts"
        self.amendments = self.root / "amendments"
        self.meshes = self.root / "meshes"
        self.audit = self.root / "audit.jsonl"
        self._found: dict[tuple[str, str], Path] = {}
        """(kind, file name) -> where :meth:`find` last found it (checked on each use)."""

    def folders(self) -> list[Path]:
        return [self.root / name for name in FOLDERS]

    def client_file(self, client_id: str) -> Path:
        return self.clients / f"{checked_id(client_id, 'client id')}.json"

    def client_sessions(self, client_id: str) -> Path:
        """The folder of one client's saved sessions."""
        return self.sessions / checked_id(client_id, "client id")

    def session_file(self, client_id: str, session_id: str) -> Path:
        folder = self.client_sessions(client_id)
        return folder / f"{checked_id(session_id, 'session id')}{SESSION_SUFFIX}"

    def draft_file(self, client_id: str, session_id: str) -> Path:
        folder = self.drafts / checked_id(client_id, "client id")
        return folder / f"{checked_id(session_id, 'session id')}{SESSION_SUFFIX}"

    def amendment_folder(self, client_id: str, session_id: str) -> Path:
        client = checked_id(client_id, "client id")
        return self.amendments / client / checked_id(session_id, "session id")

    def mesh_file(self, mesh_hash: str) -> Path:
        if not SHA256_HEX.match(mesh_hash or ""):
            raise StoreError(f"{mesh_hash!r} is not a SHA-256 geometry hash")
        return self.meshes / f"{mesh_hash}.h5"

    def _folders(self, folder: Path) -> list[Path]:
        return self.backend.folders(folder) if self.backend is not None else _subfolders(folder)

    def _list(self, folder: Path, suffix: str) -> list[Path]:
        if self.backend is not None:
            return self.backend.list(folder, suffix)
        return sorted(folder.glob("*" + suffix)) if folder.is_dir() else []

    def find(self, kind: str, session_id: str) -> Path | None:
        """The file of ``session_id`` under ``kind`` ("sessions" or "drafts"), if any.

        Where one was found before and still exists, that one (one check); else every
        client folder is looked in (a store of 1,000 clients: about 15 ms).
        """
        name = checked_id(session_id, "session id") + SESSION_SUFFIX
        known = self._found.get((kind, name))
        if known is not None and self.exists(known):
            return known
        for folder in self._folders(self.root / kind):
            candidate = folder / name
            if self.exists(candidate):
                if len(self._found) >= MAX_FOUND:
                    self._found.clear()
                self._found[kind, name] = candidate
                return candidate
        self._found.pop((kind, name), None)
        return None

    def exists(self, path: Path) -> bool:
        return self.backend.exists(path) if self.backend is not None else path.is_file()

    def files(self, kind: str) -> Iterator[Path]:
        """Every ``.h5`` file under ``kind`` ("sessions" or "drafts"), by client folder."""
        for folder in self._folders(self.root / kind):
            yield from self._list(folder, SESSION_SUFFIX)

    def session_files(self, client_id: str) -> list[Path]:
        """One client's saved session files."""
        return self._list(self.client_sessions(client_id), SESSION_SUFFIX)

    def client_files(self) -> list[Path]:
        return self._list(self.clients, ".json")

    def mesh_files(self) -> list[Path]:
        return self._list(self.meshes, SESSION_SUFFIX)

    def amendment_files(self, folder: Path) -> list[Path]:
        """The amendment files in one session's amendment folder."""
        return self._list(folder, ".json")

    def all_amendment_files(self) -> list[Path]:
        return [
            path
            for client in self._folders(self.amendments)
            for session in self._folders(client)
            for path in self._list(session, ".json")
        ]

    def client_ids_with_sessions(self) -> list[str]:
        return [folder.name for folder in self._folders(self.sessions)]

    def temp_folders(self) -> Iterator[Path]:
        """Every folder where a save can leave a temporary file."""
        yield self.root
        yield self.clients
        yield self.meshes
        for kind in (self.sessions, self.drafts):
            yield from self._folders(kind)
        for client in self._folders(self.amendments):
            yield from self._folders(client)


def _subfolders(folder: Path) -> list[Path]:
    with contextlib.suppress(OSError):
        return sorted(Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False))
    return []


def remove_tree(path: Path) -> None:
    """Delete a folder and everything in it, read-only files included (signed records)."""
    if not path.exists():
        return
    for folder, subfolders, files in os.walk(path, topdown=False):
        for name in files:
            _remove_file(Path(folder) / name)
        for name in subfolders:
            os.rmdir(Path(folder) / name)
    os.rmdir(path)


def _remove_file(path: Path) -> None:
    try:
        os.unlink(path)
    except PermissionError:  # Windows refuses to delete read-only files
        os.chmod(path, 0o600)
        os.unlink(path)


def remove_file(path: Path) -> bool:
    """Delete one file (read-only ones too); whether it existed."""
    try:
        _remove_file(path)
    except FileNotFoundError:
        return False
    return True
