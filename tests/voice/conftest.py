"""Voice-test fixtures: the default body, a session document on it, its vocabulary."""

from __future__ import annotations

import pytest

from bodymap.core.document import SessionDocument
from bodymap.core.session import Session
from bodymap.io.default_body import load_default_body
from bodymap.voice.vocabulary import Vocabulary


@pytest.fixture(scope="session")
def body():
    return load_default_body()


@pytest.fixture
def document(body) -> SessionDocument:
    mesh, atlas = body
    session = Session("c-voice", mesh.geometry_hash, mesh.n_vertices)
    return SessionDocument(session, mesh, atlas)


@pytest.fixture
def vocabulary(document) -> Vocabulary:
    return Vocabulary.build(document.session.tags, document.atlas)
