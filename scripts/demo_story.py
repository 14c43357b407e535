"""The demo client's story: five invented visits whose findings change as a course of
treatment might (see ``build_demo_store.py``). Ids, dates and times are fixed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from demo_painter import DemoPainter, Fill, Stroke

from bodymap.core.annotations import ForceVector, Pin
from bodymap.core.atlas import Atlas
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import RhythmReading, Session, SessionEvent, SoapNotes, carry_over

CLIENT_ID = "c-demo-sample"
SESSION_IDS = tuple(f"s-demo-sample-{n}" for n in range(1, 6))


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
