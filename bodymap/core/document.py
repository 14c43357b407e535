"""The open session as the app edits it: the one place edits are applied and announced.

Views subscribe to :class:`~bodymap.core.edits.Change` events; the undo stack calls
:meth:`SessionDocument.apply` and :meth:`SessionDocument.revert`. A finalised session
refuses every edit here, whatever the UI shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import numpy as np

from bodymap.core.atlas import Atlas
from bodymap.core.edits import Change, Edit, StrokeEdit
from bodymap.core.mesh import BodyMesh
from bodymap.core.painter import Painter
from bodymap.core.session import RhythmReading, Session, SoapNotes

Listener = Callable[[Change], None]


class SessionDocument:
    """A session on its body, with a painter and change notification.

    ``revision`` counts changes; the app compares it with the revision last saved to know
    whether there is unsaved work.
    """

    def __init__(self, session: Session, mesh: BodyMesh, atlas: Atlas) -> None:
        if session.n_vertices != mesh.n_vertices:
            raise ValueError(
                f"the session has {session.n_vertices} vertices but the body has "
                f"{mesh.n_vertices}: it was made on another mesh"
            )
        self.session = session
        self.mesh = mesh
        self.atlas = atlas
        self.painter = Painter(session.overlays)
        self.revision = 0
        self._listeners: list[Listener] = []

    @property
    def editable(self) -> bool:
        return not self.session.finalised

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def announce(self, change: Change) -> None:
        """Tell every listener about ``change`` (also used for live strokes)."""
        if change.kind != "style":
            self.revision += 1
        for listener in list(self._listeners):
            listener(change)

    def apply(self, edit: Edit) -> Change:
        self.session.require_editable()
        change = edit.apply(self.session)
        self.announce(change)
        return change

    def revert(self, edit: Edit) -> Change:
        self.session.require_editable()
        change = edit.revert(self.session)
        self.announce(change)
        return change

    def announce_painted(self, vertex_ids: np.ndarray) -> None:
        """These vertices' layers changed outside an edit (e.g. an abandoned stroke's undoing)."""
        self.announce(Change("layers", vertex_ids))

    def announce_dab(self, vertex_ids: np.ndarray) -> None:
        """A stroke in progress painted these vertices (its edit comes at its end)."""
        self.announce(Change("layers", vertex_ids, live=True))

    def finish_stroke(self, edit: StrokeEdit, shown: bool = True) -> None:
        """A stroke (or fill) the painter wrote is complete: log it, once, and announce it.

        ``shown``: its dabs were announced live, so the view is already up to date. Push
        ``edit`` on the undo stack as already applied afterwards: it is never written twice.
        """
        self.session.require_editable()
        self.announce(edit.log(self.session, shown))

    def set_tag_display(
        self, key: str, *, visible: bool | None = None, opacity: float | None = None
    ) -> None:
        """Show, hide or fade a layer: how it is drawn, never its data (not an undo step)."""
        changes = {k: v for k, v in (("visible", visible), ("opacity", opacity)) if v is not None}
        if changes:
            self.session.tags.update(key, **changes)
            self.announce(Change("style"))

    def mark_finalised(self, when: datetime) -> None:
        """Record that the session was signed (by the store): from now on it is read-only."""
        self.session.finalised_at = when
        self.announce(Change("session"))

    def set_notes(self, notes: SoapNotes) -> None:
        self.session.require_editable()
        if notes != self.session.notes:
            self.session.notes = replace(notes)
            self.announce(Change("notes"))

    def set_rhythm(self, readings: list[RhythmReading]) -> None:
        self.session.require_editable()
        if readings != self.session.rhythm:
            self.session.rhythm = list(readings)
            self.announce(Change("rhythm"))

    def set_practitioner(self, name: str) -> None:
        self.session.require_editable()
        if name != self.session.practitioner:
            self.session.practitioner = name
            self.announce(Change("session"))
