"""One session's figures per tag and region: what ``bodymap stats`` and the findings export show."""

from __future__ import annotations

from dataclasses import dataclass

from bodymap.core.atlas import Atlas
from bodymap.core.findings import TagFindings, tag_findings
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Session
from bodymap.store.errors import StoreError


@dataclass(frozen=True, eq=False)
class SessionStats:
    """Per tag with paint: whole-body and per-region extent (cm², % of the body), intensity."""

    session: Session
    tags: tuple[TagFindings, ...]

    def to_dict(self) -> dict:
        """JSON-ready: the session's identity and each tag's findings."""
        session = self.session
        return {
            "session": session.id,
            "client_id": session.client_id,
            "started": session.started.isoformat(),
            "finalised": session.finalised,
            "mesh_sha256": session.mesh_hash,
            "tags": [f.to_dict() for f in self.tags],
        }


def session_stats(session: Session, mesh: BodyMesh, atlas: Atlas) -> SessionStats:
    """The findings of ``session`` on its own body.

    Raises
    ------
    StoreError
        ``mesh`` is not the one the session was painted on.
    """
    if mesh.geometry_hash != session.mesh_hash:
        raise StoreError("the mesh does not match the session's geometry hash")
    return SessionStats(session, tuple(tag_findings(session.overlays, session.tags, mesh, atlas)))
