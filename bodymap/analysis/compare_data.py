"""What the compare window reads: one client's sessions and their layers, loaded once.

Every read goes through :class:`CompareData`, which keeps what it loaded (sessions, bodies,
layers transferred onto a body; trends are kept by :mod:`bodymap.analysis.trends`) and notes,
per session, why one could not be read, so that a view lists the problem instead of failing.
Store calls run through the app's :class:`~bodymap.store.StoreWorker` when one is given
(libhdf5 wants one thread), else on the calling thread.

Sessions on the same mesh compare vertex for vertex; for a difference, a flip book or
symmetry, a session recorded on another mesh is carried onto the body of the first session
compared (``transfer_layer``), and the views say so. Trends measure each visit on its own body.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date

import numpy as np

from bodymap.analysis.lookup import SessionBodies
from bodymap.analysis.trends import Trends, trends
from bodymap.core.compare import transfer_layer
from bodymap.core.overlays import Overlays
from bodymap.core.session import Session
from bodymap.core.tags import TagSet
from bodymap.io.body_loading import Body
from bodymap.store import SessionInfo, Store, StoreError, StoreWorker

READ_ERRORS = (StoreError, OSError, ValueError, KeyError)
"""What reading or transferring one session may raise: listed for the user, never a crash."""
KEPT_SESSIONS = 8
"""Whole sessions (and their layers on another body) kept in memory: enough for four views
side by side and a difference, few enough for a million-vertex body (8 MB a session)."""


def local_date(info: SessionInfo) -> date | None:
    """The session's day in the computer's time zone (``None`` when unknown)."""
    return None if info.started is None else info.started.astimezone().date()


class CompareData:
    """The client's readable sessions and what was read from them, cached.

    Parameters
    ----------
    store : Store
    client_id : str
    body : Body
        The body the sessions were recorded on (the default body); meshes of other
        sessions are read from the store.
    worker : StoreWorker, optional
        Run every store call on this worker (the app's), waiting for its result.
    """

    def __init__(
        self, store: Store, client_id: str, body: Body, worker: StoreWorker | None = None
    ) -> None:
        self.store = store
        self.client_id = client_id
        self.body = body
        self._worker = worker
        self.infos: list[SessionInfo] = []
        self.problems: dict[str, str] = {}
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._bodies: dict[str, Body | None] = {body.mesh.geometry_hash: body}
        self._meshes = SessionBodies(store, [(body.mesh, body.atlas)])
        self._overlays: OrderedDict[tuple[str, str], Overlays] = OrderedDict()
        self.refresh()

    # -- listing ---------------------------------------------------------------------------
    def _call(self, function: Callable, *args, **kwargs):
        if self._worker is not None:
            return self._worker.submit(function, *args, **kwargs).result()
        return function(*args, **kwargs)

    def refresh(self) -> None:
        """Read the client's session list again (attributes only)."""
        try:
            self.infos = list(self._call(self.store.sessions, self.client_id))
        except READ_ERRORS as error:
            self.infos = []
            self.problems["client"] = f"the client's sessions cannot be listed: {error}"
            return
        for info in self.infos:
            if not info.readable:
                self.problems[info.id] = info.reason

    def client_name(self) -> str:
        """The client's name for the window title (the id if the client cannot be read)."""
        try:
            return self._call(self.store.client, self.client_id).name
        except READ_ERRORS:
            return self.client_id

    @property
    def readable(self) -> list[SessionInfo]:
        """Sessions that can be compared, oldest first (those that failed to load left out)."""
        return [i for i in self.infos if i.readable and i.id not in self.problems]

    def info(self, session_id: str) -> SessionInfo:
        for info in self.infos:
            if info.id == session_id:
                return info
        raise KeyError(f"no session {session_id!r} for this client")

    def problem_lines(self, label: Callable[[SessionInfo], str]) -> list[str]:
        """One line per session that could not be read: which (named by ``label``), and why."""
        lines = []
        for session_id, reason in self.problems.items():
            try:
                name = label(self.info(session_id))
            except KeyError:
                name = session_id
            lines.append(f"{name}: {reason}")
        return lines

    def _fail(self, session_id: str, error: BaseException) -> None:
        self.problems[session_id] = str(error) or type(error).__name__

    # -- sessions and bodies ---------------------------------------------------------------
    def session(self, session_id: str) -> Session | None:
        """The whole saved session (``None``, with the reason noted, if it cannot be read)."""
        if session_id in self._sessions:
            self._sessions.move_to_end(session_id)
            return self._sessions[session_id]
        if session_id in self.problems:
            return None
        try:
            session = self._call(self.store.load, session_id)
        except READ_ERRORS as error:
            self._fail(session_id, error)
            return None
        _keep(self._sessions, session_id, session)
        return session

    def body_for(self, mesh_hash: str) -> Body | None:
        """The body a mesh hash names: the given body, a mesh kept in the store, or the
        default body (``None`` if none of them)."""
        if mesh_hash not in self._bodies:
            try:
                mesh, atlas = self._call(self._meshes.get, mesh_hash)
                self._bodies[mesh_hash] = Body(mesh=mesh, atlas=atlas)
            except READ_ERRORS:
                self._bodies[mesh_hash] = None
        return self._bodies[mesh_hash]

    def target_for(self, session_ids: list[str]) -> Body | None:
        """The body to compare on: that of the first session whose mesh can be had."""
        for session_id in session_ids:
            info = self.info(session_id)
            body = self.body_for(info.mesh_hash) if info.mesh_hash else self.body
            if body is not None:
                return body
            self.problems[session_id] = (
                f"its body mesh (SHA-256 {info.mesh_hash[:12]}...) is not in the store"
            )
        return None

    def transferred(self, session_ids: list[str], target: Body) -> list[SessionInfo]:
        """The sessions among ``session_ids`` recorded on another mesh than ``target``."""
        own = target.mesh.geometry_hash
        return [i for i in map(self.info, session_ids) if i.mesh_hash and i.mesh_hash != own]

    def _on_target(self, layer: np.ndarray, info: SessionInfo, target: Body) -> np.ndarray:
        if not info.mesh_hash or info.mesh_hash == target.mesh.geometry_hash:
            return layer
        source = self.body_for(info.mesh_hash)
        if source is None:
            raise StoreError(f"its body mesh (SHA-256 {info.mesh_hash[:12]}...) is not stored")
        return transfer_layer(layer, source.mesh, target.mesh)

    def overlays_on(self, session_id: str, target: Body) -> Overlays | None:
        """The session's layers on ``target`` (carried over from its own mesh if need be)."""
        key = (session_id, target.mesh.geometry_hash)
        if key in self._overlays:
            self._overlays.move_to_end(key)
            return self._overlays[key]
        session = self.session(session_id)
        if session is None:
            return None
        info = self.info(session_id)
        if info.mesh_hash in ("", target.mesh.geometry_hash):
            overlays = session.overlays
        else:
            try:
                overlays = Overlays(target.mesh.n_vertices, session.overlays.keys)
                for tag in session.overlays.painted_keys():
                    moved = self._on_target(session.overlays.layer(tag), info, target)
                    overlays.set_layer(tag, moved)
            except READ_ERRORS as error:
                self._fail(session_id, error)
                return None
        _keep(self._overlays, key, overlays)
        return overlays

    def trends(self, session_ids: list[str], tag: str) -> Trends | None:
        """The service's trends of these sessions for ``tag`` (``""``: all tags together),
        each session on its own body; ``None``, with the reason noted, if they fail."""
        try:
            found = self._call(
                trends,
                self.store,
                self.client_id,
                tag,
                bodies=self._meshes,
                session_ids=set(session_ids),
                listed=self.infos,
            )
        except READ_ERRORS as error:
            self.problems["client"] = f"the trends cannot be drawn: {error}"
            return None
        for session_id, reason in found.skipped:
            self.problems.setdefault(session_id, reason)
        return found

    def tags(self) -> TagSet:
        """The tag palette to offer: the latest readable session's, with any other tags seen."""
        tags = TagSet()
        for info in reversed(self.readable):
            session = self.session(info.id)
            if session is not None:
                tags = session.tags.copy()
                break
        for session in self._sessions.values():
            for tag in session.tags:
                if tag.key not in tags:
                    tags = TagSet([*tags, tag])
        return tags


def _keep(cache: OrderedDict, key, value, limit: int = KEPT_SESSIONS) -> None:
    """Remember ``value``, forgetting the least recently used beyond ``limit``."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > limit:
        cache.popitem(last=False)
