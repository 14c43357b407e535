"""Spoken notes in session files (schema 3): round trips in a plain and a protected store,
samples read only when asked for, bounds on what a file declares, and older files."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import h5py
import numpy as np
import pytest
from store_helpers import full_session

from bodymap.core.annotations import SpokenClip
from bodymap.store import Store, StoreError
from bodymap.store.clip_codec import ClipReader
from bodymap.store.errors import SessionReadError
from bodymap.store.keys import unlock
from bodymap.store.protection import protect
from bodymap.store.session_codec import SCHEMA_VERSION
from bodymap.store.session_file import read_session

PASSPHRASE = "correct horse battery"
WHEN = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
DATA = Path(__file__).with_name("data")


def _speech(seconds: float, seed: int) -> np.ndarray:
    """Samples no compressor can shrink, and that never occur by chance in a file."""
    rng = np.random.default_rng(seed)
    return rng.integers(-30000, 30000, int(16000 * seconds), dtype=np.int16)


def with_clips(client_id: str):
    session = full_session(client_id)
    event = session.events[1].id
    session.clips = {
        "k1": SpokenClip(
            WHEN,
            _speech(1.5, 1),
            transcript="warmth in the chest",
            transcript_automatic=True,
            event_id=event,
            id="k1",
        ),  # fmt: skip
        "k2": SpokenClip(WHEN + timedelta(minutes=3), _speech(0.5, 2), pin_id="p1", id="k2"),
        "k3": SpokenClip(WHEN, np.zeros(0, np.int16), transcript="ça va 🙂", id="k3"),
    }
    return session


def test_spoken_notes_round_trip_through_the_session_file(store, client):
    session = with_clips(client.id)
    path = store.save(session)
    loaded = store.load(session.id)
    assert loaded.same_record(session)
    k1 = loaded.clips["k1"]
    assert (k1.transcript, k1.transcript_automatic, k1.event_id, k1.pin_id) == (
        "warmth in the chest", True, session.events[1].id, None,
    )  # fmt: skip
    assert loaded.clips["k2"].pin_id == "p1" and loaded.clips["k3"].transcript == "ça va 🙂"
    with h5py.File(path, "r") as h5:
        assert h5.attrs["schema_version"] == SCHEMA_VERSION == 3
        stored = h5["clips/k1"]
        assert stored.dtype == np.int16 and stored.compression == "gzip" and stored.fletcher32
        assert stored.attrs["rate"] == 16000 and stored.attrs["transcript_automatic"] == 1
    assert store.verify().ok


def test_opening_reads_no_samples_until_a_note_is_played(store, client):
    session = with_clips(client.id)
    store.save(session)
    loaded = store.load(session.id)
    assert not any(clip.loaded for clip in loaded.clips.values())
    assert loaded.clips["k2"].seconds == 0.5  # known without reading the samples
    assert np.array_equal(loaded.clips["k2"].audio(), session.clips["k2"].samples)
    assert loaded.clips["k2"].loaded and not loaded.clips["k1"].loaded


def test_a_loaded_session_saved_again_keeps_every_note(store, client, monkeypatch):
    session = with_clips(client.id)
    store.save(session)
    loaded = store.load(session.id)
    del loaded.clips["k3"]
    openings = []
    read_many = ClipReader.read_many
    monkeypatch.setattr(ClipReader, "read_many", lambda r, ids: (openings.append(ids),
                                                                  read_many(r, ids)))  # fmt: skip
    store.save(loaded)  # the unplayed notes are read from the file they came from, at once
    assert [sorted(ids) for ids in openings] == [["k1", "k2"]]
    again = store.load(session.id)
    assert set(again.clips) == {"k1", "k2"}
    assert np.array_equal(again.clips["k1"].audio(), session.clips["k1"].samples)


def test_spoken_notes_are_encrypted_in_a_protected_store(tmp_path):
    root = tmp_path / "store"
    store = Store(root)
    client = store.create_client("Ada")
    keys, _ = protect(root, PASSPHRASE, cost=2**10)
    store = Store(root, unlock(root, PASSPHRASE))
    session = with_clips(client.id)
    path = store.save(session)
    disk = b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())
    for clip in ("k1", "k2"):
        window = session.clips[clip].samples[4000:4032].tobytes()  # 64 bytes of speech
        assert window not in disk
    assert b"warmth in the chest" not in disk
    loaded = store.load(session.id)
    assert loaded.same_record(session) and store.verify().ok
    with pytest.raises(OSError):  # the file on disk is an envelope, not HDF5
        h5py.File(path, "r")


def test_older_session_files_open_with_no_spoken_notes(tmp_path):
    for name, version in (("schema1_session.h5", 1), ("schema2_session.h5", 2)):
        session, header = read_session(DATA / name)
        assert header.schema_version == version and session.clips == {}
    session, _ = read_session(DATA / "schema2_session.h5")
    expected = full_session("c-schema2fixture", n_vertices=64, seed=8)
    expected.id, expected.topology_id = "s-schema2fixture0000000000000000", "t-schema2fixture"
    assert session.same_record(expected)
    store = Store(tmp_path / "store")
    target = store.layout.session_file("c-schema2fixture", session.id)
    target.parent.mkdir(parents=True)
    shutil.copy(DATA / "schema2_session.h5", target)
    loaded = store.load(session.id)
    loaded.clips["k1"] = SpokenClip(WHEN, _speech(0.2, 3), id="k1")
    store.save(loaded)  # saved again it is schema 3, with the note
    again = store.load(session.id)
    assert again.same_record(loaded) and again.clips["k1"] == loaded.clips["k1"]


def _damaged(store, client, edit) -> Path:
    session = with_clips(client.id)
    path = store.save(session)
    path.chmod(0o600)
    with h5py.File(path, "r+") as h5:
        edit(h5)
    return session.id


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda h5: h5["clips/k1"].attrs.__setitem__("rate", 100), "rate"),
        (lambda h5: h5["clips/k1"].attrs.__setitem__("rate", "fast"), "rate"),
        (lambda h5: h5["clips/k1"].attrs.__delitem__("time"), "time"),
        (lambda h5: h5["clips/k1"].attrs.__setitem__("time", "2026-03-04T10:00"), "time zone"),
        (lambda h5: h5["clips/k1"].attrs.__setitem__("transcript", "w" * 70_000), "longer"),
        (lambda h5: h5["clips/k1"].attrs.__setitem__("transcript_automatic", 7), "automatic"),
        (lambda h5: h5.create_dataset("clips/bad name", data=np.zeros(3, np.int16)), "id"),
        (lambda h5: _replace(h5, "clips/k2", np.ones(5, np.float32)), "int16"),
        (lambda h5: _replace(h5, "clips/k2", np.ones((5, 2), np.int16)), "int16"),
        (
            lambda h5: [h5.create_dataset(f"clips/x{i}", data=[1]) for i in range(300)],
            "more than 256",
        ),
        (
            lambda h5: h5.create_dataset("clips/k9", shape=(2**40,), chunks=(4096,), dtype="i2"),
            "declares",
        ),  # fmt: skip
    ],
)
def test_what_a_file_declares_of_its_notes_is_bounded(store, client, edit, reason):
    session_id = _damaged(store, client, edit)
    with pytest.raises(SessionReadError, match=reason):
        store.load(session_id)


def test_damaged_samples_fail_when_played_with_one_line(store, client):
    session = with_clips(client.id)
    path = store.save(session)
    data = bytearray(path.read_bytes())
    window = session.clips["k1"].samples.tobytes()
    with h5py.File(path, "r") as h5:  # where k1's one chunk lies in the file
        offset = h5["clips/k1"].id.get_chunk_info(0).byte_offset
    data[offset + 100] ^= 0xFF
    path.chmod(0o600)
    path.write_bytes(bytes(data))
    loaded = store.load(session.id)  # the notes' fields are intact: it opens
    with pytest.raises(StoreError, match="spoken note") as caught:
        loaded.clips["k1"].audio()
    assert "\n" not in str(caught.value) and window  # one line


def _replace(h5: h5py.File, name: str, data: np.ndarray) -> None:
    attrs = dict(h5[name].attrs)
    del h5[name]
    h5.create_dataset(name, data=data)
    h5[name].attrs.update(attrs)
