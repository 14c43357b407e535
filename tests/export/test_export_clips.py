"""Spoken notes in exports: no audio unless asked, transcripts only with emotional content."""

from __future__ import annotations

import json
import wave
from datetime import UTC, datetime

import numpy as np
from test_export_cli import run

from bodymap.core.annotations import SpokenClip
from bodymap.export.session_report import session_report_html

WHEN = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
SAID = "Quietly-Marmalade-4417"


def _speech() -> np.ndarray:
    return np.random.default_rng(5).integers(-30000, 30000, 16000, dtype=np.int16)


def _with_note(session) -> SpokenClip:
    clip = SpokenClip(WHEN, _speech(), transcript=SAID, transcript_automatic=True,
                      event_id=session.events[0].id, id="k1")  # fmt: skip
    session.clips[clip.id] = clip
    return clip


def test_a_report_shows_transcripts_only_with_emotional_content(ball_source):
    _with_note(ball_source.session)
    full = session_report_html(ball_source, "", emotional_content=True)
    assert "Spoken notes" in full and f"{SAID} (automatic)" in full
    private = session_report_html(ball_source, "", emotional_content=False)
    assert "Spoken notes" not in private and SAID not in private


def _stored_with_note(store, ball, tmp_path):
    """A painted session with one spoken note, saved in ``store``; an empty output folder."""
    from export_helpers import painted_session

    mesh, atlas = ball
    session = painted_session(mesh, atlas, store.create_client("Ada").id, "front", "back")
    clip = _with_note(session)
    store.save(session)
    out = tmp_path / "out"
    out.mkdir()
    return session, clip, out


def test_exports_leave_audio_out_unless_asked(store, ball, tmp_path, capsys):
    session, clip, out = _stored_with_note(store, ball, tmp_path)
    status, lines, err = run(capsys, "export", session.id, "--store", store.root, "--json",
                             out / "s.json", "--csv", out / "f.csv")  # fmt: skip
    assert status == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["f.csv", "s.json"]
    exported = (out / "s.json").read_bytes()
    assert clip.samples[100:116].tobytes() not in exported
    notes = json.loads(exported)["session"]["clips"]
    assert notes == [{"id": "k1", "time": WHEN.isoformat(), "seconds": 1.0, "rate": 16000,
                      "transcript": SAID, "transcript_automatic": True,
                      "event_id": session.events[0].id, "pin_id": None}]  # fmt: skip
    status, lines, err = run(capsys, "export", session.id, "--store", store.root, "--json",
                             out / "a.json", "--include-audio")  # fmt: skip
    assert status == 0, err and lines[-1].endswith("a-note-1.wav")
    with wave.open(str(out / "a-note-1.wav"), "rb") as written:
        assert (written.getframerate(), written.getnchannels()) == (16000, 1)
        assert written.readframes(written.getnframes()) == clip.samples.tobytes()


def test_an_hdf5_copy_leaves_notes_out_unless_audio_is_asked_for(store, ball, tmp_path, capsys):
    import h5py

    from bodymap.store.session_file import read_session

    session, clip, out = _stored_with_note(store, ball, tmp_path)
    status, _, err = run(capsys, "export", session.id, "--store", store.root, "--hdf5",
                         out / "plain.h5")  # fmt: skip
    assert status == 0, err
    plain = (out / "plain.h5").read_bytes()
    assert clip.samples[100:116].tobytes() not in plain and SAID.encode() not in plain
    with h5py.File(out / "plain.h5", "r") as h5:
        assert "clips" not in h5
    copy, _ = read_session(out / "plain.h5")
    assert copy.clips == {} and copy.overlays.keys == session.overlays.keys
    assert [e.id for e in copy.events] == [e.id for e in session.events]
    status, _, err = run(capsys, "export", session.id, "--store", store.root, "--hdf5",
                         out / "full.h5", "--include-audio")  # fmt: skip
    assert status == 0, err
    assert (out / "full.h5").read_bytes() == store.record_bytes(session.id)
    assert read_session(out / "full.h5")[0].clips["k1"].audio().tobytes() == clip.samples.tobytes()
    assert (out / "full-note-1.wav").exists()
