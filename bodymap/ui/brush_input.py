"""The brush on the 3D view: a left drag paints the active tag, live.

Each mouse move paints at once (a dab costs microseconds to milliseconds) and only asks for
a frame; the view draws once for all moves since its last frame, so a slow frame costs
smoothness, never the stroke keeping up with the pointer. At release the stroke, already
painted, is logged once and pushed on the undo stack as already applied.
"""

from __future__ import annotations

from PyQt6.QtGui import QMouseEvent

from bodymap.core.brush import Viewpoint
from bodymap.core.brush_tool import BrushStroke
from bodymap.core.stroke_path import spacing_for
from bodymap.render.scene import PickHit
from bodymap.ui.tool_host import LazyHit, ToolHost
from bodymap.ui.undo import push_edit


class BrushInput:
    """The brush tool; see :class:`~bodymap.ui.tool_host.ToolInput`."""

    def __init__(self, host: ToolHost) -> None:
        self._host = host
        self._stroke: BrushStroke | None = None

    @property
    def painting(self) -> bool:
        return self._stroke is not None

    def press(self, event: QMouseEvent, hit: PickHit | None) -> bool:
        host = self._host
        if hit is None:
            host.select(None)
            return False  # pressing off the body turns the camera
        if not host.editable():
            host.say("This session is finalised and read-only; add an amendment.")
            return True
        document, settings = host.document, host.settings
        if settings.mode != "erase_all" and settings.tag not in document.session.tags:
            host.say("Choose a tag to paint with first.")
            return True
        ray = host.scene.viewpoint()
        spacing = spacing_for(settings.radius, host.scene.pixels_per_metre(hit.point))
        self._stroke = BrushStroke(
            document.painter,
            host.geometry,
            settings,
            host.tag_name(settings.tag),
            document.session.overlays.keys,
            host.scene.pick,
            Viewpoint(ray.position, ray.direction, ray.parallel),
            spacing,
            host.mirror_map() if settings.mirror else None,
        )
        x, y = host.device_xy(event.position())
        self._painted(self._stroke.press(x, y, host.pressure(event), hit=hit))
        host.show_ring(hit)
        host.request_render()
        return True

    def move(self, event: QMouseEvent, hit: LazyHit) -> bool:
        host = self._host
        if self._stroke is not None:
            here = hit()
            x, y = host.device_xy(event.position())
            self._painted(self._stroke.move(x, y, host.pressure(event), hit=here))
            host.show_ring(here, moving=True)
            host.request_render()
            return True
        if host.document is not None and not event.buttons():
            host.show_ring(hit())  # hovering: the ring shows where a dab would land
            host.request_render()
        return False

    def release(self, event: QMouseEvent, hit: LazyHit) -> bool:
        if self._stroke is None:
            return False
        edit = self._stroke.release()
        self._stroke = None
        document = self._host.document
        if edit is not None:
            document.finish_stroke(edit)
            push_edit(self._host.stack, document, edit, already_applied=True)
        self._host.request_render()
        return True

    def double_click(self, event: QMouseEvent) -> bool:
        return self._stroke is not None

    def cancel(self) -> None:
        if self._stroke is None:
            return
        ids = self._stroke.cancel()
        self._stroke = None
        document = self._host.document
        if document is not None and ids.size:
            document.announce_painted(ids)
            self._host.request_render()

    def _painted(self, ids) -> None:
        if ids.size:
            self._host.document.announce_dab(ids)
