"""Fixtures for the store tests: every store lives in ``tmp_path``."""

from __future__ import annotations

import pytest

from bodymap.core.session import Client
from bodymap.store import Store


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


@pytest.fixture
def client(store) -> Client:
    return store.create_client("Ada Lovelace", born="1815-12-10", contact="ada@example.org")
