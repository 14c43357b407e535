"""Finding records: a client from what a user typed, and the body a session was painted on."""

from __future__ import annotations

from collections import OrderedDict

from bodymap.core.atlas import Atlas
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Client
from bodymap.store.errors import NotFoundError, StoreError
from bodymap.store.store import Store

KEPT_BODIES = 4
"""Bodies kept in memory by one :class:`SessionBodies` (a million-vertex body is ~100 MB)."""


def pick_client(store: Store, text: str) -> Client:
    """The client whose id is ``text``, or the one client whose name or id contains it."""
    for client in store.clients():
        if client.id == text:
            return client
    found = store.find_clients(text)
    if not found:
        raise NotFoundError(f"no client matches {text!r}")
    if len(found) > 1:
        ids = ", ".join(c.id for c in found[:5])
        raise StoreError(f"{len(found)} clients match {text!r} ({ids}); give the client's id")
    return found[0]


class SessionBodies:
    """The mesh and atlas of a geometry hash, each read at most once.

    A body comes from those given (the app's open body), then the store's copy, then the
    default body. Keeping them here is what lets a comparison or trends over many sessions
    read each session file only for its layers, never for its mesh.

    Parameters
    ----------
    store : Store, optional
    known : iterable of (BodyMesh, Atlas), optional
        Bodies the caller holds already.
    """

    def __init__(self, store: Store | None = None, known=()) -> None:
        self.store = store
        self._bodies: OrderedDict[str, tuple[BodyMesh, Atlas]] = OrderedDict()
        for mesh, atlas in known:
            self._bodies[mesh.geometry_hash] = (mesh, atlas)
        self._pinned = set(self._bodies)

    def get(self, mesh_hash: str) -> tuple[BodyMesh, Atlas]:
        """The body with this geometry hash.

        Raises
        ------
        StoreError
            Neither given, nor in the store, nor the default body.
        """
        if mesh_hash in self._bodies:
            self._bodies.move_to_end(mesh_hash)
            return self._bodies[mesh_hash]
        body = self._read(mesh_hash)
        self._bodies[mesh_hash] = body
        unpinned = [h for h in self._bodies if h not in self._pinned]
        while len(unpinned) > KEPT_BODIES:
            del self._bodies[unpinned.pop(0)]
        return body

    def _read(self, mesh_hash: str) -> tuple[BodyMesh, Atlas]:
        """A shipped body first (with today's atlas, true to the chart), then the store's
        copy (a body built to a client's measures, a foreign mesh)."""
        from bodymap.io.default_body import list_bodies, load_body

        for entry in list_bodies():
            if entry.get("geometry_sha256") == mesh_hash:
                return load_body(str(entry["id"]))
        if self.store is not None and self.store.has_mesh(mesh_hash):
            return self.store.get_mesh(mesh_hash)
        raise StoreError(
            f"the body mesh (SHA-256 {mesh_hash[:12]}...) is neither a shipped body nor in "
            "the store"
        )


def session_body(mesh_hash: str, store: Store | None) -> tuple[BodyMesh, Atlas]:
    """The body a session was painted on (``session.mesh_hash``), read once, not kept."""
    return SessionBodies(store).get(mesh_hash)
