"""The session store: clients, sessions, drafts, amendments, meshes and the audit log.

Thread safety: libhdf5 is not thread-safe (h5py serialises every call behind one global
lock). All store I/O must go through one thread at a time: the app's single
:class:`bodymap.store.worker.StoreWorker`, or the calling thread, never both at once. Every
public method also takes the store's own lock, as a safety net. Never fork with a store
call in progress.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from datetime import UTC, datetime
from pathlib import Path

from bodymap.core.mesh import BodyMesh
from bodymap.core.session import (
    Client,
    Session,
    carry_over,
    new_session_id,
    utc_now,
)
from bodymap.store import clients as client_files
from bodymap.store.atomic import PRIVATE_FILE, READ_ONLY_FILE
from bodymap.store.audit import AuditProblem
from bodymap.store.base import finalised_error, locked, stat_key
from bodymap.store.chunks import helpers, pool
from bodymap.store.clients import MAX_CLIENT_BYTES
from bodymap.store.drafts import DraftsMixin
from bodymap.store.errors import (
    FinalisedError,
    NotFoundError,
    SessionReadError,
    StoreError,
    StoreWriteError,
)
from bodymap.store.info import SessionInfo, check_identity, session_info
from bodymap.store.partial_reads import PartialReadsMixin, check_mesh_hash
from bodymap.store.records import RecordsMixin
from bodymap.store.session_file import (
    encode_session,
    read_session,
    read_thumbnail,
)
from bodymap.store.validation import check_storable


class Store(DraftsMixin, RecordsMixin, PartialReadsMixin):
    """A store folder of BodyMap records (layout: :mod:`bodymap.store.layout`).

    Opening it creates the folders if needed and removes temporary files left by saves
    that crashed (only files named like the store's own temporary files, of processes
    that are gone).

    Parameters
    ----------
    root : str or Path, optional
        The store folder; when not given, resolved by
        :func:`bodymap.store.location.store_location` (``BODYMAP_STORE``, the checkout's
        ``sessions/``, or the user data folder).
    """

    # ----- clients -------------------------------------------------------------------
    @locked
    def create_client(self, name: str, **details: str) -> Client:
        """A new client (``born``, ``contact``, ``notes`` optional), saved at once."""
        client = Client(name=name, **details)
        with self._writing():
            path = self.layout.client_file(client.id)
            if path.exists():
                raise StoreError(f"client {client.id} exists already")
            self._write_client(path, client, "create")
        return client

    def _write_client(self, path: Path, client: Client, action: str) -> None:
        data = client_files.client_bytes(client)
        sha = hashlib.sha256(data).hexdigest()
        txn = self.journal.begin(action, client.id, None, sha256=sha)
        try:
            self.backend.write_record(path, data)
        except StoreWriteError as error:
            (self.journal.commit if error.replaced else self.journal.rollback)(txn)
            raise
        self.journal.commit(txn)

    @locked
    def client(self, client_id: str) -> Client:
        path = self.layout.client_file(client_id)
        if not path.exists():
            raise NotFoundError(f"no client {client_id} in the store")
        return client_files.read_client(path, self._read_record(path, MAX_CLIENT_BYTES))

    @locked
    def clients(self) -> list[Client]:
        """Every readable client, by name (``verify`` reports unreadable client files)."""
        return client_files.list_clients(self.layout.client_files(), self._read_record)[0]

    def find_clients(self, text: str) -> list[Client]:
        """Clients whose name or id contains ``text`` (case-insensitive)."""
        return [c for c in self.clients() if client_files.matches(c, text)]

    @locked
    def edit_client(self, client_id: str, **changes: str) -> Client:
        """Change a client's ``name``, ``born``, ``contact`` or ``notes``; saved at once.

        The changes are applied to the client file as it is now (under the write lock), so
        another window's edit of other fields is kept.
        """
        unknown = set(changes) - set(client_files.EDITABLE)
        if unknown:
            raise StoreError(f"cannot edit {sorted(unknown)} of a client")
        with self._writing():
            client = dataclasses.replace(self.client(client_id), **changes)
            self._write_client(self.layout.client_file(client_id), client, "save")
        return client

    # ----- sessions ------------------------------------------------------------------
    @locked
    def sessions(
        self, client_id: str, mesh_hash: str | None = None, check: bool = False
    ) -> list[SessionInfo]:
        """The client's sessions by date, unreadable ones included (flagged, with a reason).

        Reads attributes only, unless ``check``: then every dataset is read (fletcher32)
        and the content digest compared, as ``bodymap verify`` does. With ``mesh_hash``,
        sessions recorded on another mesh are flagged unreadable.
        """
        paths = self.layout.session_files(client_id)
        read, keep = self._read_record, self._remember  # later reads skip unchanged headers
        infos = [session_info(p, client_id, mesh_hash, read, keep) for p in paths]
        if check:
            infos = [_checked(info, self._full_check(info.path)) for info in infos]
        return sorted(infos, key=SessionInfo.sort_key)

    @locked
    def load(self, session_id: str, mesh: BodyMesh | str | None = None) -> Session:
        """The saved session ``session_id``, exactly as saved.

        Parameters
        ----------
        mesh : BodyMesh or str, optional
            The mesh (or its geometry hash) it will be shown on: a session recorded on
            another mesh raises :class:`MeshMismatchError`.
        """
        path = self._session_path(session_id)
        before = stat_key(path)
        data = self._read_record(path)
        # hashlib releases the GIL: beside the decode while a core is idle, else here now.
        revision = helpers().submit(_sha256, data)
        session, header = read_session(path, data)
        check_identity(header, path, path.parent.name, draft=False)
        self._remember(path, header)
        _check_mesh(session, mesh)
        # What a later save of this session may replace: exactly these bytes (the file's
        # identity only if it did not change while it was read).
        same = before is not None and before == stat_key(path)
        self._keep_revision(session.id, revision.result(), path if same else None)
        return session

    @locked
    def thumbnail(self, session_id: str) -> bytes | None:
        """The session's PNG thumbnail, or ``None``."""
        path = self._session_path(session_id)
        return read_thumbnail(path, self._read_record(path))

    @locked
    def save(
        self, session: Session, thumbnail: bytes | None = None, saved_at: datetime | None = None
    ) -> Path:
        """Save ``session`` atomically (replacing its previous file); removes its draft.

        Parameters
        ----------
        thumbnail : bytes, optional
            PNG bytes to store with it; ``None`` keeps the thumbnail already stored.
        saved_at : datetime, optional
            The ``saved_at`` recorded in the file (a session entered after the fact, the
            demo client); now by default. The audit log always keeps the real time.

        Raises
        ------
        FinalisedError
            The session (or its stored file) is finalised.
        TargetUnreadableError
            Its file exists but cannot be read: it is never replaced.
        StoreWriteError
            Disk full, read-only folder...: the previous file is intact.
        """
        if session.finalised:
            raise finalised_error(session.id)
        return self._write(session, thumbnail, "save", saved_at)

    @locked
    def finalise(
        self,
        session: Session | str,
        thumbnail: bytes | None = None,
        finalised_at: datetime | None = None,
    ) -> Session:
        """Sign a session: set its finalised time, save it read-only, log its SHA-256.

        Given a :class:`Session`, that object is saved and gets ``finalised_at``; given an
        id, the stored session is loaded and signed. From then on the store refuses to save
        over it; corrections are :meth:`amend`-ments. ``finalised_at`` (now by default) is
        the signing time recorded in the file; the audit log keeps the real time.
        """
        with self._writing():
            target = self.load(session) if isinstance(session, str) else session
            if target.finalised:
                raise FinalisedError(f"session {target.id} is finalised already")
            signed = dataclasses.replace(target, finalised_at=finalised_at or utc_now())
            self._write(signed, thumbnail, "finalise", finalised_at)
        target.finalised_at = signed.finalised_at
        return target

    def _write(
        self,
        session: Session,
        thumbnail: bytes | None,
        action: str,
        saved_at: datetime | None = None,
    ) -> Path:
        """Save or finalise as one transaction: intent, atomic write, commit."""
        check_storable(session)
        with self._writing():
            path = self.layout.session_file(session.client_id, session.id)
            existing = self._existing(path, session)
            if thumbnail is None and existing is not None and existing.has_thumbnail:
                thumbnail = self._quiet_thumbnail(path)
            self.backend.ensure_folder(path.parent)
            image, header = encode_session(
                session, saved_at or datetime.now(UTC), thumbnail=thumbnail
            )
            sha = hashlib.sha256(image).hexdigest()
            if action == "save" and existing is None:
                action = "create"
            txn = self.journal.begin(
                action, session.client_id, session.id, durable=False, sha256=sha
            )
            # The intent's fsync runs beside the temporary file's; the rename waits for it.
            settled = pool().submit(self.journal.settle)
            mode = READ_ONLY_FILE if session.finalised else PRIVATE_FILE
            try:
                self.backend.write_record(path, image, mode=mode, ready=settled.result)
            except StoreWriteError as error:
                if not error.replaced:
                    _wait_quietly(settled)
                    self.journal.rollback(txn)
                    raise
                self._written(session, path, header, sha, txn)
                raise
            except BaseException:
                _wait_quietly(settled)
                raise
            self._written(session, path, header, sha, txn)
        return path

    def _written(self, session: Session, path: Path, header, sha: str, txn: str) -> None:
        """After the file landed: commit, remember what was written, drop the draft."""
        self.journal.commit(txn)
        self._remember(path, header)
        self._keep_revision(session.id, sha, path)
        with contextlib.suppress(OSError):
            self.backend.remove(self.layout.draft_file(session.client_id, session.id))

    @locked
    def save_as_new(self, session: Session, thumbnail: bytes | None = None) -> Session:
        """Save a copy of ``session`` under a new id: the way out when its own file was
        changed elsewhere or is damaged (that file stays untouched). The copy, saved."""
        from bodymap.store.worker import snapshot  # the worker module imports this one

        copy = dataclasses.replace(
            snapshot(session), id=new_session_id(), finalised_at=None, started=session.started
        )
        self.save(copy, thumbnail)
        return copy

    @locked
    def content_sha256(self, session_id: str) -> str | None:
        """SHA-256 of a saved session's content: what the audit log records for it and
        what reports print (the same whether or not the store is protected)."""
        return self.backend.sha256(self._session_path(session_id))

    def forget_unchanged_chunks(self) -> None:
        """Drop the compressed layer chunks kept to speed up the next save (when a session
        closes: one client's findings do not stay in memory while another's are open)."""
        from bodymap.store.chunks import forget_chunks

        forget_chunks()

    @locked
    def record_bytes(self, session_id: str) -> bytes:
        """A saved session's file content as BodyMap wrote it (decrypted in a protected
        store): what ``bodymap export SESSION --hdf5`` copies out."""
        return self._read_record(self._session_path(session_id))

    @locked
    def session_info(self, session_id: str) -> SessionInfo:
        path = self._session_path(session_id)
        return session_info(path, path.parent.name, read=self._read_record)

    @locked
    def new_session(
        self,
        client_id: str,
        mesh_hash: str,
        n_vertices: int,
        practitioner: str = "",
        from_previous: bool = True,
        body: dict | None = None,
        topology_id: str = "",
    ) -> Session:
        """A new (unsaved) session for an existing client, on the mesh ``mesh_hash``.

        With ``from_previous``, it carries over the findings of the client's latest
        readable session on the same mesh, or on a body of the same topology (the same
        vertices, another shape: a child who grew), see
        :func:`bodymap.core.session.carry_over`. ``body`` and ``topology_id`` record the
        body it is recorded on.
        """
        self.client(client_id)
        new = Session(
            client_id,
            mesh_hash,
            n_vertices,
            practitioner=practitioner,
            body=body or {},
            topology_id=topology_id,
        )
        if not from_previous:
            return new
        for info in reversed(self.sessions(client_id)):
            same_mesh = info.mesh_hash == mesh_hash
            same_topology = bool(topology_id) and info.topology_id == topology_id
            if not info.readable or not (same_mesh or same_topology):
                continue
            try:
                previous = self.load(info.id)
            except SessionReadError:
                continue
            if previous.n_vertices != n_vertices:
                continue
            carried = carry_over(previous, practitioner)
            carried.mesh_hash, carried.body, carried.topology_id = mesh_hash, new.body, topology_id
            return carried
        return new

    @locked
    def log(self, action: str, client_id: str | None, session_id: str | None, **ids) -> dict:
        """Record an action in the audit log (the app records ``open`` and ``export``).

        Under the store's write lock, like every other append, so that two processes can
        never fork the hash chain (Windows has no ``flock`` on the log itself).
        """
        with self._writing():
            return self.audit.append(action, client_id, session_id, **ids)

    @locked
    def verify_audit(self) -> list[AuditProblem]:
        return self.audit.verify()

    @locked
    def verify(self):
        """Check every file of the store; see :func:`bodymap.store.verify.verify_store`."""
        from bodymap.store.verify import verify_store

        return verify_store(self)


def _wait_quietly(job) -> None:
    """Wait for a background step whose outcome no longer matters (the change failed)."""
    with contextlib.suppress(Exception):
        job.result()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked(info: SessionInfo, problem: str | None) -> SessionInfo:
    if problem is None or not info.readable:
        return info
    return dataclasses.replace(info, readable=False, reason=problem)


def _check_mesh(session: Session, mesh: BodyMesh | str | None) -> None:
    check_mesh_hash(session.id, session.mesh_hash, mesh)
