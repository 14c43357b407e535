"""The Tools menu: the tool in use and the brush keys, as QActions with shortcuts.

Single keys are safe beside the notes editors: a text field takes printable keys before
window shortcuts do (Qt's shortcut override), so typing never triggers a tool.
"""

from __future__ import annotations

from PyQt6.QtGui import QAction, QActionGroup, QKeySequence
from PyQt6.QtWidgets import QWidget

from bodymap.ui.paint_controller import PaintController, Tool

TOOL_KEYS = {Tool.BRUSH: "B", Tool.FILL: "F", Tool.PIN: "P", Tool.VECTOR: "V"}
TOOL_TIPS = {
    Tool.BRUSH: "Paint the active tag: left-drag paints, right or middle drag turns the body",
    Tool.FILL: "Click a region to fill it with the active tag; Shift+click fills a diaphragm band",
    Tool.PIN: "Click to place a pin with a note; drag a pin to move it, double-click to edit",
    Tool.VECTOR: "Drag from where a force entered, the way it travelled",
}


class ToolActions:
    """Builds and owns the tool and brush actions for ``controller``.

    Attributes
    ----------
    tools : dict Tool -> QAction
        Checkable, mutually exclusive.
    brush : list of QAction
        Radius, intensity, edge, mirror and erase keys.
    escape, delete : QAction
        Cancel the stroke in progress; delete the selected pin or vector.
    """

    def __init__(self, controller: PaintController, parent: QWidget) -> None:
        self._controller = controller
        group = QActionGroup(parent)
        self.tools: dict[Tool, QAction] = {}
        for tool, key in TOOL_KEYS.items():
            action = QAction(tool.value, parent, checkable=True)
            action.setShortcut(QKeySequence(key))
            action.setToolTip(f"{TOOL_TIPS[tool]} ({key})")
            action.setStatusTip(TOOL_TIPS[tool])
            action.triggered.connect(lambda _c=False, t=tool: controller.set_tool(t))
            group.addAction(action)
            self.tools[tool] = action
        self.tools[controller.tool].setChecked(True)
        controller.tool_changed.connect(lambda tool: self.tools[tool].setChecked(True))

        def make(text: str, keys: str, slot) -> QAction:
            action = QAction(text, parent)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            return action

        self.brush = [
            make("Larger brush", "]", lambda: controller.scale_radius(1)),
            make("Smaller brush", "[", lambda: controller.scale_radius(-1)),
            make("More intense", "=", lambda: controller.step_intensity(1)),
            make("Less intense", "-", lambda: controller.step_intensity(-1)),
            make("Soft / hard edge", "H", self._toggle_soft),
            make("Mirror left/right", "M", self._toggle_mirror),
            make("Paint / erase", "E", self._toggle_erase),
        ]
        self.escape = make("Cancel stroke", "Esc", controller.cancel_stroke)
        self.delete = make("Delete pin or vector", "Del", controller.delete_selected)
        self.delete.setEnabled(False)
        controller.selection_changed.connect(lambda item: self.delete.setEnabled(item is not None))

    def _toggle_soft(self) -> None:
        self._controller.set_settings(soft=not self._controller.settings.soft)

    def _toggle_mirror(self) -> None:
        self._controller.set_settings(mirror=not self._controller.settings.mirror)

    def _toggle_erase(self) -> None:
        mode = "paint" if self._controller.settings.mode != "paint" else "erase"
        self._controller.set_settings(mode=mode)
