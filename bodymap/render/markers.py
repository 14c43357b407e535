"""Pins and force vectors drawn over the body, and which one lies under a screen point.

Each layer is one actor whose whole geometry (every pin, or every arrow) is rebuilt in numpy
and handed to the mapper on each ``set_*`` call: markers are few, so that costs about a
millisecond (50 pins), and the scene never gains an actor per marker. Picking projects the
markers' anchors to the screen in numpy; no VTK picker runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import pyvista as pv
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper

from bodymap.core.colors import tag_rgb
from bodymap.render.marker_shapes import (
    UNIT_SPHERE,
    Parts,
    add_cones,
    add_cylinders,
    add_discs,
    unit_rows,
)
from bodymap.render.scene import BodyScene

PIN_SIZE = 0.006
"""Diameter of a pin's head in metres; the stalk is about as long."""
VECTOR_WIDTH = 0.002
"""The thinnest arrow shaft in metres; the head is 3 times as wide."""
VECTOR_PIXELS = 5.0
"""An arrow's shaft is drawn about this many device pixels wide, like pins sized for the
screen, within [VECTOR_WIDTH, VECTOR_MAX_WIDTH]."""
VECTOR_MAX_WIDTH = 0.008
VECTOR_LIFT = 0.002
"""Metres an arrow floats above the surface where it comes closest (lifted along its start's
normal: a straight arrow between two points of a curved body would otherwise dip under it)."""
CLEARANCE_SAMPLES = 5
"""Points inside each arrow checked against the surface when lifting it clear."""
PICK_RADIUS_PX = 10.0
SELECTED_SCALE = 1.4
COLLAR_RGB = (35, 35, 38)
"""The dark ring around a selected pin's foot."""


class PinMark(NamedTuple):
    """A pin as plain data (a tuple in this order works as well)."""

    id: str
    point: np.ndarray
    normal: np.ndarray
    rgb: np.ndarray
    selected: bool = False


class VectorMark(NamedTuple):
    """A force vector as plain data (a tuple in this order works as well)."""

    id: str
    start: np.ndarray
    end: np.ndarray
    normal_at_start: np.ndarray
    rgb: np.ndarray
    selected: bool = False


class _MarkerLayer:
    """One actor for a set of markers, and picking by their projected anchor segments."""

    def __init__(self, scene: BodyScene, name: str) -> None:
        self._scene = scene
        self._mapper = vtkPolyDataMapper()
        self._mapper.SetColorModeToDirectScalars()  # uint8 RGB as is, no lookup table
        self._mapper.SetScalarModeToUsePointData()
        self._actor = vtkActor()
        self._actor.SetMapper(self._mapper)
        prop = self._actor.GetProperty()
        prop.SetAmbient(0.35)
        prop.SetDiffuse(0.65)
        prop.SetSpecular(0.15)
        prop.SetSpecularPower(20.0)
        prop.SetInterpolationToPhong()
        scene.add_overlay(self._actor, name)
        self._ids: tuple[str, ...] = ()
        self._anchors = np.empty((0, 2, 3))
        self.clear()

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of the markers shown, in the order given."""
        return self._ids

    @property
    def anchors(self) -> np.ndarray:
        """Where each marker is picked: a segment per marker, (K, 2, 3), read-only.

        A pin's head centre twice; an arrow's lifted start and end.
        """
        view = self._anchors.view()
        view.setflags(write=False)
        return view

    def clear(self) -> None:
        """Remove every marker (no render)."""
        self._ids = ()
        self._anchors = np.empty((0, 2, 3))
        self._mapper.SetInputData(pv.PolyData())
        self._actor.VisibilityOff()

    def remove(self) -> None:
        """Take the layer out of the scene for good."""
        self._scene.remove_overlay(self._actor)

    def pick_marker(self, x: float, y: float, radius: float = PICK_RADIUS_PX) -> str | None:
        """The id of the marker nearest a screen point, or ``None``.

        Parameters
        ----------
        x, y : float
            Device pixels from the top-left corner, as for :meth:`BodyScene.pick`.
        radius : float
            How far from a marker's anchor (a pin's head, an arrow's axis) in device
            pixels a point still counts as on it.

        Markers hidden behind the body (the body nearer the eye than the marker, by more
        than the marker's own height) are skipped.
        """
        if not self._ids:
            return None
        a, b = self._anchors[:, 0], self._anchors[:, 1]
        screen_a = self._scene.world_to_display(a)
        screen_b = self._scene.world_to_display(b)
        along = screen_b - screen_a
        length2 = np.einsum("ij,ij->i", along, along)
        safe = np.where(length2 > 0, length2, 1.0)
        offset = np.array([x, y], dtype=float) - screen_a
        t = np.clip(np.einsum("ij,ij->i", offset, along) / safe, 0.0, 1.0)
        distance = np.linalg.norm(offset - t[:, None] * along, axis=1)
        near = np.flatnonzero(distance <= radius)  # NaN (behind the eye) never passes
        for k in near[np.argsort(distance[near])]:
            world = a[k] + t[k] * (b[k] - a[k])
            if self._in_sight(world, screen_a[k] + t[k] * along[k]):
                return self._ids[k]
        return None

    def _in_sight(self, world: np.ndarray, screen: np.ndarray) -> bool:
        hit = self._scene.pick(float(screen[0]), float(screen[1]))
        if hit is None:
            return True
        view = self._scene.viewpoint()
        depths = view.depth(np.stack([world, hit.point]))
        return bool(depths[0] <= depths[1] + self._occlusion_slack())

    def _occlusion_slack(self) -> float:
        return 0.01

    def _show(self, ids: list[str], anchors: np.ndarray, parts: Parts | None) -> None:
        self._ids = tuple(ids)
        self._anchors = anchors
        if parts is None or not parts.points:
            self._mapper.SetInputData(pv.PolyData())
            self._actor.VisibilityOff()
            return
        self._mapper.SetInputData(parts.polydata())
        self._actor.VisibilityOn()


class PinMarkers(_MarkerLayer):
    """Pins: a round head on a short stalk standing on the surface along its normal.

    Parameters
    ----------
    scene : BodyScene
    name : str
        Actor name in the scene; a second layer needs another.
    """

    def __init__(self, scene: BodyScene, name: str = "pins") -> None:
        self._size = PIN_SIZE
        super().__init__(scene, name)

    def set_pins(self, pins: Iterable[Any], size: float = PIN_SIZE) -> None:
        """Show these pins, replacing the ones shown (no render).

        Parameters
        ----------
        pins : iterable of PinMark, or of tuples in its field order
        size : float
            Head diameter in metres. On a whole-body view a pixel spans a few millimetres:
            pass ``k / scene.pixels_per_metre(point)`` to keep pins ``k`` pixels wide.
        """
        pins = [_as(PinMark, pin) for pin in pins]
        self._size = float(size)
        if not pins:
            self._show([], np.empty((0, 2, 3)), None)
            return
        points = np.array([pin.point for pin in pins], dtype=float).reshape(-1, 3)
        normals = unit_rows(np.array([pin.normal for pin in pins], dtype=float))
        rgb = np.array([pin.rgb for pin in pins], dtype=np.uint8).reshape(-1, 3)
        selected = np.array([bool(pin.selected) for pin in pins])
        head_radius = np.where(selected, SELECTED_SCALE, 1.0) * size / 2
        stalk = 0.9 * size
        heads = points + normals * (stalk + 0.8 * head_radius)[:, None]
        parts = Parts()
        sphere_points, sphere_faces = UNIT_SPHERE
        parts.add(
            heads[:, None] + head_radius[:, None, None] * sphere_points,
            np.broadcast_to(sphere_points, (len(pins), *sphere_points.shape)),
            sphere_faces,
            rgb,
        )
        add_cylinders(parts, points, normals, stalk, 0.1 * size, rgb)
        if selected.any():
            feet = points[selected] + 0.0005 * normals[selected]
            add_discs(parts, feet, normals[selected], 1.1 * size, 0.75 * size, COLLAR_RGB)
        anchors = np.stack([heads, heads], axis=1)
        self._show([pin.id for pin in pins], anchors, parts)

    def _occlusion_slack(self) -> float:
        return 1.5 * self._size


class VectorMarkers(_MarkerLayer):
    """Force vectors: an arrow (shaft and cone) from start to end, lifted off the surface.

    Parameters
    ----------
    scene : BodyScene
    name : str
        Actor name in the scene; a second layer needs another.
    """

    def __init__(self, scene: BodyScene, name: str = "vectors") -> None:
        super().__init__(scene, name)

    def set_vectors(self, vectors: Iterable[Any], width: float | None = None) -> None:
        """Show these vectors, replacing the ones shown (no render).

        Parameters
        ----------
        vectors : iterable of VectorMark, or of tuples in its field order
            A vector whose end equals its start is kept for picking but not drawn.
        width : float, optional
            Shaft diameter in metres (a selected arrow is drawn 1.4 times as wide); by
            default about ``VECTOR_PIXELS`` on screen at the vectors' middle.
        """
        vectors = [_as(VectorMark, vector) for vector in vectors]
        if not vectors:
            self._show([], np.empty((0, 2, 3)), None)
            return
        normals = unit_rows(
            np.array([v.normal_at_start for v in vectors], dtype=float).reshape(-1, 3)
        )
        starts = np.array([v.start for v in vectors], dtype=float).reshape(-1, 3)
        ends = np.array([v.end for v in vectors], dtype=float).reshape(-1, 3)
        lift = normals * self._clearance(starts, ends, normals)[:, None]
        starts, ends = starts + lift, ends + lift
        rgb = np.array([v.rgb for v in vectors], dtype=np.uint8).reshape(-1, 3)
        scale = np.where([bool(v.selected) for v in vectors], SELECTED_SCALE, 1.0)
        lengths = np.linalg.norm(ends - starts, axis=1)
        if width is None:
            width = self._screen_width(np.concatenate([starts, ends]).mean(axis=0))
        drawn = lengths > 1e-6
        parts = Parts() if drawn.any() else None
        if parts is not None:
            s, e, length = starts[drawn], ends[drawn], lengths[drawn]
            radius = width / 2 * scale[drawn]
            axis = (e - s) / length[:, None]
            head_length = np.minimum(0.45 * length, 8.0 * radius)
            neck = e - axis * head_length[:, None]
            add_cylinders(parts, s, axis, length - head_length, radius, rgb[drawn], caps=True)
            add_cones(parts, neck, axis, head_length, 3.0 * radius, rgb[drawn])
        anchors = np.stack([starts, ends], axis=1)
        self._show([v.id for v in vectors], anchors, parts)

    def _screen_width(self, point: np.ndarray) -> float:
        scale = self._scene.pixels_per_metre(point)
        if not np.isfinite(scale) or scale <= 0:
            return VECTOR_WIDTH
        return float(np.clip(VECTOR_PIXELS / scale, VECTOR_WIDTH, VECTOR_MAX_WIDTH))

    def _clearance(self, starts: np.ndarray, ends: np.ndarray, normals: np.ndarray) -> np.ndarray:
        """How far to lift each straight arrow along its normal to float VECTOR_LIFT clear.

        A chord between two points of a curved body runs under the skin (by about 8 mm
        for 10 cm across the chest), so the lowest of a few samples along it sets the lift.
        """
        shares = np.linspace(0.0, 1.0, CLEARANCE_SAMPLES + 2)[1:-1]  # the ends are on the skin
        samples = starts[:, None] + shares[None, :, None] * (ends - starts)[:, None]
        flat = samples.reshape(-1, 3)
        surface, faces = self._scene.closest_points_with_faces(flat)
        face_normals = self._scene.mesh.face_normals(faces)  # these only: no 24 MiB array
        height = np.einsum("ij,ij->i", flat - surface, face_normals)
        along = np.einsum("ij,ij->i", np.repeat(normals, len(shares), axis=0), face_normals)
        needed = (VECTOR_LIFT - height) / np.maximum(along, 0.3)  # lifting a slope helps less
        return np.maximum(needed.reshape(len(starts), -1).max(axis=1), VECTOR_LIFT)


def _as(kind: type, item: Any) -> Any:
    return item if isinstance(item, kind) else kind(*item)


def session_marks(
    session: Any, normals: np.ndarray, selected: str | None = None
) -> tuple[list[PinMark], list[VectorMark]]:
    """A session's pins (those of shown tags) and vectors as marks, in the tags' colours.

    Parameters
    ----------
    session : Session
    normals : (N, 3) float array
        The body's vertex normals (a pin stands along its vertex's normal).
    selected : str, optional
        The id of the pin or vector drawn as selected.
    """
    tags = session.tags

    def rgb(key: str) -> np.ndarray:
        return np.array(tag_rgb(tags, key), np.uint8)

    pins = [
        PinMark(p.id, np.array(p.at.point), normals[p.at.vertex], rgb(p.tag), p.id == selected)
        for p in session.pins.values()
        if p.tag not in tags or tags.get(p.tag).visible
    ]
    vectors = [
        VectorMark(
            v.id,
            np.array(v.start.point),
            np.array(v.end.point),
            normals[v.start.vertex],
            rgb(v.tag),
            v.id == selected,
        )
        for v in session.vectors.values()
    ]
    return pins, vectors
