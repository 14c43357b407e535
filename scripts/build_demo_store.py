#!/usr/bin/env python
"""Build the demo client: invented sample data, so a first look at BodyMap has something to show.

    scripts/build_demo_store.py [--store DIR] [--force] [--no-thumbnails]

One client, "Sample client (demo data)", with five visits from September to November 2025
on the default body. Nothing in it is real. Its findings change as a course of treatment
might: a restriction at the occiput and cranial base that eases visit by visit, with a
release painted over it; left lumbar pain that shrinks and fades; an energy cyst on the
left thigh found at visit 3 (by a colleague: the practitioner changes) and released at
visit 5; rhythm readings whose rate creeps from 6 to 10 cycles a minute; events, pins, a
vector of force and SOAP notes. Visits 1 to 4 are finalised; visit 5 is left open.

Everything is painted with the real brush and fill code (``BrushStroke``, ``fill``) on the
default body, through a simple picker, so every stroke log replays exactly
(:mod:`bodymap.core.replay`). Ids, dates and times are fixed, so the files come out the
same on every run (thumbnails aside: they depend on the renderer).

The default store is the checkout's ``sessions/``, where the demo client's files are
tracked by git (see ``.gitignore``); the audit log is not. So, when a demo file exists
already and passes its full check, it is kept and only the audit entries it lacks are
added ("finalise" with the file's SHA-256 for a signed visit, "create" for the open one):
after a fresh clone, one run of this script makes ``bodymap verify`` pass. ``--force``
deletes the demo client's files (logging each deletion) and writes them again.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bodymap.core.annotations import ForceVector, Pin, SurfacePoint  # noqa: E402
from bodymap.core.atlas import Atlas  # noqa: E402
from bodymap.core.brush import BrushGeometry, Viewpoint  # noqa: E402
from bodymap.core.brush_tool import BrushSettings, BrushStroke, fill  # noqa: E402
from bodymap.core.mesh import BodyMesh  # noqa: E402
from bodymap.core.mirror import mirror_map  # noqa: E402
from bodymap.core.painter import Painter  # noqa: E402
from bodymap.core.replay import place_vertices  # noqa: E402
from bodymap.core.session import (  # noqa: E402
    Client,
    RhythmReading,
    Session,
    SessionEvent,
    SoapNotes,
    carry_over,
)
from bodymap.core.stroke_path import spacing_for  # noqa: E402

CLIENT_ID = "c-demo-sample"
CLIENT_NAME = "Sample client (demo data)"
SESSION_IDS = tuple(f"s-demo-sample-{n}" for n in range(1, 6))
CREATED = datetime(2025, 9, 2, 9, 0, tzinfo=UTC)
PX = 0.001  # the picker's "screen": one pixel is one millimetre in the view plane
PICK_RADIUS_M = 0.003
VIEW_DISTANCE_M = 3.0
THUMBNAIL_WIDTH = 160


# ----- painting on the default body without a window --------------------------------
@dataclass
class Hit:
    point: np.ndarray
    vertex_id: int


class ViewPicker:
    """Picks the body from the front or the back in parallel projection.

    Screen pixel (x, y) is the world point (x mm, y mm) in the view plane; the hit is the
    skin vertex nearest the viewer within 3 mm of that line of sight. Its position is a
    float32 vertex, so the stroke log stores dab centres exactly.
    """

    def __init__(self, mesh: BodyMesh, posterior: bool) -> None:
        self._mesh = mesh
        self._skin = np.flatnonzero(mesh.external)
        self._tree = cKDTree(mesh.vertices[self._skin, :2])
        self._sign = -1.0 if posterior else 1.0  # which way "toward the viewer" is along z
        self.viewpoint = Viewpoint(
            position=np.array([0.0, 0.0, self._sign * VIEW_DISTANCE_M]),
            direction=np.array([0.0, 0.0, -self._sign]),
            parallel=True,
        )

    def __call__(self, x: float, y: float) -> Hit | None:
        near = self._tree.query_ball_point([x * PX, y * PX], PICK_RADIUS_M)
        if not near:
            return None
        candidates = self._skin[np.asarray(near)]
        vertex = int(candidates[np.argmax(self._sign * self._mesh.vertices[candidates, 2])])
        return Hit(self._mesh.vertices[vertex].astype(np.float64), vertex)

    def surface_point(self, x: float, y: float) -> SurfacePoint:
        hit = self(x, y)
        if hit is None:
            raise ValueError(f"nothing of the body at ({x}, {y}) mm")
        return SurfacePoint(hit.point, hit.vertex_id)


@dataclass(frozen=True)
class Stroke:
    """A brush drag along ``points`` (mm in the view plane), as the practitioner might."""

    tag: str
    points: tuple[tuple[float, float], ...]
    intensity: float = 5.0
    radius: float = 0.02
    mode: str = "paint"
    posterior: bool = True
    mirror: bool = False
    soft: bool = True
    pressure: float = 1.0


@dataclass(frozen=True)
class Fill:
    """Fill (or clear) a region or a diaphragm band with one tag."""

    tag: str
    place: str
    intensity: float = 5.0
    mode: str = "paint"


class DemoPainter:
    """Paints :class:`Stroke` and :class:`Fill` specs into a session, logging each stroke."""

    def __init__(self, mesh: BodyMesh, atlas: Atlas) -> None:
        self.mesh, self.atlas = mesh, atlas
        self.geometry = BrushGeometry(mesh)
        self.mirror = mirror_map(mesh)
        self.pickers = {True: ViewPicker(mesh, True), False: ViewPicker(mesh, False)}

    def paint(self, session: Session, specs, start: datetime) -> None:
        painter = Painter(session.overlays)
        names = {t.key: t.name for t in session.tags}
        for minute, spec in enumerate(specs):
            settings = BrushSettings(
                spec.tag,
                spec.intensity,
                radius=getattr(spec, "radius", 0.02),
                soft=getattr(spec, "soft", True),
                mirror=getattr(spec, "mirror", False),
                mode=spec.mode,
            )
            if isinstance(spec, Fill):
                edit = self._fill(painter, settings, names, session, spec)
            else:
                edit = self._stroke(painter, settings, names, session, spec)
            if edit is None:
                raise ValueError(f"{spec} changed nothing: check its coordinates")
            # Fixed stroke times, so that the files are the same on every run.
            edit.record = dataclasses.replace(edit.record, time=start + timedelta(minutes=minute))
            edit.apply(session)

    def _stroke(self, painter, settings, names, session, spec: Stroke):
        picker = self.pickers[spec.posterior]
        stroke = BrushStroke(
            painter,
            self.geometry,
            settings,
            names[spec.tag],
            session.overlays.keys,
            picker,
            picker.viewpoint,
            spacing_for(settings.radius, 1.0 / PX),
            self.mirror,
        )
        first, *rest = spec.points
        stroke.press(*first, pressure=spec.pressure)
        for point in rest:
            stroke.move(*point, pressure=spec.pressure)
        return stroke.release()

    def _fill(self, painter, settings, names, session, spec: Fill):
        ids = place_vertices(spec.place, self.mesh, self.atlas)
        return fill(
            painter, settings, names[spec.tag], session.overlays.keys, ids, spec.place, spec.place
        )


# ----- the story -------------------------------------------------------------------
@dataclass
class Visit:
    """One visit of the story: when, by whom, and what was found and done."""

    started: datetime
    practitioner: str
    paint: list
    rhythm: list[RhythmReading]
    events: list[tuple]  # (kind, minute, note, technique, dialogue, where (x, y, posterior))
    notes: SoapNotes
    pins: Callable[[DemoPainter], dict] = field(default=lambda _painter: {})
    vectors: Callable[[DemoPainter], dict] = field(default=lambda _painter: {})
    finalised: bool = True


ALEX = "Alex Example (demo)"
SAM = "Sam Sample (demo)"
OCCIPUT_LINES = ((-35, 700), (35, 700), (35, 725), (-35, 725))
LUMBAR_LEFT = ((45, 250), (110, 250), (110, 215), (45, 215))
NECK_LEFT = ((20, 640), (40, 610))
THIGH_CYST = ((125, -100), (140, -110))


def _readings(rate: float, amplitude: float, pelvis: tuple[float, float], note: str) -> list:
    return [
        RhythmReading("head", "both", rate, amplitude, symmetry=note, quality="steady"),
        RhythmReading("pelvis", "left", pelvis[0], amplitude - 1, quality="restricted"),
        RhythmReading("pelvis", "right", pelvis[1], amplitude, quality="full"),
        RhythmReading("heels", "both", rate, amplitude),
    ]


def _cyst_pin(state: str, emotion: str = "") -> Callable[[DemoPainter], dict]:
    def pins(painter: DemoPainter) -> dict:
        at = painter.pickers[False].surface_point(132, -105)
        pin = Pin(
            at,
            "energy_cyst",
            note="Sample data: a firm, warm spot that pulsed under the hand.",
            said="I fell off my bike just there when I was twelve. (invented)",
            emotion=emotion,
            technique="Arcing, then direction of energy",
            cyst_origin="physical trauma",
            cyst_state=state,
            id="pin-demo-cyst",
        )
        return {pin.id: pin}

    return pins


def _lumbar_pin(painter: DemoPainter) -> dict:
    at = painter.pickers[True].surface_point(80, 232)
    pin = Pin(
        at,
        "pain",
        note="Sample data: worse after long drives.",
        said="It's like a knot that never lets go. (invented)",
        id="pin-demo-lumbar",
    )
    return {pin.id: pin}


def _cyst_vector(painter: DemoPainter) -> dict:
    front = painter.pickers[False]
    vector = ForceVector(
        front.surface_point(150, -80),
        front.surface_point(128, -108),
        note="Sample data: the fall, from the outside of the thigh inwards.",
        id="vec-demo-fall",
    )
    return {vector.id: vector}


def story() -> list[Visit]:
    """The five visits. Coordinates are mm in the view plane (posterior unless noted)."""
    dates = ((9, 2), (9, 23), (10, 14), (11, 4), (11, 25))
    day = [datetime(2025, month, date, 9, 30, tzinfo=UTC) for month, date in dates]
    return [
        Visit(
            day[0],
            ALEX,
            [
                Stroke("restriction", OCCIPUT_LINES, 7, radius=0.025),
                Fill("restriction", "cranial_base", 8),
                Stroke("pain", LUMBAR_LEFT, 7, radius=0.03),
                Stroke("tension", NECK_LEFT, 5, radius=0.015, mirror=True),
            ],
            _readings(6.0, 3.0, (5.5, 6.0), "left slower"),
            [
                (
                    "significance_detector",
                    12,
                    "Rhythm stopped at the occiput.",
                    "",
                    "",
                    (0, 710, True),
                ),
                ("technique", 20, "", "CV-4", "", None),
                ("still_point", 24, "About 90 seconds.", "", "", None),
            ],
            SoapNotes(
                subjective="Sample data (invented). Headaches at the back of the head for two "
                "months; low back pain on the left after long drives.",
                objective="Marked restriction at the occiput and cranial base; left lumbar "
                "tenderness; posterior neck held on both sides.",
                assessment="Cranial base restriction with lumbar compensation.",
                plan="Cranial base release, diaphragms; review in three weeks.",
            ),
            pins=_lumbar_pin,
        ),
        Visit(
            day[1],
            ALEX,
            [
                Stroke(
                    "restriction", ((-40, 735), (40, 735)), mode="erase", radius=0.02, soft=False
                ),
                Stroke("restriction", ((-30, 705), (30, 705)), 5, radius=0.02),
                Stroke("release", ((-30, 700), (30, 700)), 6, radius=0.02),
                Stroke("pain", ((112, 265), (112, 200)), mode="erase", radius=0.03, soft=False),
                Stroke("pain", ((50, 235), (80, 235)), 5, radius=0.025),
            ],
            _readings(7.0, 4.0, (6.5, 7.0), "left slightly slower"),
            [
                ("technique", 10, "", "Cranial base release", "", None),
                ("release", 18, "Occiput softened.", "", "", (0, 705, True)),
                ("still_point", 30, "", "", "", None),
            ],
            SoapNotes(
                subjective="Sample data (invented). Fewer headaches; back pain eases by midday.",
                objective="Upper occipital restriction gone; release at the cranial base.",
                assessment="Improving.",
                plan="Continue; add the pelvic diaphragm.",
            ),
        ),
        Visit(
            day[2],
            SAM,
            [
                Stroke("energy_cyst", THIGH_CYST, 8, radius=0.02, posterior=False),
                Stroke(
                    "restriction", ((-40, 715), (-12, 700)), mode="erase", radius=0.022, soft=False
                ),
                Stroke("pain", ((45, 255), (45, 210)), mode="erase", radius=0.025, soft=False),
            ],
            _readings(8.5, 5.0, (8.0, 8.0), "even"),
            [
                (
                    "significance_detector",
                    15,
                    "Rhythm stopped when the thigh was touched.",
                    "",
                    "",
                    (132, -105, False),
                ),
                ("technique", 25, "", "Pelvic diaphragm release", "", None),
                ("release", 35, "", "", "", None),
            ],
            SoapNotes(
                subjective="Sample data (invented). Seen by a colleague. Mentions an old fall.",
                objective="Energy cyst, left anterior thigh; occipital restriction smaller.",
                assessment="Cyst likely from the childhood fall.",
                plan="Work with the cyst next time.",
            ),
            pins=_cyst_pin("active"),
            vectors=_cyst_vector,
        ),
        Visit(
            day[3],
            ALEX,
            [
                Stroke(
                    "restriction", ((12, 700), (40, 715)), mode="erase", radius=0.022, soft=False
                ),
                Fill("restriction", "cranial_base", mode="erase"),
                Stroke("restriction", ((-10, 705), (10, 705)), 4, radius=0.015),
                Fill("release", "cranial_base", 6),
                Stroke("energy_cyst", THIGH_CYST, 6, radius=0.015, posterior=False),
                Stroke("pain", ((80, 235), (86, 235)), 3, radius=0.01),
            ],
            _readings(9.0, 6.0, (9.0, 9.0), "even"),
            [
                ("technique", 8, "", "Sacrum", "", None),
                ("still_point", 20, "", "", "", None),
                ("significance_detector", 32, "At the thigh again.", "", "", (132, -105, False)),
            ],
            SoapNotes(
                subjective="Sample data (invented). Headaches rare; back pain mild.",
                objective="Small central occipital restriction; cyst still active.",
                assessment="Steady progress.",
                plan="Release the cyst.",
            ),
            pins=_cyst_pin("active"),
            vectors=_cyst_vector,
        ),
        Visit(
            day[4],
            ALEX,
            [
                Stroke(
                    "energy_cyst",
                    THIGH_CYST,
                    mode="erase",
                    radius=0.03,
                    posterior=False,
                    soft=False,
                ),
                Stroke("release", THIGH_CYST, 7, radius=0.025, posterior=False),
                Stroke("pain", LUMBAR_LEFT, mode="erase", radius=0.045, soft=False),
                Stroke(
                    "restriction", ((-15, 705), (15, 705)), mode="erase", radius=0.02, soft=False
                ),
                Stroke("restriction", ((-8, 705), (8, 705)), 3, radius=0.012),
                Stroke("tension", NECK_LEFT, mode="erase", radius=0.025, mirror=True, soft=False),
            ],
            _readings(10.0, 7.0, (10.0, 10.0), "even"),
            [
                ("technique", 10, "", "Arcing", "", None),
                (
                    "emotional_release",
                    22,
                    "Tears, then a deep breath.",
                    "",
                    "I was so scared I'd be in trouble for the bike. (invented)",
                    (132, -105, False),
                ),
                ("release", 24, "The cyst let go.", "", "", (132, -105, False)),
                ("still_point", 40, "", "", "", None),
            ],
            SoapNotes(
                subjective="Sample data (invented). No pain this week.",
                objective="Cyst released; faint occipital restriction remains.",
                assessment="Much improved.",
                plan="Review in six weeks.",
            ),
            pins=_cyst_pin("released", "relief"),
            vectors=_cyst_vector,
            finalised=False,
        ),
    ]


def build_sessions(mesh: BodyMesh, atlas: Atlas) -> list[Session]:
    """The five sessions, each carried over from the one before, painted and noted."""
    painter = DemoPainter(mesh, atlas)
    sessions: list[Session] = []
    for session_id, visit in zip(SESSION_IDS, story(), strict=True):
        if sessions:
            session = carry_over(sessions[-1], visit.practitioner)
            session = dataclasses.replace(session, id=session_id, started=visit.started)
        else:
            session = Session(CLIENT_ID, mesh.geometry_hash, mesh.n_vertices,
                              practitioner=visit.practitioner, started=visit.started,
                              id=session_id)  # fmt: skip
        painter.paint(session, visit.paint, visit.started + timedelta(minutes=5))
        session.pins.update(visit.pins(painter))
        session.vectors.update(visit.vectors(painter))
        session.events = [_event(painter, visit.started, *e) for e in visit.events]
        session.rhythm = list(visit.rhythm)
        session.notes = visit.notes
        if visit.finalised:
            session.finalised_at = visit.started + timedelta(hours=1)
        sessions.append(session)
    return sessions


def _event(painter: DemoPainter, start: datetime, kind, minute, note, technique, dialogue, where):
    at = None if where is None else painter.pickers[where[2]].surface_point(*where[:2])
    return SessionEvent(
        kind, start + timedelta(minutes=minute), note=note, dialogue=dialogue,
        technique=technique, at=at, id=f"ev-demo-{start:%m%d}-{minute:02d}",
    )  # fmt: skip


# ----- thumbnails ------------------------------------------------------------------
def thumbnails(sessions: list[Session], mesh: BodyMesh) -> list[bytes | None]:
    """PNG thumbnails (front and back side by side), rendered off-screen; None if it fails."""
    try:
        import pyvista as pv
        from PIL import Image

        from bodymap.core.blend import LayerStyle, blend_vertices
        from bodymap.core.views import StandardView
        from bodymap.render.scene import BodyScene, base_colors
    except ImportError as error:
        print(f"no thumbnails: {error}", file=sys.stderr)
        return [None] * len(sessions)
    plotter = pv.Plotter(off_screen=True, window_size=(240, 480))
    try:
        scene = BodyScene(plotter)
        scene.set_mesh(mesh, StandardView.ANTERIOR)
        everything = np.arange(mesh.n_vertices)
        out = []
        for session in sessions:
            style = LayerStyle.from_tags(session.tags, session.overlays)
            scene.update_colors(
                everything, blend_vertices(session.overlays, style, base_colors(mesh))
            )
            views = []
            for view in (StandardView.ANTERIOR, StandardView.POSTERIOR):
                scene.set_view(view)
                scene.render()
                views.append(scene.screenshot())
            image = Image.fromarray(np.concatenate(views, axis=1))
            image.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH))
            buffer = io.BytesIO()
            image.quantize(colors=96).save(buffer, "PNG", optimize=True)
            out.append(buffer.getvalue())
        return out
    finally:
        plotter.close()


# ----- writing the store -----------------------------------------------------------
def build(store_root: Path | None = None, force: bool = False, with_thumbnails: bool = True):
    """Write (or complete) the demo client in a store; returns ``(store, sessions)``."""
    from bodymap.io.default_body import load_default_body
    from bodymap.store import Store

    store = Store(store_root)
    mesh, atlas = load_default_body()
    if force:
        remove_demo(store)
    sessions = build_sessions(mesh, atlas)
    missing = [s for s in sessions if not _usable(store, s)]
    images = thumbnails(missing, mesh) if missing and with_thumbnails else [None] * len(missing)
    _write_client(store)
    for session, image in zip(missing, images, strict=True):
        _write_session(store, session, image)
    for session in sessions:
        _register(store, session)
    return store, sessions


def _write_client(store) -> None:
    from bodymap.store import clients as client_files

    path = store.layout.client_file(CLIENT_ID)
    if path.exists():
        return
    notes = ("Invented sample data to show what BodyMap records: not a real person. "
             "Rebuild it with scripts/build_demo_store.py.")  # fmt: skip
    client = Client(CLIENT_NAME, id=CLIENT_ID, born="1985", notes=notes, created=CREATED)
    client_files.write_client(path, client)
    store.log("create", CLIENT_ID, None)


def _usable(store, session: Session) -> bool:
    """Whether the session's file exists and passes the full check (then it is kept)."""
    from bodymap.store.verify import check_session_file

    path = store.layout.session_file(CLIENT_ID, session.id)
    return path.is_file() and check_session_file(path) is None


def _write_session(store, session: Session, thumbnail: bytes | None) -> None:
    """Write the file with fixed times (``Store.save`` would stamp the clock's)."""
    from bodymap.store.atomic import PRIVATE_FILE, READ_ONLY_FILE, ensure_folder, write_atomic
    from bodymap.store.layout import remove_file
    from bodymap.store.session_file import encode_session

    path = store.layout.session_file(CLIENT_ID, session.id)
    ensure_folder(path.parent)
    remove_file(path)  # a damaged or foreign file under a demo id: replaced
    saved_at = (session.finalised_at or session.started + timedelta(hours=1)) + timedelta(
        microseconds=1
    )
    image, _ = encode_session(session, saved_at, thumbnail=thumbnail)
    write_atomic(path, image, mode=READ_ONLY_FILE if session.finalised else PRIVATE_FILE)


def _register(store, session: Session) -> None:
    """Add the audit entry a save through the store would have made, if it is missing.

    A signed visit needs a "finalise" entry with its file's SHA-256 (``verify`` checks it);
    the open one gets a "create" entry.
    """
    from bodymap.store.base import file_sha256

    path = store.layout.session_file(CLIENT_ID, session.id)
    sha = file_sha256(path)
    action = "finalise" if session.finalised else "create"
    logged = any(
        e.get("action") == action and e.get("session_id") == session.id and e.get("sha256") == sha
        for e in store.audit.entries()
    )
    if not logged:
        store.log(action, CLIENT_ID, session.id, sha256=sha)


def remove_demo(store) -> None:
    """Delete the demo client's files (its drafts and amendments too), logging each."""
    from bodymap.store.layout import remove_file, remove_tree

    for session_id in SESSION_IDS:
        if remove_file(store.layout.session_file(CLIENT_ID, session_id)):
            store.log("delete", CLIENT_ID, session_id)
    for folder in (store.layout.drafts / CLIENT_ID, store.layout.amendments / CLIENT_ID):
        remove_tree(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="the store folder (default: the checkout's)")
    parser.add_argument("--force", action="store_true", help="delete and rewrite the demo files")
    parser.add_argument("--no-thumbnails", action="store_true", help="skip off-screen renders")
    args = parser.parse_args(argv)
    store, sessions = build(args.store, args.force, not args.no_thumbnails)
    for session in sessions:
        path = store.layout.session_file(CLIENT_ID, session.id)
        state = "finalised" if session.finalised else "open"
        print(f"{path.relative_to(store.root)}  {path.stat().st_size:7d} bytes  {state}")
    print(f"demo client {CLIENT_ID} in {store.root}; check it with: bodymap verify")
    return 0


if __name__ == "__main__":
    sys.exit(main())
