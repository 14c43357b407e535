"""A small store for comparison and trends tests: two grid meshes, four visits of a client."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import RhythmReading, Session, SessionEvent
from bodymap.store import Store


def grid(n: int, step: float) -> tuple[BodyMesh, Atlas]:
    """A flat grid over the same 11 cm square whatever its step; left (+x) and right halves,
    and a band over its upper half."""
    xs = np.arange(n) * step - 0.055
    x, y = np.meshgrid(xs, xs, indexing="ij")
    vertices = np.stack([x.ravel(), y.ravel(), np.zeros(n * n)], axis=1)
    idx = np.arange(n * n).reshape(n, n)
    a, b, c, d = idx[:-1, :-1], idx[1:, :-1], idx[1:, 1:], idx[:-1, 1:]
    faces = np.concatenate([np.stack([a, b, c], -1).reshape(-1, 3),
                            np.stack([a, c, d], -1).reshape(-1, 3)])  # fmt: skip
    mesh = BodyMesh(vertices, faces, name=f"grid {n}")
    atlas = Atlas(
        (Region("side_l", "Left side", "left", "head"),
         Region("side_r", "Right side", "right", "head")),
        (Band("upper", "Upper band"),),
        np.where(mesh.vertices[:, 0] > 0, 0, 1),
        np.where(mesh.vertices[:, 1] > 0, 0, -1),
    )  # fmt: skip
    return mesh, atlas


def disk(mesh: BodyMesh, x: float, y: float, radius: float, value: int) -> np.ndarray:
    near = np.linalg.norm(mesh.vertices[:, :2] - [x, y], axis=1) <= radius
    return np.where(near, value, 0).astype(np.uint8)


def visit(store, client_id, mesh, day, practitioner, layers, rate, events=()):
    started = datetime(2026, *day, 9, 30, tzinfo=UTC)
    session = Session(client_id, mesh.geometry_hash, mesh.n_vertices, practitioner=practitioner,
                      started=started)  # fmt: skip
    for key, layer in layers.items():
        session.overlays.set_layer(key, layer)
    session.rhythm = [RhythmReading("head", "both", rate=rate), RhythmReading("heels", "left")]
    session.events = [SessionEvent(kind, started) for kind in events]
    store.save(session)
    return session


def fill_store(tmp_path):
    """A store with two meshes and four visits of one client (the last on the finer mesh)."""
    store = Store(tmp_path / "store")
    mesh, atlas = grid(12, 0.01)
    fine, fine_atlas = grid(23, 0.005)
    store.put_mesh(mesh, atlas)
    store.put_mesh(fine, fine_atlas)
    ada = store.create_client("Ada Lovelace")
    store.create_client("Bob Marley")
    first = {"restriction": disk(mesh, 0.02, 0.0, 0.03, 70),
             "pain": disk(mesh, -0.03, -0.03, 0.02, 50)}  # fmt: skip
    second = {"restriction": disk(mesh, 0.03, 0.01, 0.02, 40),
              "release": disk(mesh, 0.0, 0.0, 0.02, 60)}  # fmt: skip
    sessions = [
        visit(store, ada.id, mesh, (1, 5), "Zoë", first, 6.0,
              ("still_point", "still_point", "technique")),
        visit(store, ada.id, mesh, (2, 2), "Sam", second, 7.5, ("significance_detector",)),
        visit(store, ada.id, mesh, (3, 2), "Zoë",
              {"restriction": disk(mesh, 0.03, 0.01, 0.01, 30)}, 9.0),
        visit(store, ada.id, fine, (3, 30), "Zoë",
              {"restriction": disk(fine, 0.03, 0.01, 0.02, 20)}, 10.0),
    ]  # fmt: skip
    return store, sessions, (mesh, atlas), (fine, fine_atlas)
