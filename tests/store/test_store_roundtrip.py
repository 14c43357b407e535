"""Saving and reloading: every field survives; listings, drafts, clients, meshes, the worker."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
from store_helpers import MESH_HASH, OTHER_MESH, full_session

from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Session
from bodymap.store import MeshMismatchError, NotFoundError, Store, StoreError, StoreWorker
from bodymap.store.hdf5_image import GZIP_LEVEL
from bodymap.store.session_codec import SCHEMA_VERSION

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3


def test_full_session_round_trip(store, client):
    session = full_session(client.id)
    store.save(session, thumbnail=PNG)
    loaded = store.load(session.id)
    assert loaded.same_record(session)
    assert loaded.notes.subjective.startswith("headaches 🙂")
    assert [s.path.shape for s in loaded.strokes] == [(0, 3), (1, 3), (5, 3)]
    assert loaded.strokes[0].path.dtype == np.float32 and loaded.strokes[2].seeds.dtype == np.int32
    assert store.thumbnail(session.id) == PNG


def test_reload_of_empty_session_and_saving_twice(store, client):
    session = Session(client.id, MESH_HASH, 50)
    store.save(session)
    session.overlays.values[3, 1] = 70
    store.save(session)
    assert store.load(session.id).same_record(session)
    assert store.thumbnail(session.id) is None


def test_file_is_self_describing(store, client):
    session = full_session(client.id)
    path = store.save(session)
    with h5py.File(path, "r") as h5:
        attrs = dict(h5.attrs)
        assert attrs["format"] == "bodymap-session" and attrs["schema_version"] == 3
        assert attrs["mesh_sha256"] == MESH_HASH and attrs["n_vertices"] == 200
        assert attrs["length_unit"] == "m" and attrs["app_version"]
        assert "topology_id" in attrs and json.loads(h5["body"][()]) == session.body
        assert h5["layers"].attrs["value_scale"] == 10
        layer = h5["layers/restriction"]
        assert layer.dtype == np.uint8 and layer.fletcher32 and layer.shuffle
        assert layer.compression == "gzip" and layer.compression_opts == GZIP_LEVEL
        assert len(attrs["content_sha256"]) == 64
        assert sorted(h5["layers"]) == sorted(session.overlays.painted_keys())


def test_thumbnail_is_kept_when_not_given_again(store, client):
    session = full_session(client.id)
    store.save(session, thumbnail=PNG)
    session.notes.plan = "changed"
    store.save(session)
    assert store.thumbnail(session.id) == PNG


def test_listing_reads_attributes_and_sorts_by_date(store, client):
    later = full_session(client.id, seed=1)
    earlier = Session(client.id, MESH_HASH, 200, started=later.started.replace(year=2025))
    store.save(later, thumbnail=PNG)
    store.save(earlier)
    infos = store.sessions(client.id)
    assert [i.id for i in infos] == [earlier.id, later.id]
    assert all(i.readable for i in infos)
    assert infos[1].has_thumbnail and not infos[0].has_thumbnail
    assert infos[1].n_layers == 3 and infos[1].carried_over_from == "s-previous"
    assert infos[1].practitioner == "Zoë Ångström" and not infos[1].finalised


def test_mesh_mismatch_is_refused(store, client):
    session = full_session(client.id)
    store.save(session)
    with pytest.raises(MeshMismatchError, match="another body mesh"):
        store.load(session.id, mesh=OTHER_MESH)
    assert store.load(session.id, mesh=MESH_HASH).same_record(session)
    info = store.sessions(client.id, mesh_hash=OTHER_MESH)[0]
    assert not info.readable and "another body mesh" in info.reason


def test_new_session_carries_over_the_latest(store, client):
    first = full_session(client.id)
    store.save(first)
    fresh = store.new_session(client.id, MESH_HASH, 200, practitioner="Bea")
    assert fresh.carried_over_from == first.id and fresh.practitioner == "Bea"
    assert fresh.overlays.equals(first.overlays) and fresh.pins == first.pins
    assert fresh.notes.subjective == "" and fresh.strokes == []
    blank = store.new_session(client.id, MESH_HASH, 200, from_previous=False)
    assert blank.carried_over_from is None and blank.overlays.is_empty()
    other_mesh = store.new_session(client.id, OTHER_MESH, 30)
    assert other_mesh.carried_over_from is None and other_mesh.n_vertices == 30
    with pytest.raises(NotFoundError):
        store.new_session("c-nobody", MESH_HASH, 200)


def test_drafts(store, client):
    session = full_session(client.id)
    store.save_draft(session)
    assert store.sessions(client.id) == []  # drafts are never sessions
    (draft,) = store.drafts()
    assert (draft.session_id, draft.client_id, draft.has_saved_session) == (
        session.id, client.id, False
    )  # fmt: skip
    assert store.load_draft(session.id).same_record(session)
    store.save(session)
    assert store.drafts() == [] and store.layout.find("drafts", session.id) is None
    session.notes.plan = "typed after saving"
    store.save_draft(session)
    (draft,) = store.drafts()
    assert draft.has_saved_session
    assert store.load_draft(session.id).notes.plan == "typed after saving"
    assert store.discard_draft(session.id) and store.drafts() == []
    assert not store.discard_draft(session.id)


def test_stale_draft_older_than_the_saved_session_is_not_offered(store, client):
    session = full_session(client.id)
    store.save_draft(session)
    draft = store.layout.find("drafts", session.id)
    kept = draft.read_bytes()
    store.save(session)  # removes the draft; put the older one back as if removal failed
    draft.parent.mkdir(parents=True, exist_ok=True)
    draft.write_bytes(kept)
    assert store.drafts() == []


def test_clients_create_find_edit(store):
    ada = store.create_client("Ada Lovelace")
    bob = store.create_client("Bob Marley", notes="reggae")
    assert [c.name for c in store.clients()] == ["Ada Lovelace", "Bob Marley"]
    assert store.find_clients("LOVE") == [ada]
    assert store.find_clients(bob.id[-6:].upper()) == [bob]
    edited = store.edit_client(bob.id, contact="+44 1234")
    assert store.client(bob.id).contact == "+44 1234" == edited.contact
    assert store.client(bob.id).notes == "reggae"
    assert store.layout.client_file(ada.id).name == f"{ada.id}.json"
    with pytest.raises(NotFoundError):
        store.client("c-missing")


def test_mesh_is_kept_once(store):
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]], np.int32)
    mesh = BodyMesh(vertices, faces, np.array([0, 0, 0, 1], bool), name="tetra")
    atlas = Atlas(
        (Region("occ", "Occipital", "midline", "head"),),
        (Band("cb", "Cranial base"),),
        np.array([0, 0, -1, -1]),
        np.array([-1, 0, 0, -1]),
    )
    path = store.put_mesh(mesh, atlas)
    modified = path.stat().st_mtime_ns
    assert store.put_mesh(mesh, atlas) == path and path.stat().st_mtime_ns == modified
    got_mesh, got_atlas = store.get_mesh(mesh.geometry_hash)
    assert got_mesh.geometry_hash == mesh.geometry_hash
    assert np.array_equal(got_mesh.internal, mesh.internal) and got_mesh.name == "tetra"
    assert got_atlas.regions == atlas.regions and got_atlas.bands == atlas.bands
    assert np.array_equal(got_atlas.region_index, atlas.region_index)
    assert np.array_equal(got_atlas.band_index, atlas.band_index)
    assert store.verify().ok


def test_worker_saves_in_the_background(store, client):
    session = full_session(client.id)
    with StoreWorker(store) as worker:
        first = worker.save_draft(session)
        session.notes.plan = "edited while the worker runs"
        assert first.result(timeout=10).exists()
        saved = worker.save(session)
        session.notes.plan = "not saved"  # the worker saved a snapshot
        saved.result(timeout=10)
        listing = worker.submit(store.sessions, client.id).result(timeout=10)
    assert [i.id for i in listing] == [session.id]
    assert store.load(session.id).notes.plan == "edited while the worker runs"


def test_worker_coalesces_queued_drafts(store, client):
    session = full_session(client.id)
    with StoreWorker(store) as worker:
        gate = worker.submit(lambda: None)
        futures = []
        for n in range(5):
            session.notes.plan = f"draft {n}"
            futures.append(worker.save_draft(session))
        gate.result(timeout=10)
        paths = {f.result(timeout=10) for f in futures}
    assert len(paths) == 1
    assert store.load_draft(session.id).notes.plan == "draft 4"


def test_worker_reports_errors_through_the_future(store, client):
    session = full_session(client.id)
    store.finalise(session)
    with StoreWorker(store) as worker:
        future = worker.save_draft(session)
        with pytest.raises(PermissionError):
            future.result(timeout=10)


def test_missing_and_malformed_ids(store):
    with pytest.raises(NotFoundError):
        store.load("s-nothing")
    with pytest.raises(StoreError, match="not a valid id"):
        store.load("../../etc/passwd")


def test_unpainted_chunks_are_not_stored_but_read_as_zero(store, client):
    session = Session(client.id, MESH_HASH, 200_000)
    session.overlays.values[70_000:70_100, 3] = 42
    path = store.save(session)
    with h5py.File(path, "r") as h5:
        layer = h5["layers/pain"]
        assert layer.id.get_num_chunks() == 1 < -(-layer.shape[0] // layer.chunks[0])
        assert layer.fillvalue == 0 and int(layer[()].sum()) == 42 * 100
    assert store.load(session.id).same_record(session)
    assert store.verify().ok


def test_a_session_file_of_schema_1_opens_exactly_as_before(tmp_path):
    """Written by BodyMap 0.1 (tests/store/data): every field as saved, no body recorded;
    saved again, it becomes the current schema and still holds the same record."""
    import shutil
    from pathlib import Path

    import h5py

    from bodymap.store.session_file import read_session

    fixture = Path(__file__).with_name("data") / "schema1_session.h5"
    session, header = read_session(fixture)
    expected = full_session("c-schema1fixture", n_vertices=64, seed=7)
    expected.id = "s-schema1fixture0000000000000000"
    assert header.schema_version == 1
    assert session.same_record(expected) and session.body == {} and session.topology_id == ""
    store = Store(tmp_path / "store")
    target = store.layout.session_file("c-schema1fixture", session.id)
    target.parent.mkdir(parents=True)
    shutil.copy(fixture, target)
    loaded = store.load(session.id)
    assert loaded.same_record(expected)
    store.save(loaded)
    with h5py.File(target, "r") as h5:
        assert int(h5.attrs["schema_version"]) == SCHEMA_VERSION
    assert store.load(session.id).same_record(expected)


def test_the_body_a_session_was_recorded_on_round_trips(store, client):
    session = full_session(client.id)
    session.body = {"body_id": "adult_male", "height_m": 1.85, "weight_kg": 80.0}
    session.topology_id = "topo-e7037c4cc6e977ed"
    store.save(session)
    loaded = store.load(session.id)
    assert loaded.same_record(session)
    assert loaded.body == session.body and loaded.topology_id == session.topology_id
    assert store.session_info(session.id).readable


def test_a_client_keeps_its_body(store):
    client = store.create_client("Tall Client", body={"body_id": "adult_male", "height_m": 1.95})
    assert store.client(client.id).body == {"body_id": "adult_male", "height_m": 1.95}
    edited = store.edit_client(client.id, body={"body_id": "older_male"})
    assert store.client(edited.id).body == {"body_id": "older_male"}
    with pytest.raises(ValueError, match="unknown body spec"):
        store.create_client("Bad Body", body={"body_id": "x", "wings": 2})
