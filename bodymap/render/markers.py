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
_SIDES = 12


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


class _Parts:
    """Triangle soup gathered part by part, then joined into one polydata."""

    def __init__(self) -> None:
        self.points: list[np.ndarray] = []
        self.normals: list[np.ndarray] = []
        self.faces: list[np.ndarray] = []
        self.colors: list[np.ndarray] = []
        self._count = 0

    def add(
        self, points: np.ndarray, normals: np.ndarray, faces: np.ndarray, rgb: np.ndarray | tuple
    ) -> None:
        """Add ``(P, V, 3)`` points and normals sharing the template ``faces`` (F, 3)."""
        n_parts, n_vertices = points.shape[:2]
        offsets = self._count + n_vertices * np.arange(n_parts)
        self.faces.append((faces[None] + offsets[:, None, None]).reshape(-1, 3))
        self.points.append(points.reshape(-1, 3))
        self.normals.append(normals.reshape(-1, 3))
        colors = np.broadcast_to(np.asarray(rgb, dtype=np.uint8).reshape(-1, 1, 3), points.shape)
        self.colors.append(colors.reshape(-1, 3))
        self._count += n_parts * n_vertices

    def polydata(self) -> pv.PolyData:
        mesh = pv.PolyData.from_regular_faces(
            np.concatenate(self.points), np.concatenate(self.faces)
        )
        mesh.point_data["Normals"] = np.concatenate(self.normals)
        mesh.GetPointData().SetActiveNormals("Normals")
        mesh.point_data["rgb"] = np.concatenate(self.colors)
        mesh.GetPointData().SetActiveScalars("rgb")
        return mesh


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

    def _show(self, ids: list[str], anchors: np.ndarray, parts: _Parts | None) -> None:
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
        normals = _unit_rows(np.array([pin.normal for pin in pins], dtype=float))
        rgb = np.array([pin.rgb for pin in pins], dtype=np.uint8).reshape(-1, 3)
        selected = np.array([bool(pin.selected) for pin in pins])
        head_radius = np.where(selected, SELECTED_SCALE, 1.0) * size / 2
        stalk = 0.9 * size
        heads = points + normals * (stalk + 0.8 * head_radius)[:, None]
        parts = _Parts()
        sphere_points, sphere_faces = _SPHERE
        parts.add(
            heads[:, None] + head_radius[:, None, None] * sphere_points,
            np.broadcast_to(sphere_points, (len(pins), *sphere_points.shape)),
            sphere_faces,
            rgb,
        )
        _add_cylinders(parts, points, normals, stalk, 0.1 * size, rgb)
        if selected.any():
            feet = points[selected] + 0.0005 * normals[selected]
            _add_discs(parts, feet, normals[selected], 1.1 * size, 0.75 * size, COLLAR_RGB)
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
        normals = _unit_rows(
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
        parts = _Parts() if drawn.any() else None
        if parts is not None:
            s, e, length = starts[drawn], ends[drawn], lengths[drawn]
            radius = width / 2 * scale[drawn]
            axis = (e - s) / length[:, None]
            head_length = np.minimum(0.45 * length, 8.0 * radius)
            neck = e - axis * head_length[:, None]
            _add_cylinders(parts, s, axis, length - head_length, radius, rgb[drawn], caps=True)
            _add_cones(parts, neck, axis, head_length, 3.0 * radius, rgb[drawn])
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
        face_normals = self._scene.mesh.face_normals_unit[faces]
        height = np.einsum("ij,ij->i", flat - surface, face_normals)
        along = np.einsum("ij,ij->i", np.repeat(normals, len(shares), axis=0), face_normals)
        needed = (VECTOR_LIFT - height) / np.maximum(along, 0.3)  # lifting a slope helps less
        return np.maximum(needed.reshape(len(starts), -1).max(axis=1), VECTOR_LIFT)


def _as(kind: type, item: Any) -> Any:
    return item if isinstance(item, kind) else kind(*item)


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    if not np.all(norms > 0):
        raise ValueError("a marker normal or direction cannot be zero")
    return vectors / norms


def _frames(axes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors perpendicular to each unit row of ``axes`` (and to each other)."""
    helper = np.where(np.abs(axes[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    u = _unit_rows(np.cross(axes, helper))
    return u, np.cross(axes, u)


def _ring(axes: np.ndarray) -> np.ndarray:
    """(P, _SIDES, 3) unit vectors around each axis."""
    u, v = _frames(axes)
    angles = np.linspace(0.0, 2.0 * np.pi, _SIDES, endpoint=False)
    return np.cos(angles)[None, :, None] * u[:, None] + np.sin(angles)[None, :, None] * v[:, None]


def _band_faces(first: int, second: int) -> np.ndarray:
    """Triangles joining two rings of ``_SIDES`` points starting at ``first`` and ``second``."""
    i = np.arange(_SIDES)
    j = (i + 1) % _SIDES
    return np.concatenate(
        [
            np.stack([first + i, first + j, second + j], 1),
            np.stack([first + i, second + j, second + i], 1),
        ]
    )


def _fan_faces(rim: int, centre: int, flip: bool) -> np.ndarray:
    i = np.arange(_SIDES)
    j = (i + 1) % _SIDES
    fan = np.stack([np.full(_SIDES, centre), rim + j, rim + i], 1)
    return fan[:, ::-1] if flip else fan


def _add_cylinders(parts: _Parts, bases, axes, lengths, radii, rgb, caps: bool = False) -> None:
    """Open (or start-capped) cylinders from ``bases`` along unit ``axes``."""
    radial = _ring(axes)
    radii = np.broadcast_to(np.asarray(radii, dtype=float), len(bases))[:, None, None]
    tops = bases + axes * np.broadcast_to(lengths, len(bases))[:, None]
    points = [bases[:, None] + radii * radial, tops[:, None] + radii * radial]
    normals = [radial, radial]
    faces = [_band_faces(0, _SIDES)]
    if caps:
        points += [bases[:, None] + radii * radial, bases[:, None]]
        normals += [np.repeat(-axes[:, None], _SIDES + 1, axis=1)]
        faces.append(_fan_faces(2 * _SIDES, 3 * _SIDES, flip=True))
    normals_all = np.concatenate(normals, axis=1)
    parts.add(np.concatenate(points, axis=1), normals_all, np.concatenate(faces), rgb)


def _add_cones(parts: _Parts, bases, axes, lengths, radii, rgb) -> None:
    """Closed cones from ``bases`` to apexes along unit ``axes``."""
    radial = _ring(axes)
    radii = np.asarray(radii, dtype=float)[:, None, None]
    apexes = bases + axes * lengths[:, None]
    slope = (radii[:, :, 0] / lengths[:, None])[:, :, None]  # tilts side normals forward
    side = radial + slope * axes[:, None]
    side /= np.linalg.norm(side, axis=2, keepdims=True)
    rim = bases[:, None] + radii * radial
    points = [rim, np.repeat(apexes[:, None], _SIDES, axis=1), rim, bases[:, None]]
    normals = [side, side, np.repeat(-axes[:, None], _SIDES + 1, axis=1)]
    faces = [
        np.stack(
            [np.arange(_SIDES), (np.arange(_SIDES) + 1) % _SIDES, _SIDES + np.arange(_SIDES)], 1
        ),
        _fan_faces(2 * _SIDES, 3 * _SIDES, flip=True),
    ]
    parts.add(
        np.concatenate(points, axis=1), np.concatenate(normals, axis=1), np.concatenate(faces), rgb
    )


def _add_discs(parts: _Parts, centres, normals, outer: float, inner: float, rgb) -> None:
    """Flat rings (annuli) lying in the plane perpendicular to each normal."""
    radial = _ring(normals)
    points = np.concatenate(
        [centres[:, None] + outer / 2 * radial, centres[:, None] + inner / 2 * radial], axis=1
    )
    flat = np.repeat(normals[:, None], 2 * _SIDES, axis=1)
    parts.add(points, flat, _band_faces(0, _SIDES)[:, ::-1], rgb)


def _unit_sphere() -> tuple[np.ndarray, np.ndarray]:
    sphere = pv.Icosphere(radius=1.0, nsub=2)
    return np.asarray(sphere.points, dtype=float), np.asarray(sphere.regular_faces)


_SPHERE = _unit_sphere()


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
