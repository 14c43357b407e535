"""The main window's docks: the tags and brush on the left, the session's panels on the right.

Each panel follows the open session by itself (see :mod:`~bodymap.ui.document_binding`);
this module only builds them and lays them out in docks, tabbed on the right.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QUndoStack
from PyQt6.QtWidgets import QDockWidget, QMainWindow, QVBoxLayout, QWidget

from bodymap.ui.amendments_panel import AmendmentsPanel
from bodymap.ui.brush_panel import BrushPanel
from bodymap.ui.events_panel import EventsPanel
from bodymap.ui.findings_panel import FindingsPanel
from bodymap.ui.notes_panel import NotesPanel
from bodymap.ui.paint_controller import PaintController
from bodymap.ui.rhythm_panel import RhythmPanel
from bodymap.ui.tag_panel import TagPanel


class SessionPanels:
    """The panels of one main window, in docks added to ``window``.

    Parameters
    ----------
    window : QMainWindow
        Gets the docks.
    undo_stack : QUndoStack
        Where the tag and timeline panels push their edits.
    controller : PaintController
        The brush the brush panel sets.
    with_store : bool
        Whether the app has a store: only then is there an amendments panel.

    Attributes
    ----------
    docks : dict of str -> QDockWidget
        By key: tags, findings, notes, rhythm, events (and amendments).
    """

    def __init__(
        self,
        window: QMainWindow,
        undo_stack: QUndoStack,
        controller: PaintController,
        with_store: bool,
    ) -> None:
        self.tag_panel = TagPanel(undo_stack)
        self.brush_panel = BrushPanel(controller)
        tools = QWidget()
        layout = QVBoxLayout(tools)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tag_panel, 1)
        layout.addWidget(self.brush_panel)
        self.notes_panel = NotesPanel()
        self.rhythm_panel = RhythmPanel()
        self.events_panel = EventsPanel(undo_stack)
        self.findings_panel = FindingsPanel()
        self.amendments_panel = AmendmentsPanel() if with_store else None
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        placed = [
            ("tags", "Tags and brush", tools, left),
            ("findings", "Findings", self.findings_panel, right),
            ("notes", "SOAP notes", self.notes_panel, right),
            ("rhythm", "Rhythm", self.rhythm_panel, right),
            ("events", "Timeline", self.events_panel, right),
        ]
        if self.amendments_panel is not None:
            placed.append(("amendments", "Amendments", self.amendments_panel, right))
        self.docks: dict[str, QDockWidget] = {}
        for key, title, widget, area in placed:
            dock = QDockWidget(title, window)
            dock.setObjectName(f"{key}_dock")
            dock.setWidget(widget)
            window.addDockWidget(area, dock)
            self.docks[key] = dock
        for key in ("notes", "rhythm", "events", "amendments"):
            if key in self.docks:
                window.tabifyDockWidget(self.docks["findings"], self.docks[key])
        self.docks["findings"].raise_()

    def session_panels(self) -> list:
        """The panels that show the open session."""
        return [
            self.tag_panel,
            self.notes_panel,
            self.rhythm_panel,
            self.events_panel,
            self.findings_panel,
        ]
