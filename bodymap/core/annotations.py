"""Located annotations: pins with notes, vectors of force drawn on the surface, and spoken
notes (audio clips) belonging to the session, an event or a pin."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from bodymap.core.tags import CYST_ORIGINS, CYST_STATES

Point = tuple[float, float, float]


def new_id() -> str:
    """A fresh opaque identifier."""
    return uuid.uuid4().hex


def _point(value) -> Point:
    p = tuple(float(c) for c in np.asarray(value, dtype=np.float64).reshape(3))
    if not all(np.isfinite(p)):
        raise ValueError("a location must be three finite numbers")
    return p


@dataclass(frozen=True)
class SurfacePoint:
    """A place on the body: the world point and the nearest vertex (for its region)."""

    point: Point
    vertex: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "point", _point(self.point))
        object.__setattr__(self, "vertex", int(self.vertex))

    def to_dict(self) -> dict:
        return {"point": list(self.point), "vertex": self.vertex}

    @classmethod
    def from_dict(cls, data: dict) -> SurfacePoint:
        return cls(tuple(data["point"]), int(data["vertex"]))


@dataclass(frozen=True)
class Pin:
    """A located note with a tag.

    ``said`` (what the client said) and ``emotion`` are emotional content: reports that
    leave the practice can omit them. ``cyst_origin``/``cyst_state`` apply to energy cysts.
    """

    at: SurfacePoint
    tag: str
    note: str = ""
    said: str = ""
    emotion: str = ""
    technique: str = ""
    cyst_origin: str = ""
    cyst_state: str = ""
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.cyst_origin and self.cyst_origin not in CYST_ORIGINS:
            raise ValueError(f"unknown energy-cyst origin {self.cyst_origin!r}")
        if self.cyst_state and self.cyst_state not in CYST_STATES:
            raise ValueError(f"unknown energy-cyst state {self.cyst_state!r}")

    def moved(self, at: SurfacePoint) -> Pin:
        return replace(self, at=at)

    def to_dict(self) -> dict:
        data = {k: getattr(self, k) for k in _PIN_TEXT}
        return {"id": self.id, "tag": self.tag, "at": self.at.to_dict(), **data}

    @classmethod
    def from_dict(cls, data: dict) -> Pin:
        text = {k: str(data.get(k, "")) for k in _PIN_TEXT}
        return cls(SurfacePoint.from_dict(data["at"]), str(data["tag"]), id=str(data["id"]), **text)


_PIN_TEXT = ("note", "said", "emotion", "technique", "cyst_origin", "cyst_state")


@dataclass(frozen=True)
class ForceVector:
    """A vector of force: where it entered (``start``) and the way it travelled (to ``end``)."""

    start: SurfacePoint
    end: SurfacePoint
    tag: str = "energy_cyst"
    note: str = ""
    id: str = field(default_factory=new_id)

    @property
    def length(self) -> float:
        return float(np.linalg.norm(np.subtract(self.end.point, self.start.point)))

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "tag": self.tag,
            "start": self.start.to_dict(),
            "end": self.end.to_dict(),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ForceVector:
        return cls(
            SurfacePoint.from_dict(data["start"]),
            SurfacePoint.from_dict(data["end"]),
            tag=str(data.get("tag", "energy_cyst")),
            note=str(data.get("note", "")),
            id=str(data["id"]),
        )


CLIP_RATE = 16000
"""Samples per second of a clip recorded in the app (the recogniser's rate)."""
MAX_CLIP_S = 600  # ten minutes: a note, not a recording of the whole session
MAX_TRANSCRIPT = 16_000
"""The longest transcript in characters: ten minutes of speech is about 9,000, and 16,000
characters of UTF-8 fit the 64 KiB a file's attribute may hold."""

SampleSource = Callable[[], np.ndarray]
"""Reads a stored clip's samples on demand (the store gives one per clip it opens)."""


@dataclass(frozen=True, eq=False)
class SpokenClip:
    """One spoken note: its audio, and a transcript the recogniser or a person wrote.

    Attributes
    ----------
    time : datetime
        When recording started (time-zone aware).
    samples : (N,) int16 array or None
        ``None`` for a clip read from a file: :meth:`audio` reads it from ``source`` on
        demand (opening a session of many notes reads none of them).
    rate : int
        Samples per second.
    transcript : str
        What it says; ``transcript_automatic`` is True while it is the recogniser's.
    event_id, pin_id : str or None
        The timeline event or pin it belongs to (``None``: the session as a whole).
    length : int
        The number of samples (given for a clip whose samples are not read yet).
    source : callable () -> samples, optional
    """

    time: datetime
    samples: np.ndarray | None
    rate: int = CLIP_RATE
    transcript: str = ""
    transcript_automatic: bool = False
    event_id: str | None = None
    pin_id: str | None = None
    id: str = field(default_factory=new_id)
    length: int = -1
    source: SampleSource | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.time.tzinfo is None:
            raise ValueError("a clip's time must carry a time zone")
        if not 8000 <= self.rate <= 48000:
            raise ValueError(f"a clip's sample rate {self.rate} is not 8000-48000")
        if len(self.transcript) > MAX_TRANSCRIPT:
            raise ValueError(f"a clip's transcript is longer than {MAX_TRANSCRIPT:,} characters")
        if self.samples is None:
            if self.source is None or self.length < 0:
                raise ValueError("a clip without samples needs their length and a source")
            length = self.length
        else:
            samples = _clip_samples(self.samples)
            object.__setattr__(self, "samples", samples)
            length = samples.size
        if length > MAX_CLIP_S * self.rate:
            raise ValueError(f"a clip may last {MAX_CLIP_S // 60} minutes at most")
        object.__setattr__(self, "length", length)

    @property
    def seconds(self) -> float:
        return self.length / self.rate

    @property
    def loaded(self) -> bool:
        """Whether the samples are in memory (else :meth:`audio` reads them)."""
        return self.samples is not None

    def audio(self) -> np.ndarray:
        """The (N,) int16 samples, read from the source once and then kept."""
        if self.samples is None:
            samples = _clip_samples(self.source())
            if samples.size != self.length:
                raise ValueError(f"the clip holds {samples.size} samples, not {self.length}")
            object.__setattr__(self, "samples", samples)
        return self.samples

    def corrected(self, transcript: str) -> SpokenClip:
        """The clip with a transcript a person wrote (no longer automatic)."""
        return replace(self, transcript=transcript, transcript_automatic=False)

    def attached(self, event_id: str | None = None, pin_id: str | None = None) -> SpokenClip:
        """The same clip belonging to another event or pin (both ``None``: the session)."""
        return replace(self, event_id=event_id, pin_id=pin_id)

    def same_fields(self, other: SpokenClip) -> bool:
        """Everything but the samples is equal (no samples are read)."""
        names = ("time", "rate", "transcript", "transcript_automatic", "event_id", "pin_id")
        return all(getattr(self, n) == getattr(other, n) for n in (*names, "id", "length"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpokenClip):
            return NotImplemented
        return self.same_fields(other) and np.array_equal(self.audio(), other.audio())

    __hash__ = None


def _clip_samples(values) -> np.ndarray:
    samples = np.ascontiguousarray(values)
    if samples.ndim != 1 or samples.dtype != np.int16:
        raise ValueError("a clip's samples must be one channel of int16")
    samples.setflags(write=False)
    return samples
