"""Located annotations: pins with notes, and vectors of force drawn on the surface."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

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
