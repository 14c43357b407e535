"""The keyboard shortcuts sheet (Help › Keyboard shortcuts, F1), searchable.

Built from the window's own ``QAction`` objects when it opens, so a key added or changed in
code shows here with no list to keep in step; the mouse gestures of the 3D view, which are
not actions, are listed from :data:`MOUSE_GESTURES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

MOUSE_GESTURES = (
    ("Left-drag on the body", "Use the tool: paint, place a pin, draw a vector"),
    ("Right- or middle-drag, or Alt + left-drag", "Turn the body"),
    ("Left-drag off the body", "Turn the body"),
    ("Shift + drag", "Pan"),
    ("Ctrl + drag (right or middle button)", "Spin about the line of sight"),
    ("Wheel", "Zoom toward the point under the pointer"),
    ("Ctrl + wheel", "Brush radius"),
    ("Shift + wheel", "Brush intensity"),
    ("Shift + click (fill tool)", "Fill the diaphragm band there"),
    ("Drag a pin", "Move it"),
    ("Double-click a pin", "Edit it"),
    ("Rest the pointer on a pin or vector", "Show its tag and note"),
)
"""The 3D view's mouse gestures: (gesture, what it does). README "Using it" says the same."""
MOUSE = "Mouse"


@dataclass(frozen=True)
class Shortcut:
    """One row of the sheet: the keys (or gesture), what it does, and where it lives."""

    keys: str
    what: str
    where: str


def action_shortcuts(window: QWidget) -> list[Shortcut]:
    """Every action of ``window`` that has a key, in menu order where it is in a menu."""
    menus = {}
    for menu_action in window.menuBar().actions() if hasattr(window, "menuBar") else []:
        menu = menu_action.menu()
        for action in menu.actions() if menu else []:
            menus.setdefault(action, menu_action.text().replace("&", ""))
    rows, seen = [], set()
    ordered = [*menus, *window.findChildren(QAction)]
    for action in ordered:
        keys = [k for k in action.shortcuts() if not k.isEmpty()]
        if not keys or action in seen:
            continue
        seen.add(action)
        text = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        what = action.text().replace("&", "").rstrip("…").strip()
        rows.append(Shortcut(text, what, menus.get(action, "")))
    return rows


def all_shortcuts(window: QWidget) -> list[Shortcut]:
    """The keys of ``window``'s actions, then the mouse gestures."""
    gestures = [Shortcut(gesture, what, MOUSE) for gesture, what in MOUSE_GESTURES]
    return [*action_shortcuts(window), *gestures]


class ShortcutsSheet(QDialog):
    """A non-modal window listing :func:`all_shortcuts`, filtered as you type."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 620)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search keys or actions")
        self.search.setClearButtonEnabled(True)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(("Keys", "Does", "Menu"))
        self.table.setRootIsDecorated(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = QLabel("Nothing matches.")
        self.empty.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        for row in all_shortcuts(window):
            self.table.addTopLevelItem(QTreeWidgetItem([row.keys, row.what, row.where]))
        self.search.textChanged.connect(self.filter)
        self.search.setFocus()

    def rows(self) -> list[QTreeWidgetItem]:
        """Every row, shown or filtered out."""
        table = self.table
        return [table.topLevelItem(i) for i in range(table.topLevelItemCount())]

    def visible_rows(self) -> list[tuple[str, str, str]]:
        """The rows the search leaves, as (keys, does, menu)."""
        return [tuple(r.text(c) for c in range(3)) for r in self.rows() if not r.isHidden()]

    def filter(self, text: str) -> None:
        """Show the rows whose keys, action or menu contain every word of ``text``."""
        words = text.casefold().split()
        shown = 0
        for row in self.rows():
            haystack = " ".join(row.text(c) for c in range(3)).casefold()
            hide = not all(word in haystack for word in words)
            row.setHidden(hide)
            shown += not hide
        self.empty.setVisible(shown == 0)
