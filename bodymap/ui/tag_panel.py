"""The tag palette: pick the active tag; show, hide, fade, rename, recolour, add, reorder.

Visibility and opacity change only how layers are drawn (not undo steps); adding,
renaming, recolouring and reordering are undoable edits of the session's tag set.
"""

from __future__ import annotations

from PyQt6.QtCore import QSignalBlocker, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QUndoStack
from PyQt6.QtWidgets import (
    QColorDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.document import SessionDocument
from bodymap.core.edits import Change, TagSetEdit
from bodymap.core.tags import Tag
from bodymap.ui.document_binding import DocumentBound
from bodymap.ui.pin_dialog import tag_swatch
from bodymap.ui.undo import push_edit


class TagPanel(QWidget, DocumentBound):
    """The session's tags as a list; the current row is the brush's tag.

    Signals
    -------
    active_tag_changed(str): the key of the tag chosen to paint with.
    """

    active_tag_changed = pyqtSignal(str)

    def __init__(self, stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stack = stack
        self._document: SessionDocument | None = None
        self.list = QListWidget()
        self.list.setToolTip("The tag to paint with. Tick to show, untick to hide its layer.")
        self.list.currentRowChanged.connect(self._current_changed)
        self.list.itemChanged.connect(self._item_changed)
        self.list.itemDoubleClicked.connect(lambda _item: self.rename_current())
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setToolTip("How strongly the selected tag's layer covers what is under it")
        self.opacity.valueChanged.connect(self._opacity_changed)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QToolButton] = {}
        for name, tip, slot in (
            ("Add…", "Add a tag of your own", self.add_tag),
            ("Rename…", "Rename the selected tag", self.rename_current),
            ("Colour…", "Change the selected tag's colour", self.recolour_current),
            ("▲", "Draw the selected tag lower (under the others)", lambda: self.move_current(-1)),
            ("▼", "Draw the selected tag higher (over the others)", lambda: self.move_current(1)),
        ):
            button = QToolButton(text=name, toolTip=tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[name] = button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        opacity_row = QHBoxLayout()
        opacity_row.addWidget(QLabel("Opacity"))
        opacity_row.addWidget(self.opacity)
        layout.addLayout(opacity_row)
        layout.addLayout(buttons)
        self.setEnabled(False)

    @property
    def active_key(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def set_document(self, document: SessionDocument | None) -> None:
        self._bind(document)
        self.setEnabled(document is not None)
        self._rebuild()

    def select(self, key: str) -> None:
        """Make ``key`` the active tag."""
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.list.setCurrentRow(row)
                return

    def add_tag(self) -> None:
        if not self._editable():
            return
        name, ok = QInputDialog.getText(self, "Add tag", "Name of the new tag:")
        if not ok or not name.strip():
            return
        color = QColorDialog.getColor(QColor(120, 120, 120), self, f"Colour of {name.strip()}")
        if color.isValid():
            self.add_named_tag(name, (color.red(), color.green(), color.blue()))

    def add_named_tag(self, name: str, color: tuple[int, int, int]) -> Tag:
        """Add a tag (one undo step) and make it active."""
        tags = self._document.session.tags
        before = list(tags)
        changed = tags.copy()
        tag = changed.add(name, color)
        push_edit(self._stack, self._document, TagSetEdit(before, list(changed), f"add tag {name}"))
        self.select(tag.key)
        return tag

    def rename_current(self) -> None:
        key = self.active_key
        if key is None or not self._editable():
            return
        tag = self._document.session.tags.get(key)
        name, ok = QInputDialog.getText(self, "Rename tag", "New name:", text=tag.name)
        if ok and name.strip() and name.strip() != tag.name:
            self.change_tag(key, f"rename {tag.name}", name=name.strip())

    def recolour_current(self) -> None:
        key = self.active_key
        if key is None or not self._editable():
            return
        tag = self._document.session.tags.get(key)
        color = QColorDialog.getColor(QColor(*tag.color), self, f"Colour of {tag.name}")
        if color.isValid():
            self.change_tag(
                key, f"recolour {tag.name}", color=(color.red(), color.green(), color.blue())
            )

    def change_tag(self, key: str, text: str, **changes) -> None:
        """Rename or recolour a tag as one undo step."""
        before = list(self._document.session.tags)
        changed = self._document.session.tags.copy()
        changed.update(key, **changes)
        push_edit(self._stack, self._document, TagSetEdit(before, list(changed), text))

    def move_current(self, step: int) -> None:
        key = self.active_key
        if key is None or not self._editable():
            return
        tags = self._document.session.tags
        index = tags.index(key) + step
        if not 0 <= index < len(tags):
            return
        before = list(tags)
        changed = tags.copy()
        changed.move(key, index)
        push_edit(
            self._stack,
            self._document,
            TagSetEdit(before, list(changed), f"reorder {tags.get(key).name}"),
        )
        self.select(key)

    def _editable(self) -> bool:
        return self._document is not None and self._document.editable

    def _on_change(self, change: Change) -> None:
        if change.kind in ("tags", "style"):
            self._rebuild()

    def _rebuild(self) -> None:
        key = self.active_key
        with QSignalBlocker(self.list):
            self.list.clear()
            if self._document is None:
                return
            # Listed in drawing order: the first is drawn at the bottom, later tags over it.
            for tag in self._document.session.tags:
                item = QListWidgetItem(tag_swatch(tag.color), tag.name)
                item.setData(Qt.ItemDataRole.UserRole, tag.key)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if tag.visible else Qt.CheckState.Unchecked
                )
                self.list.addItem(item)
        keys = self._document.session.tags.keys()
        if keys:
            self.select(key if key in keys else keys[0])
        self._sync_opacity()
        for name in ("Add…", "Rename…", "Colour…", "▲", "▼"):
            self.buttons[name].setEnabled(self._editable())

    def _current_changed(self, _row: int) -> None:
        self._sync_opacity()
        if self.active_key is not None:
            self.active_tag_changed.emit(self.active_key)

    def _sync_opacity(self) -> None:
        key = self.active_key
        with QSignalBlocker(self.opacity):
            if key is not None and self._document is not None:
                self.opacity.setValue(round(self._document.session.tags.get(key).opacity * 100))

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._document is None:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        visible = item.checkState() == Qt.CheckState.Checked
        if self._document.session.tags.get(key).visible != visible:
            self._document.set_tag_display(key, visible=visible)

    def _opacity_changed(self, value: int) -> None:
        key = self.active_key
        if key is not None and self._document is not None:
            self._document.set_tag_display(key, opacity=value / 100.0)
