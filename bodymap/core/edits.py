"""Undoable edits of a session: each knows how to apply and revert itself, and names itself.

The UI wraps each in a ``QUndoCommand``; the core never needs Qt to undo. Every edit
returns a :class:`Change` saying what the view must refresh.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bodymap.core.annotations import ForceVector, Pin, SpokenClip
from bodymap.core.painter import LayerEdit
from bodymap.core.session import Session, SessionEvent, StrokeRecord
from bodymap.core.tags import Tag, TagSet


@dataclass(frozen=True, eq=False)
class Change:
    """What changed. ``kind`` is one of layers, pins, vectors, events, clips, tags, style,
    notes, rhythm, session.

    For ``layers``, ``vertex_ids`` lists the vertices to recolour; it is ``None`` when a
    stroke painted live is complete (the view already shows it, summaries are now due).
    ``live`` marks a dab of a stroke still in progress: views recolour, summaries wait for
    the stroke's end so they never show part of it.
    """

    kind: str
    vertex_ids: np.ndarray | None = None
    live: bool = False


@dataclass(eq=False)
class StrokeEdit:
    """A brush stroke, erase or fill: the layer values it changed and its stroke-log entry."""

    layers: LayerEdit
    record: StrokeRecord
    text: str

    def apply(self, session: Session) -> Change:
        ids = self.layers.apply(session.overlays)
        session.strokes.append(self.record)
        return Change("layers", ids)

    def log(self, session: Session, shown: bool = True) -> Change:
        """Add the stroke to the session's log when the painter already wrote its layers.

        The layers are not written again. ``shown``: the view already shows them (a stroke
        recoloured dab by dab), so the change names no vertices to recolour; a fill, painted
        in one step, names its vertices.
        """
        session.strokes.append(self.record)
        return Change("layers", None if shown else self.layers.ids)

    def revert(self, session: Session) -> Change:
        ids = self.layers.revert(session.overlays)
        # Strokes are undone last-first, so the record is the last one in the log.
        for i in range(len(session.strokes) - 1, -1, -1):
            if session.strokes[i] is self.record:
                del session.strokes[i]
                break
        return Change("layers", ids)


@dataclass(eq=False)
class AnnotationEdit:
    """Add (``before`` is None), delete (``after`` is None), move or edit a pin or vector."""

    before: Pin | ForceVector | None
    after: Pin | ForceVector | None

    def __post_init__(self) -> None:
        if self.before is None and self.after is None:
            raise ValueError("an annotation edit needs a before or an after")
        self._detached: list[SpokenClip] = []

    @property
    def collection(self) -> str:
        return "pins" if isinstance(self.after or self.before, Pin) else "vectors"

    @property
    def text(self) -> str:
        noun = "pin" if self.collection == "pins" else "vector"
        if self.before is None:
            return f"add {noun}"
        if self.after is None:
            return f"delete {noun}"
        moved = isinstance(self.before, Pin) and self.before.at != self.after.at
        if isinstance(self.before, ForceVector):
            moved = (self.before.start, self.before.end) != (self.after.start, self.after.end)
        return f"{'move' if moved else 'edit'} {noun}"

    def apply(self, session: Session) -> Change:
        _put(getattr(session, self.collection), (self.after or self.before).id, self.after)
        if self.after is None and isinstance(self.before, Pin):
            self._detached = detach_clips(session, pin_id=self.before.id)
        return Change(self.collection)

    def revert(self, session: Session) -> Change:
        _put(getattr(session, self.collection), (self.after or self.before).id, self.before)
        reattach_clips(session, self._detached)
        return Change(self.collection)


@dataclass(eq=False)
class EventEdit:
    """Add, delete or edit a timeline event."""

    before: SessionEvent | None
    after: SessionEvent | None

    def __post_init__(self) -> None:
        self._detached: list[SpokenClip] = []

    @property
    def text(self) -> str:
        item = self.after or self.before
        verb = "add" if self.before is None else "delete" if self.after is None else "edit"
        return f"{verb} {item.label.lower()} event"

    def apply(self, session: Session) -> Change:
        if self.after is None and self.before is not None:
            self._detached = detach_clips(session, event_id=self.before.id)
        return self._swap(session, self.before, self.after)

    def revert(self, session: Session) -> Change:
        reattach_clips(session, self._detached)
        return self._swap(session, self.after, self.before)

    @staticmethod
    def _swap(session: Session, old: SessionEvent | None, new: SessionEvent | None) -> Change:
        events = [e for e in session.events if old is None or e.id != old.id]
        if new is not None:
            events.append(new)
        events.sort(key=lambda e: e.time)
        session.events[:] = events
        return Change("events")


@dataclass(eq=False)
class TagSetEdit:
    """Add, rename, recolour or reorder tags: the whole (small) tag list before and after."""

    before: list[Tag]
    after: list[Tag]
    text: str

    def apply(self, session: Session) -> Change:
        return self._set(session, self.after)

    def revert(self, session: Session) -> Change:
        return self._set(session, self.before)

    @staticmethod
    def _set(session: Session, tags: list[Tag]) -> Change:

        session.tags = TagSet(tags)
        session.overlays.ensure_layers(session.tags.keys())
        return Change("tags")


@dataclass(eq=False)
class ClipEdit:
    """Add (``before`` is None), delete (``after`` is None) or re-transcribe a spoken note."""

    before: SpokenClip | None
    after: SpokenClip | None

    def __post_init__(self) -> None:
        if self.before is None and self.after is None:
            raise ValueError("a spoken-note edit needs a before or an after")

    @property
    def text(self) -> str:
        verb = "add" if self.before is None else "delete" if self.after is None else "edit"
        return f"{verb} spoken note"

    def apply(self, session: Session) -> Change:
        _put(session.clips, (self.after or self.before).id, self.after)
        return Change("clips")

    def revert(self, session: Session) -> Change:
        _put(session.clips, (self.after or self.before).id, self.before)
        return Change("clips")


Edit = StrokeEdit | AnnotationEdit | EventEdit | TagSetEdit | ClipEdit


def detach_clips(
    session: Session, event_id: str | None = None, pin_id: str | None = None
) -> list[SpokenClip]:
    """Keep the spoken notes of a deleted event or pin, as notes of the session itself.

    A recording is part of the clinical record: deleting the moment or place it was
    attached to must not delete what was said. Returns the clips as they were (for undo).
    """
    found = [
        clip
        for clip in session.clips.values()
        if (event_id is not None and clip.event_id == event_id)
        or (pin_id is not None and clip.pin_id == pin_id)
    ]
    for clip in found:
        session.clips[clip.id] = clip.attached(
            None if event_id is not None else clip.event_id,
            None if pin_id is not None else clip.pin_id,
        )
    return found


def reattach_clips(session: Session, clips: list[SpokenClip]) -> None:
    """Undo :func:`detach_clips`: the clips belong to their event or pin again."""
    for clip in clips:
        if clip.id in session.clips:
            session.clips[clip.id] = clip


def _put(items: dict, key: str, value) -> None:
    if value is None:
        items.pop(key, None)
    else:
        items[key] = value
