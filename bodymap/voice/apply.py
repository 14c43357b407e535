"""A voice command as one undoable edit of the open session.

A finding fills its region or band through :func:`bodymap.core.brush_tool.fill` (the same
fill as the Fill tool) and, for an energy cyst with a spoken origin, adds a pin carrying the
origin at the middle of the place; an event command adds the event now. The parts go into
one :class:`VoiceEdit`, so one undo takes the whole command back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from bodymap.core.annotations import Pin, SurfacePoint
from bodymap.core.brush_tool import BrushSettings, fill
from bodymap.core.brush_tool import place_vertices as fill_place_vertices  # one choice
from bodymap.core.document import SessionDocument
from bodymap.core.edits import AnnotationEdit, Change, Edit, EventEdit
from bodymap.core.session import EVENT_KINDS, SessionEvent, utc_now
from bodymap.voice.commands import VoiceCommand
from bodymap.voice.vocabulary import Place


@dataclass(eq=False)
class VoiceEdit:
    """Several core edits applied in order and reverted in reverse, as one undo step."""

    parts: tuple[Edit, ...]
    text: str

    def apply(self, session) -> Change:
        changes = [part.apply(session) for part in self.parts]
        return changes[0] if len(changes) == 1 else Change("session")

    def revert(self, session) -> Change:
        changes = [part.revert(session) for part in reversed(self.parts)]
        return changes[0] if len(changes) == 1 else Change("session")


def place_vertices(document: SessionDocument, place: Place) -> np.ndarray:
    """The paintable vertices of a region or band: exactly what the Fill tool and replay
    take (:func:`bodymap.core.brush_tool.place_vertices`)."""
    return fill_place_vertices(place.key, document.mesh, document.atlas)


def place_centre(document: SessionDocument, vertex_ids: np.ndarray) -> SurfacePoint:
    """The vertex of a place nearest its centroid: where a spoken pin or event is put."""
    points = document.mesh.vertices[vertex_ids].astype(np.float64)
    nearest = int(vertex_ids[np.argmin(((points - points.mean(axis=0)) ** 2).sum(axis=1))])
    return SurfacePoint(document.mesh.vertices[nearest], nearest)


def command_edit(
    command: VoiceCommand, document: SessionDocument, now: datetime | None = None
) -> VoiceEdit | None:
    """The edit a finding or event command makes (``None`` if it would change nothing).

    The fill is already written into the layers when this returns (as the Fill tool's is);
    applying the edit writes the same values again and logs the stroke.

    Raises
    ------
    SessionFinalisedError
        The session is finalised.
    ValueError
        An undo command (the undo stack handles it), or a tag or place not in the session.
    """
    document.session.require_editable()
    when = now or utc_now()
    if command.kind == "event":
        event = SessionEvent(command.event, when, note="by voice")
        return VoiceEdit((EventEdit(None, event),), f"add {event.label.lower()} event by voice")
    if command.kind != "finding":
        raise ValueError(f"a {command.kind!r} command is not an edit")
    session = document.session
    if command.tag not in session.tags:
        raise ValueError(f"the session has no tag {command.tag!r}")
    ids = place_vertices(document, command.place)
    if ids.size == 0:
        raise ValueError(f"{command.place.name} has no vertices on this body")
    settings = BrushSettings(tag=command.tag, intensity=float(command.intensity))
    tag_name = session.tags.get(command.tag).name
    parts: list[Edit] = []
    stroke = fill(
        document.painter,
        settings,
        tag_name,
        session.overlays.keys,
        ids,
        command.place.key,
        command.place.name,
    )
    if stroke is not None:
        parts.append(stroke)
    if command.origin:
        at = place_centre(document, ids)
        pin = Pin(at, command.tag, note="by voice", cyst_origin=command.origin, cyst_state="active")
        parts.append(AnnotationEdit(None, pin))
    if not parts:
        return None
    return VoiceEdit(tuple(parts), f"{describe(command, tag_name)} by voice")


def describe(command: VoiceCommand, tag_name: str | None = None) -> str:
    """What was understood, for the confirmation: "Restriction · Left temporal · 6"."""
    if command.kind == "undo":
        return "Undo"
    if command.kind == "event":
        return EVENT_KINDS[command.event]
    parts = [tag_name or command.tag, command.place.name, str(command.intensity)]
    if command.origin:
        parts.append(command.origin.capitalize())
    return " · ".join(parts)
