"""The real main window on a display: a dab through the paint controller, plus its render.

Imported by the GUI worker only (it needs Qt and a display). A dab is a real mouse move
sent to the 3D view during a brush stroke: the controller picks, walks the footprint,
paints, re-blends the touched vertices, writes their colours, moves the brush ring and
renders, as when the practitioner paints.
"""

from __future__ import annotations

import time

import numpy as np
from bench_common import Context, Figure
from bench_meshes import bench_tags, load_size, paint_layers, size_label
from PyQt6.QtCore import QEvent, QPointF, Qt
from PyQt6.QtGui import QMouseEvent
from PyQt6.QtWidgets import QApplication

from bodymap.core.document import SessionDocument
from bodymap.core.session import Session
from bodymap.core.stroke_path import spacing_for
from bodymap.io.body_loading import Body
from bodymap.ui.main_window import MainWindow

RENDER_BUDGET = 1.05
BRUSH_RADIUS = 0.05
ZIGZAG = 8
MEMORY_MOVES = 2
LEFT, NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton


_APPLICATION: list[QApplication] = []


def application() -> QApplication:
    """The worker's one QApplication, kept for the life of the process.

    Held by a window rig alone, it was destroyed with the rig, and destroying a
    QApplication while the next one's windows exist crashed the worker (a segmentation
    fault in PyQt's clean-up of the wrappers).
    """
    if not _APPLICATION:
        _APPLICATION.append(QApplication.instance() or QApplication([]))
    return _APPLICATION[0]


class PaintingWindow:
    """The main window on a body with an 8-layer session, shown, and a stroke to drive."""

    def __init__(self, token: str, painted_layers: int = 5, count_renders: bool = False) -> None:
        self.app = application()
        mesh, atlas = load_size(token, log=lambda text: None)
        body = Body(mesh=mesh, atlas=atlas)
        tags = bench_tags()
        session = Session(
            "c-bench",
            mesh.geometry_hash,
            mesh.n_vertices,
            tags=tags,
            overlays=paint_layers(mesh, tags, painted_layers),
        )
        self.document = SessionDocument(session, mesh, atlas)
        self.window = MainWindow(body, reference=body)
        self.window.set_document(self.document, "benchmark")
        self.window.show()
        while self.window.windowHandle() is None or not self.window.windowHandle().isExposed():
            self.app.processEvents()
        self.settle()
        self.viewer = self.window.viewer
        self.window.controller.set_settings(tag=tags.keys()[0], radius=BRUSH_RADIUS, intensity=6)
        self.start, self.step = self._stroke_start()
        self.position = QPointF(self.start)
        self.moves = 0
        self.renders = 0
        """VTK renders of the window (with ``count_renders``): a frame is timed until its
        render is done, even when Qt defers the widget's paint."""
        self._observer = None
        if count_renders:  # removed in close(): VTK must never call back a finalised Python
            window = self.viewer.interactor.render_window
            self._observer = window.AddObserver("EndEvent", self._count_render)

    def _count_render(self, *_args) -> None:
        self.renders += 1

    def settle(self, seconds: float = 0.3) -> None:
        """Let queued events and timers (the reframe after showing) run."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.app.processEvents()

    def _stroke_start(self) -> tuple[QPointF, float]:
        """The front of the chest (the most anterior skin at 70% of the height, midline), and
        a mouse step of one dab, in logical pixels."""
        scene, mesh = self.viewer.scene, self.document.mesh
        low, high = mesh.bounds
        centre_x, chest_y = (low[0] + high[0]) / 2, low[1] + 0.7 * (high[1] - low[1])
        vertices = mesh.vertices
        near = mesh.external & (np.abs(vertices[:, 0] - centre_x) < 0.03)
        near &= np.abs(vertices[:, 1] - chest_y) < 0.03
        chest = vertices[np.flatnonzero(near)[np.argmax(vertices[near, 2])]]
        x, y = scene.world_to_display(chest)[0]
        hit = scene.pick(x, y)
        if hit is None:
            raise RuntimeError("the chest is not under its own projection")
        ratio = self.viewer.interactor.devicePixelRatioF()
        spacing = spacing_for(BRUSH_RADIUS, scene.pixels_per_metre(hit.point)) / ratio
        return QPointF(x / ratio, y / ratio), 0.9 * spacing

    def mouse(self, kind: QEvent.Type, button, buttons) -> None:
        interactor = self.viewer.interactor
        global_point = QPointF(interactor.mapToGlobal(self.position.toPoint()))
        event = QMouseEvent(
            kind, self.position, global_point, button, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(interactor, event)

    def press(self) -> None:
        self.mouse(QEvent.Type.MouseButtonPress, LEFT, LEFT)

    def move(self) -> None:
        """One mouse step along the stroke: one dab, and the render the controller does.

        The stroke zigzags sideways (8 steps each way) so that it stays on the torso.
        """
        self.moves += 1
        sign = 1.0 if (self.moves - 1) // ZIGZAG % 2 == 0 else -1.0
        self.position = self.position + QPointF(sign * self.step, 0.0)
        self.mouse(QEvent.Type.MouseMove, NONE, LEFT)

    def release(self) -> None:
        self.mouse(QEvent.Type.MouseButtonRelease, LEFT, NONE)
        self.settle(0.05)

    def draw_requested_frame(self, frames_before: int, renders_before: int) -> None:
        """Run the event loop until the frame the last input requested has been drawn.

        Input only requests a frame (one zero-interval timer draws it), so a dab's render
        happens on the next turn of the event loop: time it by waiting for that frame and
        for a VTK render after it.
        """
        deadline = time.perf_counter() + 30.0
        while self.viewer.frames_drawn == frames_before or self.renders == renders_before:
            if time.perf_counter() > deadline:
                raise RuntimeError("the dab requested no frame within 30 s")
            self.app.processEvents()
        self.finish()

    def plain_frame(self) -> None:
        """Draw a frame of the unchanged scene, as the window does (and wait for its render)."""
        before = self.renders
        self.viewer.redraw()
        deadline = time.perf_counter() + 30.0
        while self.renders == before:
            if time.perf_counter() > deadline:
                raise RuntimeError("the window drew no frame within 30 s")
            self.app.processEvents()
        self.finish()

    def finish(self) -> None:
        """Wait until the GL work of the last frame is done (llvmpipe may still be drawing)."""
        window = self.viewer.interactor.render_window
        if hasattr(window, "WaitForCompletion"):
            window.WaitForCompletion()

    def gl_renderer(self) -> str:
        report = self.viewer.interactor.render_window.ReportCapabilities() or ""
        lines = [ln for ln in report.splitlines() if "renderer string" in ln]
        return lines[0].split(":", 1)[1].strip() if lines else "unknown"

    def close(self) -> None:
        if self._observer is not None:
            self.viewer.interactor.render_window.RemoveObserver(self._observer)
            self._observer = None
        self.window.set_document(None)
        self.window.close()
        self.app.processEvents()


def render_pairs(rig: PaintingWindow, warmup: int, runs: int) -> tuple[list, list, int, float]:
    """Alternate a plain render and a dab + render; their times (ms), how many moves painted
    nothing (left out: a move off the body is no dab), and VTK renders per frame drawn."""
    plain, dab, missed = [], [], 0
    rig.press()
    rig.settle(0.05)
    renders_before, requested_before, plain_frames = rig.renders, rig.viewer.frames_drawn, 0
    for run in range(3 * (warmup + runs)):
        if len(dab) == runs:
            break
        rig.settle(0.02)
        revision = rig.document.revision
        started = time.perf_counter()
        rig.plain_frame()
        middle = time.perf_counter()
        frames_drawn, renders = rig.viewer.frames_drawn, rig.renders
        rig.move()
        plain_frames += 1
        if rig.document.revision != revision:
            rig.draw_requested_frame(frames_drawn, renders)
        ended = time.perf_counter()
        if rig.document.revision == revision:
            missed += 1
        elif run - missed >= warmup:
            plain.append(1e3 * (middle - started))
            dab.append(1e3 * (ended - middle))
    rig.settle(0.05)  # a paint a frame scheduled would run now: counted
    frames = plain_frames + rig.viewer.frames_drawn - requested_before
    per_frame = (rig.renders - renders_before) / max(frames, 1)
    rig.release()
    if not dab:
        raise RuntimeError("no mouse move painted: the stroke is off the body")
    return plain, dab, missed, per_frame


def render_figures(ctx: Context) -> list[Figure]:
    figures = []
    for token in ctx.options.sizes:
        ctx.log(f"render: the main window on {token}")
        rig = PaintingWindow(token, count_renders=True)
        try:
            plain, dab, missed, per_frame = render_pairs(rig, ctx.options.warmup, ctx.options.runs)
            width, height = rig.viewer.scene.window_size()
            note = f"{rig.gl_renderer()}, 3D view {width}x{height} px"
            note += f", {per_frame:.2f} VTK renders per frame"
            note += f"; {missed} moves painted nothing (left out)" if missed else ""
        finally:
            rig.close()
        size = size_label(token, rig.document.mesh)
        figures += [
            Figure(f"render@{token}", f"plain render, window [{size}]", "ms", plain),
            Figure(
                f"dab_render@{token}",
                f"dab 5 cm + render, window [{size}]",
                "ms",
                dab,
                peer=f"render@{token}",
            ),
            Figure(
                f"dab_render_ratio@{token}",
                f"(dab + render) / render [{size}]",
                "x",
                [d / p for d, p in zip(dab, plain, strict=True)],
                budget=RENDER_BUDGET,
                note=note,
            ),
        ]
    return figures


def memory_child(token: str) -> float:
    """Open the window on ``token`` with an 8-layer session, paint a stroke; peak RSS, MiB.

    The peak is ``VmHWM`` of this process image: ``ru_maxrss`` survives ``execve`` on Linux,
    so a child started from a big process reports the parent's peak when that was higher.
    """
    rig = PaintingWindow(token, painted_layers=8)
    rig.press()
    for _ in range(MEMORY_MOVES):
        rig.move()
    rig.release()
    return peak_rss_mib()


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
