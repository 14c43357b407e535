"""Switching a client's body in the real main window, until the new body's frame is drawn.

Imported by the GUI worker (``bench_gui.py``: it needs Qt and a display). The window shows a
client's session on one shipped body; the client's body is then changed with the call the
client dialog makes (``Store.edit_client``) and a new session is started for the client, as
File › Clients and sessions… › New session does: the window loads the client's body, shows
it and opens the session on it. The time runs from the edit until the frame with the new body
is drawn (and the GL work is done). The bodies are visited in turn, so every switch is to a
body other than the one shown; the first visit of each is the warm-up.

    python scripts/bench_bodies.py [--runs N] [--first] [--profile]  # on a display (xvfb-run -a)
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_common import Context, Figure  # noqa: E402
from bench_window import application  # noqa: E402

from bodymap.io.body_loading import _shipped_body, default_body  # noqa: E402
from bodymap.io.default_body import list_bodies  # noqa: E402
from bodymap.store import Store  # noqa: E402
from bodymap.ui.main_window import MainWindow  # noqa: E402

SWITCH_BUDGET_S = 0.3
SWITCH_BODIES = ("infant", "adult_male", "child", "adult_female", "older_female", "toddler")
"""The bodies a client is switched through, in turn (each differs from the one before)."""


class SwitchingWindow:
    """The main window on a store with one client whose session is shown."""

    def __init__(self, store_folder: Path) -> None:
        self.app = application()
        body = default_body()
        self.store = Store(store_folder)
        self.window = MainWindow(body, reference=body, store=self.store)
        self.window.show()
        while self.window.windowHandle() is None or not self.window.windowHandle().isExposed():
            self.app.processEvents()
        self.settle(0.3)
        self.viewer = self.window.viewer
        self.renders = 0
        """VTK renders of the window: a switch is timed until the VTK render of its frame
        (the view draws a frame by repainting its widget, which Qt may defer)."""
        self.rendered_at = (0.0, 0.0, 0.0)
        """Wall, process and GUI-thread clocks when the last render ended."""
        window = self.viewer.interactor.render_window
        self._observer = window.AddObserver("EndEvent", self._count_render)
        self.client = self.store.create_client("Bench Client", body={"body_id": "adult_female"})
        if not self.window.sessions.start_new(self.client.id, practitioner="bench"):
            raise RuntimeError("the benchmark's first session did not open")
        self.settle(0.2)

    def _count_render(self, caller, _event) -> None:
        if hasattr(caller, "WaitForCompletion"):  # llvmpipe may still be drawing
            caller.WaitForCompletion()
        self.renders += 1
        self.rendered_at = (time.perf_counter(), time.process_time(), time.thread_time())

    def settle(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.app.processEvents()

    def switch(self, body_id: str) -> tuple[float, float, float]:
        """Change the client's body to ``body_id`` and show it; seconds of wall time, of
        process CPU (Mesa's render threads included) and of the GUI thread's CPU."""
        frames, renders = self.viewer.frames_drawn, self.renders
        wall, cpu, gui = time.perf_counter(), time.process_time(), time.thread_time()
        self.store.edit_client(self.client.id, body={"body_id": body_id})
        if not self.window.sessions.start_new(self.client.id, practitioner="bench"):
            raise RuntimeError(f"no session opened on {body_id}")
        # The new body and the session's colours share one requested frame, drawn on a
        # later turn of the event loop: wait for it and for its VTK render.
        deadline = time.perf_counter() + 30.0
        while (
            self.viewer.render_pending
            or self.viewer.frames_drawn == frames
            or self.renders == renders
        ):
            if time.perf_counter() > deadline:
                raise RuntimeError("the requested frame was not drawn within 30 s")
            self.app.processEvents()
        # Timed to the end of that render: the new body is on screen. What the window does
        # after it (the pick locator and the brush's geometry for the new shape) runs
        # before the next switch, untimed.
        started = (wall, cpu, gui)
        wall, cpu, gui = (end - at for end, at in zip(self.rendered_at, started, strict=True))
        self.settle(0.3)
        if self.window.body.mesh.geometry_hash != self._hash_of(body_id):
            raise RuntimeError(f"the window shows {self.window.body.mesh.name}, not {body_id}")
        return wall, cpu, gui

    @staticmethod
    def _hash_of(body_id: str) -> str:
        return next(str(e["geometry_sha256"]) for e in list_bodies() if e["id"] == body_id)

    def close(self) -> None:
        if self._observer is not None:  # VTK must never call back a finalised Python object
            self.viewer.interactor.render_window.RemoveObserver(self._observer)
            self._observer = None
        self.window.sessions.close_session()
        self.window.sessions.shutdown()
        self.window.close()
        self.app.processEvents()


def switch_times(rig: SwitchingWindow, warmup: int, runs: int, first: bool = False) -> dict:
    """Wall, CPU and GUI-thread seconds of ``runs`` switches after ``warmup`` rounds of every
    body; ``first``: each switch to a body not loaded before (the loaded bodies forgotten)."""
    times: dict[str, list[float]] = {"wall": [], "cpu": [], "gui": []}
    for turn in range(warmup * len(SWITCH_BODIES) + runs):
        if first:
            _shipped_body.cache_clear()
        measured = rig.switch(SWITCH_BODIES[turn % len(SWITCH_BODIES)])
        rig.settle(0.05)
        if turn >= warmup * len(SWITCH_BODIES):
            for key, value in zip(times, measured, strict=True):
                times[key].append(value)
    return times


def window_figures(ctx: Context) -> list[Figure]:
    """The body-switch figures (the GUI worker's ``bodies`` section)."""
    ctx.log("bodies: switching a client's body in the main window")
    with tempfile.TemporaryDirectory(prefix="bodymap-bench-bodies-") as folder:
        rig = SwitchingWindow(Path(folder) / "store")
        try:
            smoke = ctx.options.smoke
            runs = ctx.options.runs if smoke else max(ctx.options.runs, len(SWITCH_BODIES))
            warm = switch_times(rig, 0 if smoke else max(ctx.options.warmup, 1), runs)
            first = switch_times(rig, 0, ctx.options.runs, first=True)
            vertices = rig.window.body.mesh.n_vertices
        finally:
            rig.close()
    note = f"{len(SWITCH_BODIES)} shipped bodies in turn, {vertices:,} vertices"
    label = "switch a client's body (edit, new session) to its frame drawn"
    return [
        Figure("body_switch", label, "s", warm["wall"], budget=SWITCH_BUDGET_S, note=note),
        Figure("body_switch_cpu", "the same, process CPU", "s", warm["cpu"], note=note),
        Figure("body_switch_gui_cpu", "the same, GUI thread CPU", "s", warm["gui"], note=note),
        Figure(
            "body_switch_first",
            "the same, to a body not loaded before",
            "s",
            first["wall"],
            note="each switch after the loaded bodies are forgotten",
        ),
        Figure("body_switch_first_cpu", "the same, process CPU", "s", first["cpu"]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--first", action="store_true", help="switch to bodies not loaded")
    parser.add_argument("--profile", action="store_true", help="print a profile of the switches")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bodymap-bench-bodies-") as folder:
        rig = SwitchingWindow(Path(folder) / "store")
        try:
            switch_times(rig, 1, 0)
            profile = cProfile.Profile() if args.profile else None
            if profile:
                profile.enable()
            times = switch_times(rig, 0, args.runs, first=args.first)
            if profile:
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        finally:
            rig.close()
    for label, values in times.items():
        ordered = sorted(values)
        print(f"{label}: min {ordered[0]:.3f} s, median {ordered[len(ordered) // 2]:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
