"""Spoken notes in a session file (schema 3): ``/clips/<id>``, one int16 dataset a clip.

Each clip's samples are a 1-D int16 dataset (shuffle + deflate + fletcher32, like every
array); its other fields are attributes of that dataset (see ``docs/SESSION_FORMAT.md``,
"Spoken notes"). Opening a session reads the attributes only: each clip gets a source
that reads its samples from the file's bytes when it is played or saved again, so a
session of many notes opens as fast as one without.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

import h5py
import numpy as np

from bodymap.core.annotations import SpokenClip
from bodymap.store.hdf5_image import FilePlan, read_dataset
from bodymap.store.limits import (
    check_clip_group,
    checked_clip_id,
    clip_bytes_allowed,
    read_clip_fields,
    reading,
)

CLIPS_SINCE = 3
"""The schema that added ``/clips``."""
CLIP_GROUP = "clips"


def plan_clips(plan: FilePlan, clips: dict[str, SpokenClip]) -> None:
    """Add every clip of a session to ``plan`` (no group at all when there is none)."""
    preload(clips.values())
    for clip in clips.values():
        path = f"/{CLIP_GROUP}/{clip.id}"
        plan.array(path, clip.audio())
        plan.attr(path, "time", clip.time.isoformat())
        plan.attr(path, "rate", int(clip.rate))
        plan.attr(path, "transcript", clip.transcript)
        plan.attr(path, "transcript_automatic", int(clip.transcript_automatic))
        plan.attr(path, "event_id", clip.event_id or "")
        plan.attr(path, "pin_id", clip.pin_id or "")


def read_clips(
    h5: h5py.File, path: Path, schema_version: int, data: bytes | None = None
) -> dict[str, SpokenClip]:
    """The clips of an open session file, without their samples (read on demand).

    ``data``: the file's bytes (what the clips' samples are read from later); without
    them the open file's image is taken. Files before schema 3 have no clips.
    """
    if schema_version < CLIPS_SINCE or CLIP_GROUP not in h5:
        return {}
    group = check_clip_group(h5, CLIP_GROUP)
    names = list(group)
    if names and data is None:
        data = h5.id.get_file_image()
    clips, reader = {}, ClipReader(path, data)
    for name in names:
        clip_id = checked_clip_id(name)
        fields, length = read_clip_fields(h5, f"{CLIP_GROUP}/{clip_id}")
        source = functools.partial(reader.samples, clip_id)
        clips[clip_id] = SpokenClip(
            time=datetime.fromisoformat(fields["time"]),
            samples=None,
            rate=fields["rate"],
            transcript=fields["transcript"],
            transcript_automatic=bool(fields["transcript_automatic"]),
            event_id=fields["event_id"] or None,
            pin_id=fields["pin_id"] or None,
            id=clip_id,
            length=length,
            source=source,
        )
    return clips


class ClipReader:
    """Reads the samples of one file's clips from its bytes, several at one opening.

    Playing a note reads that note; saving the session again reads every note not yet
    read with one opening of the file (:func:`preload`), not one opening per note.
    """

    def __init__(self, path: Path, data: bytes) -> None:
        self.path, self._data = path, data
        self._read: dict[str, np.ndarray] = {}

    def samples(self, clip_id: str) -> np.ndarray:
        """The samples of ``clip_id``; SessionReadError (one line) if they are damaged."""
        if clip_id not in self._read:
            self.read_many([clip_id])
        return self._read.pop(clip_id)  # the clip keeps them from now on

    def read_many(self, clip_ids: list[str]) -> None:
        # Imported here: session_file imports the codec that imports this module.
        from bodymap.store.session_file import open_file

        with reading(self.path, "spoken note"), open_file(self.path, self._data) as h5:
            limit = clip_bytes_allowed(h5)
            for clip_id in clip_ids:
                name = f"{CLIP_GROUP}/{checked_clip_id(clip_id)}"
                self._read[clip_id] = read_dataset(h5, name, limit, dtype=np.int16, ndim=1)


def preload(clips) -> None:
    """Read the samples of every clip not yet read, one opening per file they came from."""
    waiting: dict[ClipReader, list[SpokenClip]] = {}
    for clip in clips:
        reader = getattr(clip.source, "func", None)
        if not clip.loaded and isinstance(getattr(reader, "__self__", None), ClipReader):
            waiting.setdefault(reader.__self__, []).append(clip)
    for reader, unread in waiting.items():
        reader.read_many([clip.id for clip in unread])
        for clip in unread:
            clip.audio()
