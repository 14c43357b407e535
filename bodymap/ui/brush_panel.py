"""The brush controls: intensity, radius, soft or hard edge, paint or erase, mirror.

Bound both ways to the :class:`~bodymap.ui.paint_controller.PaintController`: the widgets
set the brush, and a change made elsewhere (keys, modifier + wheel) shows here, with the
widgets' signals blocked while they are updated. The radius and intensity are remembered
between runs (QSettings).
"""

from __future__ import annotations

import math

from PyQt6.QtCore import QSignalBlocker, Qt
from PyQt6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QRadioButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from bodymap.core.brush_tool import MAX_RADIUS_M, MIN_RADIUS_M, BrushSettings
from bodymap.ui.paint_controller import PaintController
from bodymap.ui.settings import BRUSH_INTENSITY_KEY, BRUSH_RADIUS_KEY, app_settings

MODES = (("paint", "Paint"), ("erase", "Erase tag"), ("erase_all", "Erase all"))


class BrushPanel(QWidget):
    """Widgets for the brush settings of ``controller``."""

    def __init__(self, controller: PaintController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.intensity = QSlider(Qt.Orientation.Horizontal)
        self.intensity.setRange(0, 10)
        self.intensity.setPageStep(1)
        self.intensity.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.intensity_value = QSpinBox()
        self.intensity_value.setRange(0, 10)
        self.intensity_value.setToolTip("Intensity 0 to 10 (- and = keys, Shift + wheel)")
        self.radius = QDoubleSpinBox()
        self.radius.setRange(MIN_RADIUS_M * 1000, MAX_RADIUS_M * 1000)
        self.radius.setDecimals(0)
        self.radius.setSuffix(" mm")
        self.radius.setToolTip("Brush radius ([ and ] keys, Ctrl + wheel)")
        self.soft = QCheckBox("Soft edge")
        self.soft.setToolTip("A soft brush fades out towards its rim; a hard one does not (H)")
        self.mirror = QCheckBox("Mirror left/right")
        self.mirror.setToolTip("Paint the mirror image on the other side at the same time (M)")
        self.modes = QButtonGroup(self)
        mode_row = QHBoxLayout()
        for index, (_key, label) in enumerate(MODES):
            button = QRadioButton(label)
            self.modes.addButton(button, index)
            mode_row.addWidget(button)
        intensity_row = QHBoxLayout()
        intensity_row.addWidget(self.intensity)
        intensity_row.addWidget(self.intensity_value)
        form = QFormLayout(self)
        form.addRow("Intensity", intensity_row)
        form.addRow("Radius", self.radius)
        form.addRow(mode_row)
        form.addRow(self.soft)
        form.addRow(self.mirror)
        self.intensity.valueChanged.connect(lambda v: controller.set_settings(intensity=v))
        self.intensity_value.valueChanged.connect(lambda v: controller.set_settings(intensity=v))
        self.radius.valueChanged.connect(lambda mm: controller.set_settings(radius=mm / 1000))
        self.soft.toggled.connect(lambda on: controller.set_settings(soft=on))
        self.mirror.toggled.connect(lambda on: controller.set_settings(mirror=on))
        self.modes.idClicked.connect(lambda i: controller.set_settings(mode=MODES[i][0]))
        controller.settings_changed.connect(self.show_settings)
        controller.settings_changed.connect(remember_brush)
        restore_brush(controller)
        self.show_settings(controller.settings)

    def show_settings(self, settings: BrushSettings) -> None:
        """Show ``settings`` without sending them back."""
        widgets = (self.intensity, self.intensity_value, self.radius, self.soft, self.mirror)
        blockers = [QSignalBlocker(w) for w in widgets]
        self.intensity.setValue(round(settings.intensity))
        self.intensity_value.setValue(round(settings.intensity))
        self.radius.setValue(settings.radius * 1000)
        self.soft.setChecked(settings.soft)
        self.mirror.setChecked(settings.mirror)
        self.modes.button([m for m, _ in MODES].index(settings.mode)).setChecked(True)
        del blockers


def remember_brush(settings: BrushSettings) -> None:
    """Keep the radius and intensity for the next run."""
    store = app_settings()
    store.setValue(BRUSH_RADIUS_KEY, float(settings.radius))
    store.setValue(BRUSH_INTENSITY_KEY, float(settings.intensity))


def restore_brush(controller: PaintController) -> None:
    """Give ``controller`` the radius and intensity of the last run (unreadable values are
    ignored; BrushSettings clamps the rest into range)."""
    store = app_settings()
    changes = {}
    for name, key in (("radius", BRUSH_RADIUS_KEY), ("intensity", BRUSH_INTENSITY_KEY)):
        value = store.value(key)
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            changes[name] = number
    if changes:
        controller.set_settings(**changes)
