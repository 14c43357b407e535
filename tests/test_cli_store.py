"""``bodymap sessions``, ``stats`` and ``verify`` on a store in tmp_path, run in-process."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bodymap.cli import main
from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.findings import tag_findings
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Session
from bodymap.store import Store


def grid_mesh(n: int = 12) -> BodyMesh:
    """A flat n x n grid, 1 cm apart."""
    xs = np.arange(n) * 0.01
    x, y = np.meshgrid(xs, xs, indexing="ij")
    vertices = np.stack([x.ravel(), y.ravel(), np.zeros(n * n)], axis=1)
    idx = np.arange(n * n).reshape(n, n)
    a, b, c, d = idx[:-1, :-1], idx[1:, :-1], idx[1:, 1:], idx[:-1, 1:]
    faces = np.concatenate([np.stack([a, b, c], -1).reshape(-1, 3),
                            np.stack([a, c, d], -1).reshape(-1, 3)])  # fmt: skip
    return BodyMesh(vertices, faces, name="grid")


@pytest.fixture
def filled_store(tmp_path):
    """A store with a mesh, two clients and a painted session; (store, session, mesh, atlas)."""
    mesh = grid_mesh()
    half = mesh.n_vertices // 2
    atlas = Atlas(
        (Region("left_part", "Left part", "left", "head"),
         Region("right_part", "Right part", "right", "head")),
        (Band("cb", "Cranial base"),),
        np.repeat([0, 1], [half, mesh.n_vertices - half]),
        np.full(mesh.n_vertices, -1),
    )  # fmt: skip
    store = Store(tmp_path / "store")
    store.put_mesh(mesh, atlas)
    ada = store.create_client("Ada Lovelace")
    store.create_client("Bob Marley")
    session = Session(ada.id, mesh.geometry_hash, mesh.n_vertices, practitioner="Zoë")
    session.overlays.values[10:90, 0] = 55
    session.overlays.values[60:70, 3] = 100
    store.save(session)
    return store, session, mesh, atlas


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_sessions_json(filled_store, capsys):
    store, session, _, _ = filled_store
    status, out, _ = run(capsys, "sessions", "--store", str(store.root), "--json")
    listing = json.loads(out)
    assert status == 0 and listing["store"] == str(store.root)
    by_name = {c["name"]: c for c in listing["clients"]}
    assert [s["id"] for s in by_name["Ada Lovelace"]["sessions"]] == [session.id]
    assert by_name["Bob Marley"]["sessions"] == []
    first = by_name["Ada Lovelace"]["sessions"][0]
    assert first["readable"] and first["n_layers"] == 2 and first["practitioner"] == "Zoë"


def test_sessions_for_one_client_and_unreadable_files(filled_store, capsys):
    store, session, _, _ = filled_store
    broken = store.layout.session_file(session.client_id, "s-broken")
    broken.write_bytes(b"not hdf5")
    status, out, _ = run(capsys, "sessions", "--store", str(store.root), "--client", "lovelace")
    assert status == 0 and "Ada Lovelace" in out and "Bob" not in out
    assert "UNREADABLE s-broken.h5: not an HDF5 file" in out and session.id in out
    status, _, err = run(capsys, "sessions", "--store", str(store.root), "--client", "nobody")
    assert status == 1 and err.startswith("bodymap: no client matches") and err.count("\n") == 1


def test_stats_equal_core_findings(filled_store, capsys):
    store, session, mesh, atlas = filled_store
    status, out, _ = run(capsys, "stats", session.id, "--store", str(store.root), "--json")
    stats = json.loads(out)
    expected = [f.to_dict() for f in tag_findings(session.overlays, session.tags, mesh, atlas)]
    assert status == 0 and stats["session"] == session.id
    assert stats["tags"] == json.loads(json.dumps(expected))
    assert {r["region_key"] for r in stats["tags"][0]["regions"]} == {"left_part", "right_part"}
    assert store.audit.entries()[-1]["action"] == "open"
    path = store.layout.session_file(session.client_id, session.id)
    status, out, _ = run(capsys, "stats", str(path), "--store", str(store.root))
    assert status == 0 and "Restriction" in out and "cm²" in out


def test_stats_on_the_default_body(tmp_path, capsys):
    from bodymap.io.default_body import load_default_body

    mesh, atlas = load_default_body()
    store = Store(tmp_path / "store")
    client = store.create_client("Default Body Client")
    session = Session(client.id, mesh.geometry_hash, mesh.n_vertices)
    session.overlays.values[1000:5000, 3] = 80  # pain
    store.save(session)
    status, out, _ = run(capsys, "--store", str(store.root), "stats", session.id, "--json")
    (pain,) = json.loads(out)["tags"]
    (expected,) = tag_findings(session.overlays, session.tags, mesh, atlas)
    assert status == 0 and pain["tag"] == "pain"
    assert pain["total"]["area_cm2"] == pytest.approx(expected.total.area_cm2)
    assert pain["total"]["peak_intensity"] == 8.0


def test_stats_errors_are_one_line(filled_store, capsys, tmp_path):
    store, _, _, _ = filled_store
    status, _, err = run(capsys, "stats", "s-missing", "--store", str(store.root))
    assert status == 1 and err == "bodymap: no session s-missing in the store\n"
    status, _, err = run(capsys, "sessions", "--store", str(tmp_path / "nowhere"))
    assert status == 1 and "no session store at" in err


def test_verify(filled_store, capsys):
    store, session, _, _ = filled_store
    status, out, _ = run(capsys, "verify", "--store", str(store.root))
    assert status == 0 and out.strip().endswith("OK")
    status, out, _ = run(capsys, "verify", "--store", str(store.root), "--json")
    report = json.loads(out)
    assert (
        status == 0 and report["ok"] and report["audit"]["entries"] == 6
    )  # 3 changes, each intent + commit
    kinds = sorted(f["kind"] for f in report["files"])
    assert kinds == ["client", "client", "mesh", "session"]
    path = store.layout.session_file(session.client_id, session.id)
    path.write_bytes(path.read_bytes()[:-100])
    status, out, _ = run(capsys, "verify", "--store", str(store.root), "--json")
    report = json.loads(out)
    bad = [f for f in report["files"] if not f["ok"]]
    assert status == 1 and not report["ok"] and [f["kind"] for f in bad] == ["session"]
    status, out, _ = run(capsys, "verify", "--store", str(store.root))
    assert status == 1 and f"FAIL  sessions/{session.client_id}/{session.id}.h5:" in out


def test_app_entry_passes_store_and_client(monkeypatch, tmp_path):
    calls = []

    def fake_run_app(mesh_path=None, **kwargs):
        calls.append((mesh_path, kwargs))
        return 0

    monkeypatch.setattr("bodymap.ui.app.run_app", fake_run_app)
    assert main(["--store", str(tmp_path), "--client", "Ada"]) == 0
    assert main([]) == 0
    assert calls == [(None, {"store_dir": tmp_path, "client": "Ada"}), (None, {})]
