"""Choosing a client's body: a shipped body and, for adults, a build (height, weight,
muscle), as a small form the client dialog shows."""

from __future__ import annotations

import threading

from PyQt6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QWidget

from bodymap.core.bodies import DEFAULT_BODY_ID, BodySpec
from bodymap.io.default_body import list_bodies

ADULT_AGE = 18.0
AS_SHIPPED = "as the body is"


def _spin(low: float, high: float, step: float, decimals: int, suffix: str) -> QDoubleSpinBox:
    """A build control whose lowest value means "as the body is" (no control set)."""
    spin = QDoubleSpinBox()
    spin.setRange(low - step, high)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setSpecialValueText(AS_SHIPPED)
    spin.setValue(spin.minimum())
    return spin


class BodyChooser(QWidget):
    """The body of a client: which shipped body, and an adult's build.

    ``spec()`` gives the :class:`BodySpec` as a dict for the client record (``{}`` is
    never returned: a new client gets the default body explicitly).
    """

    def __init__(self, body: dict | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries = {str(e["id"]): e for e in list_bodies()}
        self.kind = QComboBox()
        for body_id, entry in self._entries.items():
            self.kind.addItem(str(entry["name"]), body_id)
        self.height = _spin(1.40, 2.10, 0.01, 2, " m")
        self.weight = _spin(35.0, 150.0, 0.5, 1, " kg")
        self.muscle = _spin(0.0, 1.0, 0.05, 2, "")
        self.muscle.setToolTip("0 = little muscle, 0.5 = average, 1 = very muscular")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Body", self.kind)
        form.addRow("Height", self.height)
        form.addRow("Weight", self.weight)
        form.addRow("Muscle", self.muscle)
        self.kind.currentIndexChanged.connect(self._update_controls)
        self.kind.currentIndexChanged.connect(self._load_in_background)
        self.set_spec(BodySpec.from_dict(body) if body else BodySpec(DEFAULT_BODY_ID))

    def set_spec(self, spec: BodySpec) -> None:
        index = self.kind.findData(spec.body_id)
        self.kind.setCurrentIndex(max(index, 0))
        for spin, value in ((self.height, spec.height_m), (self.weight, spec.weight_kg),
                            (self.muscle, spec.muscle)):  # fmt: skip
            spin.setValue(spin.minimum() if value is None else float(value))
        self._update_controls()

    def spec(self) -> dict:
        """The chosen body as a record holds it; ValueError for a build out of range."""

        def value(spin: QDoubleSpinBox) -> float | None:
            return None if spin.value() <= spin.minimum() or not spin.isEnabled() else spin.value()

        body_id = str(self.kind.currentData())
        spec = BodySpec(body_id, value(self.height), value(self.weight), value(self.muscle))
        if not spec.is_shipped:  # a build the body cannot take is said now, not at a session
            from bodymap.io.default_body import load_body

            load_body(spec)
        return spec.to_dict()

    def _load_in_background(self) -> None:
        """Load the shipped body just chosen while the dialog is still open, so that the
        session opened on it afterwards finds it loaded (about 0.1 s at 168k vertices)."""
        body_id = str(self.kind.currentData())
        threading.Thread(target=_preload, args=(body_id,), daemon=True).start()

    def _update_controls(self) -> None:
        entry = self._entries.get(str(self.kind.currentData()), {})
        adult = float(entry.get("age_years", ADULT_AGE)) >= ADULT_AGE
        for spin in (self.height, self.weight, self.muscle):
            spin.setEnabled(adult)


def _preload(body_id: str) -> None:
    from bodymap.io.body_loading import body_of

    try:
        body_of(body_id)  # kept by body_of's cache of shipped bodies
    except Exception:  # noqa: BLE001 - a body that cannot load says so when it is opened
        pass
