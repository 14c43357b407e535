"""Painting: the CPU cost of one brush dab as the app runs it, step by step, and naive peers.

A dab is: pick the screen point (ray into the scene's cached cell locator), find the brush
footprint (surface walk from the hit), paint it into the 8 tag layers, re-blend the touched
rows, write their colours into the VTK array. The naive peers re-add the mesh and pick with
a ``vtkCellPicker`` (pyvista's default), and re-blend and rewrite every vertex per dab.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
from bench_common import Context, Figure, sample
from bench_meshes import bench_tags, paint_layers, size_label
from vtkmodules.vtkRenderingCore import vtkCellPicker

from bodymap.core.blend import LayerStyle, blend_vertices
from bodymap.core.brush import BrushGeometry, Viewpoint
from bodymap.core.colors import base_colors
from bodymap.core.mesh import BodyMesh
from bodymap.core.overlays import Overlays
from bodymap.core.painter import Painter
from bodymap.render.scene import COLORS_ARRAY, BodyScene

RADII = {"5 cm": 0.05, "10 cm": 0.10}
DAB_BUDGET_MS = ((0.8e6, 1.2e6, 2.0), (1.6e6, 2.4e6, 4.0))
"""A 5 cm dab: 2 ms at about 1M vertices, 4 ms at about 2M (low, high vertex count, ms)."""
WINDOW = (1280, 1024)
PICK_POINTS = 64
PAINTED_LAYERS = 5


@dataclass(eq=False)
class PaintRig:
    """One mesh in an off-screen scene, with 8 layers (some painted) and a stroke under way."""

    mesh: BodyMesh
    plotter: pv.Plotter
    scene: BodyScene
    geometry: BrushGeometry
    overlays: Overlays
    style: LayerStyle
    base: np.ndarray
    painter: Painter
    viewpoint: Viewpoint
    points: np.ndarray

    def point(self, i: int) -> tuple[float, float]:
        x, y = self.points[i % len(self.points)]
        return float(x), float(y)

    def dab(self, i: int, radius: float) -> int:
        """The app's dab at pick point ``i``; the number of vertices it brushed."""
        hit = self.scene.pick(*self.point(i))
        footprint = self.geometry.footprint(hit.point, hit.vertex_id, radius, self.viewpoint)
        ids = self.painter.dab(footprint.ids, footprint.weights)
        rgba = blend_vertices(self.overlays, self.style, self.base, ids)
        self.scene.update_colors(ids, rgba)
        return len(ids)


def build_rig(mesh: BodyMesh) -> PaintRig:
    plotter = pv.Plotter(off_screen=True, window_size=WINDOW)
    scene = BodyScene(plotter)
    scene.set_mesh(mesh)
    tags = bench_tags()
    overlays = paint_layers(mesh, tags, PAINTED_LAYERS)
    style = LayerStyle.from_tags(tags, overlays)
    base = base_colors(mesh)
    scene.update_colors(np.arange(mesh.n_vertices), blend_vertices(overlays, style, base))
    painter = Painter(overlays)
    painter.begin_stroke((tags.keys()[0],), 60)
    ray = scene.viewpoint()
    return PaintRig(
        mesh=mesh,
        plotter=plotter,
        scene=scene,
        geometry=BrushGeometry(mesh),
        overlays=overlays,
        style=style,
        base=base,
        painter=painter,
        viewpoint=Viewpoint(ray.position, ray.direction, ray.parallel),
        points=pick_points(scene, mesh, PICK_POINTS),
    )


def pick_points(scene: BodyScene, mesh: BodyMesh, count: int, seed: int = 3) -> np.ndarray:
    """Screen points over visible skin: random front-facing vertices, projected, kept when the
    pick lands on them (not hidden behind an arm)."""
    rng = np.random.default_rng(seed)
    candidates = rng.choice(np.flatnonzero(mesh.external), size=40 * count, replace=False)
    ray = scene.viewpoint()
    toward = ray.toward_camera(mesh.vertices[candidates])
    facing = np.einsum("ij,ij->i", toward, mesh.vertex_normals[candidates]) > 0.5
    candidates = candidates[facing]
    points = []
    projected = scene.world_to_display(mesh.vertices[candidates])
    for vertex, (x, y) in zip(candidates, projected, strict=True):
        hit = scene.pick(x, y)
        if hit is not None and np.linalg.norm(hit.point - mesh.vertices[vertex]) < 0.005:
            points.append((x, y))
            if len(points) == count:
                break
    if not points:
        raise RuntimeError("no pick point lands on the body")
    return np.array(points)


class NaivePicker:
    """pyvista's default: re-add the mesh (with its colours) and pick with a vtkCellPicker."""

    def __init__(self, rig: PaintRig) -> None:
        self.plotter = pv.Plotter(off_screen=True, window_size=WINDOW)
        mesh = rig.mesh
        self.polydata = pv.PolyData.from_regular_faces(np.array(mesh.vertices), mesh.faces)
        self.polydata.point_data[COLORS_ARRAY] = np.array(rig.scene.colors)
        source, target = rig.plotter.camera, self.plotter.camera
        for name in ("position", "focal_point", "up", "view_angle", "parallel_scale"):
            setattr(target, name, getattr(source, name))
        self.plotter.camera_set = True
        self.plotter.renderer.ResetCameraClippingRange()
        self.faces = mesh.faces
        self.vertices = mesh.vertices

    def pick(self, x: float, y: float) -> tuple[np.ndarray, int] | None:
        """Re-add the mesh, pick; the hit point and its nearest vertex."""
        self.plotter.add_mesh(
            self.polydata,
            scalars=COLORS_ARRAY,
            rgb=True,
            name="body",
            reset_camera=False,
            show_scalar_bar=False,
        )
        picker = vtkCellPicker()
        height = self.plotter.render_window.GetSize()[1]
        picker.Pick(x, height - 1 - y, 0, self.plotter.renderer)
        cell = picker.GetCellId()
        if cell < 0:
            return None
        point = np.array(picker.GetPickPosition())
        face = self.faces[cell]
        nearest = face[np.argmin(np.linalg.norm(self.vertices[face] - point, axis=1))]
        return point, int(nearest)

    def close(self) -> None:
        self.plotter.close()


def naive_dab(rig: PaintRig, naive: NaivePicker, i: int, radius: float) -> None:
    """A dab the naive way: re-add + cell picker, then re-blend and rewrite every vertex."""
    hit = naive.pick(*rig.point(i))
    if hit is None:
        return
    footprint = rig.geometry.footprint(hit[0], hit[1], radius, rig.viewpoint)
    rig.painter.dab(footprint.ids, footprint.weights)
    full_reblend(rig)
    naive.polydata.point_data[COLORS_ARRAY][:] = rig.scene.colors


def full_reblend(rig: PaintRig) -> None:
    rgba = blend_vertices(rig.overlays, rig.style, rig.base)
    rig.scene.update_colors(np.arange(rig.mesh.n_vertices), rgba)


def run(ctx: Context) -> list[Figure]:
    figures: list[Figure] = []
    for token in ctx.options.sizes:
        mesh, _ = ctx.body(token)
        ctx.log(f"paint: {token} ({mesh.n_vertices:,} vertices)")
        rig = build_rig(mesh)
        try:
            figures += _size_figures(ctx, rig, token, size_label(token, mesh))
        finally:
            rig.painter.end_stroke()
            rig.plotter.close()
    return figures


def _size_figures(ctx: Context, rig: PaintRig, token: str, size: str) -> list[Figure]:
    options = ctx.options
    n = rig.mesh.n_vertices
    budget = next((ms for low, high, ms in DAB_BUDGET_MS if low <= n <= high), None)
    figures = []
    for name, radius in RADII.items():
        counts: dict[int, int] = {}

        def one(i: int, radius: float = radius, counts: dict = counts) -> None:
            counts[i] = rig.dab(i, radius)

        samples = sample(one, options)
        per_vertex = [1e3 * ms / max(counts[i], 1) for i, ms in enumerate(samples)]
        share = 100 * np.median(list(counts.values())) / rig.mesh.n_vertices
        key = f"dab_{name.replace(' ', '')}@{token}"
        figures.append(
            Figure(
                key,
                f"dab {name} [{size}]",
                "ms",
                samples,
                budget=budget if name == "5 cm" else None,
                peer=f"naive_{key}",
                note=f"median {np.median(list(counts.values())):,.0f} vertices brushed "
                f"({share:.2f}% of the mesh)",
            )
        )
        figures.append(Figure(f"{key}_per_vertex", "  per brushed vertex", "µs", per_vertex))
    figures += _step_figures(ctx, rig, token, size)
    figures += _naive_figures(ctx, rig, token, size)
    return figures


def _step_figures(ctx: Context, rig: PaintRig, token: str, size: str) -> list[Figure]:
    """Each step of a 5 cm dab on its own, over the same pick points."""
    options, radius = ctx.options, RADII["5 cm"]
    hits = [rig.scene.pick(*rig.point(i)) for i in range(len(rig.points))]
    prints = [rig.geometry.footprint(h.point, h.vertex_id, radius, rig.viewpoint) for h in hits]
    ids = [p.ids for p in prints]
    colours = [blend_vertices(rig.overlays, rig.style, rig.base, i) for i in ids]
    n = len(hits)

    def write(i: int) -> None:
        rig.scene.update_colors(ids[i % n], colours[i % n])

    def blend_write(i: int) -> None:
        rgba = blend_vertices(rig.overlays, rig.style, rig.base, ids[i % n])
        rig.scene.update_colors(ids[i % n], rgba)

    steps = [
        (
            "pick",
            "pick (camera ray over spatial blocks)",
            lambda i: rig.scene.pick(*rig.point(i)),
            "naive_pick",
        ),
        (
            "footprint",
            "  footprint 5 cm",
            lambda i: rig.geometry.footprint(
                hits[i % n].point, hits[i % n].vertex_id, radius, rig.viewpoint
            ),
            None,
        ),
        (
            "paint",
            "  paint 5 cm",
            lambda i: rig.painter.dab(ids[i % n], prints[i % n].weights),
            None,
        ),
        ("blend_write", "  re-blend touched + colour write 5 cm", blend_write, "naive_blend"),
        ("write", "  colour write 5 cm", write, None),
    ]
    figures = [
        Figure(
            f"{key}@{token}",
            f"{label} [{size}]",
            "ms",
            sample(step, options),
            peer=None if peer is None else f"{peer}@{token}",
        )
        for key, label, step, peer in steps
    ]
    figures.insert(
        1,
        Figure(
            f"pick_after_write@{token}",
            f"  pick right after a colour write [{size}]",
            "ms",
            sample(lambda i: rig.scene.pick(*rig.point(i)), options, cheap=False, before=write),
            peer=f"naive_pick@{token}",
            note="as in a stroke: each dab's colour write comes before the next dab's pick",
        ),
    )
    return figures


def _agreement(rig: PaintRig, naive: NaivePicker, count: int = 5) -> int:
    """At how many of the first pick points both picks land within a millimetre."""
    agree = 0
    for i in range(count):
        ours, theirs = rig.scene.pick(*rig.point(i)), naive.pick(*rig.point(i))
        agree += theirs is not None and np.linalg.norm(ours.point - theirs[0]) < 1e-3
    return agree


def _naive_figures(ctx: Context, rig: PaintRig, token: str, size: str) -> list[Figure]:
    options = ctx.options
    naive = NaivePicker(rig)
    try:
        agree = _agreement(rig, naive)
        figures = [
            Figure(
                f"naive_pick@{token}",
                f"peer: re-add mesh + vtkCellPicker [{size}]",
                "ms",
                sample(lambda i: naive.pick(*rig.point(i)), options, cheap=False),
                note=f"hits the same place as the app's pick at {agree} of 5 points",
            ),
            Figure(
                f"naive_blend@{token}",
                f"peer: full re-blend + whole write [{size}]",
                "ms",
                sample(lambda i: full_reblend(rig), options, cheap=False),
            ),
        ]
        for name, radius in RADII.items():
            figures.append(
                Figure(
                    f"naive_dab_{name.replace(' ', '')}@{token}",
                    f"peer: naive dab {name} [{size}]",
                    "ms",
                    sample(lambda i, r=radius: naive_dab(rig, naive, i, r), options, cheap=False),
                )
            )
        return figures
    finally:
        naive.close()
