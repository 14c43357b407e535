"""Dialogs to write a pin's text and a force vector's tag and note.

Both return a new frozen annotation with the same id and place; the caller pushes an
``AnnotationEdit`` with the old and new one. Energy-cyst origin and state are asked for
only when the tag is the energy cyst.
"""

from __future__ import annotations

from dataclasses import replace

from PyQt6.QtGui import QColor, QIcon, QPixmap
from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from bodymap.core.annotations import ForceVector, Pin
from bodymap.core.session import TEN_STEP_PROTOCOL
from bodymap.core.tags import CYST_ORIGINS, CYST_STATES, ENERGY_CYST, Rgb, TagSet

NOT_SET = "—"


def tag_swatch(color: Rgb, size: int = 12) -> QIcon:
    """A small square of a tag's colour, for lists and combo boxes."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(*color))
    return QIcon(pixmap)


def tag_combo(tags: TagSet, current: str) -> QComboBox:
    """A combo of the tag names (item data: the key) with ``current`` selected; a key no
    longer in the set is listed as itself, so editing never changes it unasked."""
    combo = QComboBox()
    for tag in tags:
        combo.addItem(tag_swatch(tag.color), tag.name, tag.key)
    if current and combo.findData(current) < 0:
        combo.addItem(current, current)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def _choice_combo(items: tuple[str, ...], current: str) -> QComboBox:
    """A fixed list with a leading "not set" entry (item data ``""``)."""
    combo = QComboBox()
    combo.addItem(NOT_SET, "")
    for item in items:
        combo.addItem(item, item)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def _text_box(text: str, lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit(text)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 12)
    return box


class PinDialog(QDialog):
    """Write a pin's tag, note, what the client said, emotion and technique.

    Use :meth:`edit` to ask and wait; or build it, set its widgets and read
    :meth:`result_pin` (what tests do).
    """

    def __init__(
        self, pin: Pin, tags: TagSet, parent: QWidget | None = None, *, new: bool = False
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New pin" if new else "Edit pin")
        self._pin = pin
        self.tag = tag_combo(tags, pin.tag)
        self.note = _text_box(pin.note)
        self.said = _text_box(pin.said)
        self.said.setPlaceholderText("In the client's words")
        self.emotion = QLineEdit(pin.emotion)
        self.technique = QComboBox()
        self.technique.setEditable(True)
        self.technique.addItems(TEN_STEP_PROTOCOL)
        self.technique.setCurrentIndex(-1)
        self.technique.setEditText(pin.technique)
        self.cyst_origin = _choice_combo(CYST_ORIGINS, pin.cyst_origin)
        self.cyst_state = _choice_combo(CYST_STATES, pin.cyst_state)
        self.form = QFormLayout(self)
        self.form.addRow("&Tag", self.tag)
        self.form.addRow("&Note", self.note)
        self.form.addRow("Client &said", self.said)
        self.form.addRow("&Emotion", self.emotion)
        self.form.addRow("Te&chnique", self.technique)
        self.form.addRow("Cyst &origin", self.cyst_origin)
        self.form.addRow("Cyst &state", self.cyst_state)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)
        self.tag.currentIndexChanged.connect(self._show_cyst_fields)
        self._show_cyst_fields()

    @property
    def is_energy_cyst(self) -> bool:
        return self.tag.currentData() == ENERGY_CYST

    def result_pin(self) -> Pin:
        """The pin as the dialog shows it: same id and place; cyst fields only for a cyst."""
        cyst = self.is_energy_cyst
        return replace(
            self._pin,
            tag=self.tag.currentData(),
            note=self.note.toPlainText(),
            said=self.said.toPlainText(),
            emotion=self.emotion.text().strip(),
            technique=self.technique.currentText().strip(),
            cyst_origin=self.cyst_origin.currentData() if cyst else "",
            cyst_state=self.cyst_state.currentData() if cyst else "",
        )

    @classmethod
    def edit(
        cls, parent: QWidget | None, pin: Pin, tags: TagSet, *, new: bool = False
    ) -> Pin | None:
        """Ask (modal) and return the edited pin, or ``None`` if cancelled."""
        dialog = cls(pin, tags, parent, new=new)
        try:
            return dialog.result_pin() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def _show_cyst_fields(self) -> None:
        for widget in (self.cyst_origin, self.cyst_state):
            self.form.setRowVisible(widget, self.is_energy_cyst)


class VectorDialog(QDialog):
    """Write a force vector's tag and note (its ends are drawn on the body)."""

    def __init__(self, vector: ForceVector, tags: TagSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Vector of force")
        self._vector = vector
        self.tag = tag_combo(tags, vector.tag)
        self.note = _text_box(vector.note)
        form = QFormLayout(self)
        form.addRow("&Tag", self.tag)
        form.addRow("&Note", self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def result_vector(self) -> ForceVector:
        """The vector as the dialog shows it: same id and ends."""
        return replace(self._vector, tag=self.tag.currentData(), note=self.note.toPlainText())

    @classmethod
    def edit(cls, parent: QWidget | None, vector: ForceVector, tags: TagSet) -> ForceVector | None:
        """Ask (modal) and return the edited vector, or ``None`` if cancelled."""
        dialog = cls(vector, tags, parent)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.result_vector()
            return None
        finally:
            dialog.deleteLater()
