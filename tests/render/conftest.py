"""Shared fixtures of the off-screen render tests: one small sphere scene per module."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import pyvista as pv
from pyvista.plotting import _ALL_PLOTTERS

from bodymap.core.mesh import BodyMesh
from bodymap.core.views import StandardView
from bodymap.render.scene import BODY_ACTOR, BodyScene

SIZE = 200
RADIUS = 0.5


@pytest.fixture(autouse=True)
def no_leaked_plotters() -> Iterator[None]:
    before = set(_ALL_PLOTTERS)
    yield
    assert set(_ALL_PLOTTERS) <= before, "a test left a plotter open"


@pytest.fixture(scope="module")
def plotter() -> Iterator[pv.Plotter]:
    """One plotter per module: a first render costs more than most of these tests."""
    plotter = pv.Plotter(off_screen=True, window_size=(SIZE, SIZE))
    yield plotter
    plotter.close()


@pytest.fixture(scope="module")
def module_scene(plotter: pv.Plotter) -> BodyScene:
    sphere = pv.Icosphere(radius=RADIUS, nsub=3)
    scene = BodyScene(plotter)
    scene.set_mesh(BodyMesh(np.asarray(sphere.points), sphere.regular_faces, name="sphere"))
    return scene


@pytest.fixture
def scene(module_scene: BodyScene, plotter: pv.Plotter) -> Iterator[BodyScene]:
    """The module's sphere seen from the front, with no overlays left from other tests."""
    module_scene.set_view(StandardView.ANTERIOR)
    yield module_scene
    for name in [name for name in plotter.renderer.actors if name != BODY_ACTOR]:
        plotter.remove_actor(name, render=False)
