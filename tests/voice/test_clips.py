"""Spoken-note clips: what the store would keep, with the transcript marked automatic."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from bodymap.voice.clips import SpokenClip, record_clip

WHEN = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def test_a_recorded_clip_carries_an_automatic_transcript():
    clip = record_clip(np.zeros(8000, dtype=np.int16), WHEN, lambda s: " client felt warmth ",
                       event_id="e1")  # fmt: skip
    assert (clip.transcript, clip.transcript_automatic, clip.event_id) == (
        "client felt warmth", True, "e1",
    )  # fmt: skip
    assert clip.seconds == 0.5 and not clip.samples.flags.writeable
    fixed = clip.corrected("client felt warmth in the chest")
    assert not fixed.transcript_automatic and fixed.id == clip.id


def test_a_clip_without_a_transcriber_has_no_transcript():
    clip = record_clip(np.zeros(160, dtype=np.int16), WHEN)
    assert clip.transcript == "" and not clip.transcript_automatic


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time": datetime(2026, 3, 4)}, "time zone"),
        ({"samples": np.zeros((2, 10), dtype=np.int16)}, "one channel"),
        ({"samples": np.zeros(10, dtype=np.float32)}, "int16"),
        ({"rate": 4000}, "sample rate"),
    ],
)
def test_bad_clips_are_refused(change, message):
    fields = {"time": WHEN, "samples": np.zeros(10, dtype=np.int16), **change}
    with pytest.raises(ValueError, match=message):
        SpokenClip(**fields)
