"""Fixtures for the export tests: the default body, a painted session, a store in tmp_path.

A QApplication is made first (pytest-qt's ``qapp``): the exports then draw in it, as in
the app, rather than making a QGuiApplication that the GUI tests after them could not use.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from export_helpers import CLIENT_NAME, ball_body, painted_session
from pyvista.plotting import _ALL_PLOTTERS

from bodymap.core.session import Client
from bodymap.export.source import SessionSource
from bodymap.io.default_body import load_default_body
from bodymap.store import Store


@pytest.fixture(autouse=True)
def gui_app(qapp):
    return qapp


@pytest.fixture(autouse=True)
def no_leaked_plotters() -> Iterator[None]:
    before = set(_ALL_PLOTTERS)
    yield
    assert set(_ALL_PLOTTERS) <= before, "an export left a plotter open"


@pytest.fixture(scope="session")
def body():
    """(mesh, atlas) of the default body, loaded once."""
    return load_default_body()


@pytest.fixture(scope="session")
def ball():
    """(mesh, atlas) of a small sphere with a front and a back region: fast to render."""
    return ball_body()


@pytest.fixture
def source(body) -> SessionSource:
    """A painted session on the default body, with no store."""
    mesh, atlas = body
    client = Client(CLIENT_NAME, id="c-0123456789ab")
    session = painted_session(mesh, atlas, client.id)
    return SessionSource(session, mesh, atlas, client=client, file_sha256="5a" * 32)


@pytest.fixture
def ball_source(ball) -> SessionSource:
    """The same record on the small sphere, for tests of what reports say."""
    mesh, atlas = ball
    client = Client(CLIENT_NAME, id="c-0123456789ab")
    session = painted_session(mesh, atlas, client.id, "front", "back")
    return SessionSource(session, mesh, atlas, client=client, file_sha256="5a" * 32)


@pytest.fixture
def store(tmp_path, ball) -> Store:
    """A store in tmp_path holding the small sphere's mesh."""
    store = Store(tmp_path / "store")
    store.put_mesh(*ball)
    return store


@pytest.fixture
def stored(store, ball):
    """(store, session): a finalised, amended session of a client of the store (sphere)."""
    mesh, atlas = ball
    client = store.create_client(CLIENT_NAME)
    session = painted_session(mesh, atlas, client.id, "front", "back")
    store.save(session)
    store.finalise(session.id)
    store.amend(session.id, "Plan: weekly sessions", "Zoë", "plan")
    return store, session
