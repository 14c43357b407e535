"""What ``bodymap sessions`` and ``bodymap stats`` print: JSON-ready dicts and plain text."""

from __future__ import annotations

from pathlib import Path

from bodymap.core.atlas import Atlas
from bodymap.core.findings import tag_findings
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Client, Session
from bodymap.store.errors import NotFoundError, StoreError
from bodymap.store.store import Store


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


def sessions_listing(store: Store, client_text: str | None = None) -> dict:
    """Clients and their sessions (unreadable sessions included, with the reason)."""
    if client_text:
        clients = [pick_client(store, client_text)]
        orphans: list[str] = []
    else:
        clients = store.clients()
        known = {c.id for c in clients}
        orphans = [cid for cid in store.layout.client_ids_with_sessions() if cid not in known]
    rows = [(c.id, c.name) for c in clients] + [(cid, None) for cid in orphans]
    return {
        "store": str(store.root),
        "warnings": store.warnings(),
        "clients": [
            {"id": cid, "name": name, "sessions": [i.to_dict() for i in store.sessions(cid)]}
            for cid, name in rows
        ],
    }


def format_sessions(listing: dict) -> str:
    lines = [f"Store: {listing['store']}"] + [f"warning: {w}" for w in listing["warnings"]]
    for client in listing["clients"]:
        name = client["name"] or "(no readable client file)"
        lines.append(f"{name} ({client['id']}): {len(client['sessions'])} session(s)")
        for s in client["sessions"]:
            if not s["readable"]:
                lines.append(f"  UNREADABLE {Path(s['path']).name}: {s['reason']}")
                continue
            state = "finalised" if s["finalised"] else "open"
            lines.append(
                f"  {s['started'][:16].replace('T', ' ')}  {s['id']}  {s['practitioner'] or '-'}"
                f"  {state}  {s['n_layers']} layer(s)"
            )
    return "\n".join(lines)


def session_stats(session: Session, mesh: BodyMesh, atlas: Atlas) -> dict:
    """Per tag: whole-body and per-region extent (cm², % of the body) and intensity."""
    if mesh.geometry_hash != session.mesh_hash:
        raise StoreError("the mesh does not match the session's geometry hash")
    findings = tag_findings(session.overlays, session.tags, mesh, atlas)
    return {
        "session": session.id,
        "client_id": session.client_id,
        "started": session.started.isoformat(),
        "finalised": session.finalised,
        "mesh_sha256": session.mesh_hash,
        "tags": [f.to_dict() for f in findings],
    }


def format_stats(stats: dict) -> str:
    lines = [f"Session {stats['session']} ({stats['started'][:10]})"]
    if not stats["tags"]:
        lines.append("nothing painted")
    for tag in stats["tags"]:
        total = tag["total"]
        lines.append(
            f"{tag['name']}: {total['area_cm2']:.1f} cm² ({total['percent_body']:.2f}% of the "
            f"body), mean {total['mean_intensity']:.1f}, peak {total['peak_intensity']:.1f}"
        )
        for region in tag["regions"]:
            lines.append(
                f"  {region['region_name']:36} {region['area_cm2']:8.1f} cm² "
                f"{region['percent_body']:6.2f}%  mean {region['mean_intensity']:4.1f}  "
                f"peak {region['peak_intensity']:4.1f}"
            )
    return "\n".join(lines)


def mesh_for(session: Session, store: Store | None) -> tuple[BodyMesh, Atlas]:
    """The session's mesh and atlas: the store's copy, else the default body if it matches."""
    if store is not None and store.has_mesh(session.mesh_hash):
        return store.get_mesh(session.mesh_hash)
    from bodymap.io.default_body import load_default_body

    mesh, atlas = load_default_body()
    if mesh.geometry_hash != session.mesh_hash:
        raise StoreError(
            f"the session's mesh (SHA-256 {session.mesh_hash[:12]}...) is neither in the store "
            "nor the default body"
        )
    return mesh, atlas
