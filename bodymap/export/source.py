"""What an export is made from: a session on its body, its client, amendments and file hash.

The command line resolves a session id in a store, or the path of a session file; the app
builds a :class:`SessionSource` from the open document. Exports log themselves through
:meth:`SessionSource.log_export` when a store is involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bodymap.analysis.lookup import session_body
from bodymap.core.atlas import Atlas
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Client, Session
from bodymap.export.errors import ExportError
from bodymap.store.amendments import Amendment
from bodymap.store.base import file_sha256
from bodymap.store.errors import NotFoundError, StoreError
from bodymap.store.session_file import read_session
from bodymap.store.store import Store


@dataclass
class SessionSource:
    """A session and everything a report about it shows.

    Attributes
    ----------
    session : Session
    mesh, atlas : BodyMesh, Atlas
        The body it was painted on (``mesh.geometry_hash == session.mesh_hash``).
    client : Client or None
        ``None`` when the session came from a file with no store: reports then show the id.
    amendments : tuple of Amendment
    file_sha256 : str or None
        SHA-256 of the session's saved file; ``None`` when it is not saved (or has unsaved
        changes), and the report says so.
    store : Store or None
        Where exports are logged.
    """

    session: Session
    mesh: BodyMesh
    atlas: Atlas
    client: Client | None = None
    amendments: tuple[Amendment, ...] = field(default_factory=tuple)
    file_sha256: str | None = None
    store: Store | None = None

    def __post_init__(self) -> None:
        if self.mesh.geometry_hash != self.session.mesh_hash:
            raise ExportError(
                f"session {self.session.id} was recorded on another body mesh than the one given"
            )

    @property
    def client_name(self) -> str:
        """The client's name, or their opaque id when the client file is not available."""
        return self.client.name if self.client is not None else self.session.client_id

    def log_export(self, kind: str, sha256: str | None = None) -> None:
        """Record the export in the store's audit log (ids only); no store, nothing to do.

        Raises
        ------
        ExportError
            The log cannot be written: the export must not land unrecorded.
        """
        log_export(self.store, self.session.client_id, self.session.id, kind, sha256)


def log_export(
    store: Store | None,
    client_id: str,
    session_id: str | None,
    kind: str,
    sha256: str | None = None,
) -> None:
    """``store.log("export", ...)`` with the kind of export and the output's SHA-256."""
    if store is None:
        return
    try:
        store.log("export", client_id, session_id, kind=kind, sha256=sha256)
    except (StoreError, ValueError) as error:
        raise ExportError(
            f"not exported: the export cannot be recorded in the audit log ({error})"
        ) from error


def source_from_store(store: Store, session_id: str) -> SessionSource:
    """The stored session ``session_id`` with its client, body, amendments and file hash."""
    session = store.load(session_id)
    mesh, atlas = _mesh(session, store)
    return SessionSource(
        session=session,
        mesh=mesh,
        atlas=atlas,
        client=_client(store, session.client_id),
        amendments=tuple(store.amendments(session_id)),
        file_sha256=store.content_sha256(session_id),
        store=store,
    )


def source_from_file(path: Path, store: Store | None = None) -> SessionSource:
    """A session file anywhere; ``store`` (if any) supplies the mesh and client.

    Exports are logged in ``store`` only when the file is one of its own sessions.
    """
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"no session file {path}")
    session, _ = read_session(path)
    mesh, atlas = _mesh(session, store)
    own = store is not None and _is_store_file(store, path)
    client = _client(store, session.client_id) if store is not None else None
    amendments = tuple(store.amendments(session.id)) if own else ()
    return SessionSource(
        session=session,
        mesh=mesh,
        atlas=atlas,
        client=client,
        amendments=amendments,
        file_sha256=file_sha256(path),
        store=store if own else None,
    )


def resolve_source(reference: str, store: Store | None) -> SessionSource:
    """A session id in ``store``, or the path of a session ``.h5`` file."""
    path = Path(reference)
    if reference.endswith(".h5") or path.is_file():
        return source_from_file(path, store)
    if store is None:
        raise ExportError(f"no session file {reference} and no session store to look it up in")
    return source_from_store(store, reference)


def _mesh(session: Session, store: Store | None) -> tuple[BodyMesh, Atlas]:
    try:
        return session_body(session.mesh_hash, store)
    except StoreError as error:
        raise ExportError(str(error)) from error


def _client(store: Store | None, client_id: str) -> Client | None:
    if store is None:
        return None
    try:
        return store.client(client_id)
    except (NotFoundError, StoreError):
        return None


def _is_store_file(store: Store, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(store.layout.sessions.resolve())
    except (OSError, AttributeError):
        return False
