"""A treatment session and a client: everything recorded in one visit, as plain data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from bodymap.core.annotations import ForceVector, Pin, SpokenClip, SurfacePoint, new_id
from bodymap.core.overlays import Overlays
from bodymap.core.tags import TagSet
from bodymap.core.validation import check_text
from bodymap.core.views import Camera

EVENT_KINDS = {
    "still_point": "Still point",
    "significance_detector": "Significance detector",
    "release": "Release",
    "emotional_release": "Emotional release",
    "technique": "Technique applied",
}
TEN_STEP_PROTOCOL = (
    "Still point",
    "Pelvic diaphragm release",
    "Respiratory diaphragm release",
    "Thoracic inlet release",
    "Hyoid release",
    "Cranial base release",
    "Sacrum",
    "Dural tube",
    "Frontal lift",
    "Parietal lift",
    "Sphenoid",
    "Temporals",
    "TMJ",
    "CV-4",
)
LISTENING_STATIONS = {
    "heels": "Heels",
    "feet_dorsum": "Dorsum of the feet",
    "thighs_anterior": "Anterior thighs",
    "pelvis": "Pelvis / ASIS",
    "ribs": "Ribs",
    "shoulders": "Shoulders",
    "head": "Head",
}
READING_SIDES = ("left", "right", "both")
SOAP_FIELDS = ("subjective", "objective", "assessment", "plan")


def utc_now() -> datetime:
    """Now, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def new_session_id() -> str:
    return "s-" + uuid.uuid4().hex


def new_client_id() -> str:
    return "c-" + uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class SessionEvent:
    """A timestamped moment of the session, optionally located on the body.

    ``dialogue`` holds what was said in an emotional release (emotional content).
    """

    kind: str
    time: datetime
    note: str = ""
    dialogue: str = ""
    technique: str = ""
    at: SurfacePoint | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}")
        if self.time.tzinfo is None:
            raise ValueError("event times must carry a time zone")

    @property
    def label(self) -> str:
        return EVENT_KINDS[self.kind]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "time": self.time.isoformat(),
            "note": self.note,
            "dialogue": self.dialogue,
            "technique": self.technique,
            "at": None if self.at is None else self.at.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> SessionEvent:
        at = data.get("at")
        return cls(
            kind=str(data["kind"]),
            time=datetime.fromisoformat(data["time"]),
            note=str(data.get("note", "")),
            dialogue=str(data.get("dialogue", "")),
            technique=str(data.get("technique", "")),
            at=None if at is None else SurfacePoint.from_dict(at),
            id=str(data["id"]),
        )


@dataclass(frozen=True)
class RhythmReading:
    """A craniosacral-rhythm reading at one listening station and side.

    ``rate`` in cycles per minute (typically 6 to 12); ``amplitude`` 0 to 10; ``symmetry``
    and ``quality`` in the practitioner's words. ``None`` where not assessed.
    """

    station: str
    side: str
    rate: float | None = None
    amplitude: float | None = None
    symmetry: str = ""
    quality: str = ""

    def __post_init__(self) -> None:
        if self.station not in LISTENING_STATIONS:
            raise ValueError(f"unknown listening station {self.station!r}")
        if self.side not in READING_SIDES:
            raise ValueError(f"unknown side {self.side!r}")
        if self.rate is not None and not 0.0 <= self.rate <= 60.0:
            raise ValueError(f"a rhythm rate of {self.rate} cycles per minute is not plausible")
        if self.amplitude is not None and not 0.0 <= self.amplitude <= 10.0:
            raise ValueError("amplitude is 0 to 10")

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict) -> RhythmReading:
        return cls(
            **{k: data.get(k) for k in ("station", "side", "rate", "amplitude")},
            symmetry=str(data.get("symmetry", "")),
            quality=str(data.get("quality", "")),
        )


@dataclass(frozen=True, eq=False)
class StrokeRecord:
    """One brush stroke or fill in the stroke log, enough to replay it.

    ``path`` holds the dab centres (K, 3) metres, ``seeds`` the vertex under each,
    ``pressure`` each dab's pen pressure; ``region`` names what a fill filled.
    """

    time: datetime
    kind: str  # "paint", "erase" or "fill"
    tags: tuple[str, ...]
    intensity: float
    radius: float
    soft: bool
    mirror: bool
    path: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.float32))
    seeds: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    pressure: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    view_position: tuple[float, float, float] = (0.0, 0.0, 0.0)
    view_direction: tuple[float, float, float] = (0.0, 0.0, -1.0)
    parallel: bool = False
    region: str = ""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StrokeRecord):
            return NotImplemented
        arrays = ("path", "seeds", "pressure")
        same = all(np.array_equal(getattr(self, a), getattr(other, a)) for a in arrays)
        rest = [k for k in self.__dataclass_fields__ if k not in arrays]
        return same and all(getattr(self, k) == getattr(other, k) for k in rest)

    __hash__ = None


@dataclass
class SoapNotes:
    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan: str = ""

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in SOAP_FIELDS}

    @classmethod
    def from_dict(cls, data: dict) -> SoapNotes:
        return cls(**{k: str(data.get(k, "")) for k in SOAP_FIELDS})


@dataclass(eq=False)
class Session:
    """One visit: who, when, on which mesh, and everything found and noted.

    ``carried_over_from`` names the session whose findings this one started from.
    ``finalised_at`` is set once the practitioner signs it; after that it never changes.
    """

    client_id: str
    mesh_hash: str
    n_vertices: int
    practitioner: str = ""
    started: datetime = field(default_factory=utc_now)
    id: str = field(default_factory=new_session_id)
    tags: TagSet = field(default_factory=TagSet)
    overlays: Overlays | None = None
    pins: dict[str, Pin] = field(default_factory=dict)
    vectors: dict[str, ForceVector] = field(default_factory=dict)
    events: list[SessionEvent] = field(default_factory=list)
    notes: SoapNotes = field(default_factory=SoapNotes)
    rhythm: list[RhythmReading] = field(default_factory=list)
    strokes: list[StrokeRecord] = field(default_factory=list)
    camera: Camera | None = None
    clips: dict[str, SpokenClip] = field(default_factory=dict)
    """Spoken notes by id (:class:`~bodymap.core.annotations.SpokenClip`)."""
    carried_over_from: str | None = None
    finalised_at: datetime | None = None
    body: dict = field(default_factory=dict)
    """The body it was recorded on (:class:`bodymap.core.bodies.BodySpec` as a dict);
    ``{}`` for a session recorded before bodies were recorded, or on a foreign mesh."""
    topology_id: str = ""
    """The mesh's connectivity (:func:`bodymap.core.bodies.topology_id`): sessions of one
    topology compare vertex by vertex even on bodies of another shape; ``""``: unknown."""

    def __post_init__(self) -> None:
        check_text(self.practitioner, "the practitioner's name")
        self.body = checked_body(self.body)
        if self.overlays is None:
            self.overlays = Overlays(self.n_vertices, self.tags.keys())
        if self.overlays.n_vertices != self.n_vertices:
            raise ValueError("the overlays do not match the session's mesh")

    @property
    def finalised(self) -> bool:
        return self.finalised_at is not None

    def require_editable(self) -> None:
        """Raise :class:`SessionFinalisedError` if the session is signed."""
        if self.finalised:
            raise SessionFinalisedError(
                "this session is finalised and read-only; add an amendment instead"
            )

    def same_record(self, other: Session) -> bool:
        """Whether two sessions hold the same record (used to check round trips)."""
        return (
            self.id == other.id
            and self.client_id == other.client_id
            and self.mesh_hash == other.mesh_hash
            and self.practitioner == other.practitioner
            and self.started == other.started
            and self.tags == other.tags
            and self.overlays.equals(other.overlays)
            and self.pins == other.pins
            and self.vectors == other.vectors
            and self.events == other.events
            and self.notes == other.notes
            and self.rhythm == other.rhythm
            and self.strokes == other.strokes
            and self.clips == other.clips
            and _same_camera(self.camera, other.camera)
            and self.carried_over_from == other.carried_over_from
            and self.finalised_at == other.finalised_at
            and self.body == other.body
            and self.topology_id == other.topology_id
        )


class SessionFinalisedError(PermissionError):
    """An edit was attempted on a finalised (signed) session."""


@dataclass
class Client:
    """A client of the practice. ``id`` is opaque and is what logs and file names use."""

    name: str
    id: str = field(default_factory=new_client_id)
    born: str = ""
    contact: str = ""
    notes: str = ""
    created: datetime = field(default_factory=utc_now)
    body: dict = field(default_factory=dict)
    """The client's body (:class:`bodymap.core.bodies.BodySpec` as a dict): chosen when the
    client is created, changeable; a new session uses it. ``{}``: the default body."""

    def __post_init__(self) -> None:
        self.body = checked_body(self.body)
        if not self.name.strip():
            raise ValueError("a client needs a name")
        check_text(self.name, "the client's name")
        for what in ("born", "contact"):
            check_text(getattr(self, what), f"the client's {what}", 1_000)
        check_text(self.notes, "the notes", 100_000)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "born": self.born,
            "contact": self.contact,
            "notes": self.notes,
            "created": self.created.isoformat(),
            "body": dict(self.body),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Client:
        return cls(
            name=str(data["name"]),
            id=str(data["id"]),
            born=str(data.get("born", "")),
            contact=str(data.get("contact", "")),
            notes=str(data.get("notes", "")),
            created=datetime.fromisoformat(data["created"]),
            body=data.get("body") or {},
        )


def carry_over(previous: Session, practitioner: str = "") -> Session:
    """A new session for the same client that starts from ``previous``'s findings.

    Layers, pins and vectors are copied and the new session records where they came from;
    notes, events, spoken notes, readings and the stroke log start empty.
    """
    return Session(
        client_id=previous.client_id,
        mesh_hash=previous.mesh_hash,
        n_vertices=previous.n_vertices,
        practitioner=practitioner or previous.practitioner,
        tags=previous.tags.copy(),
        overlays=previous.overlays.copy(),
        pins=dict(previous.pins),
        vectors=dict(previous.vectors),
        camera=previous.camera,
        carried_over_from=previous.id,
        body=dict(previous.body),
        topology_id=previous.topology_id,
    )


def checked_body(body) -> dict:
    """A body spec as stored in records (``{}``: the default body), or ValueError."""
    if not body:
        return {}
    from bodymap.core.bodies import BodySpec

    return BodySpec.from_dict(body).to_dict()


def _same_camera(a: Camera | None, b: Camera | None) -> bool:
    if a is None or b is None:
        return a is b
    return (
        np.allclose(a.position, b.position)
        and np.allclose(a.focal_point, b.focal_point)
        and np.allclose(a.up, b.up)
        and np.isclose(a.view_angle, b.view_angle)
        and np.isclose(a.parallel_scale, b.parallel_scale)
    )
