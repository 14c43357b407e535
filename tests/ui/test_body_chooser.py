"""A client's body is chosen in the client dialog and kept in the client record."""

from __future__ import annotations

import pytest

from bodymap.store import Store
from bodymap.ui.client_dialog import ClientDialog


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


def test_a_new_client_gets_the_chosen_body_and_an_adult_build(qtbot, store):
    dialog = ClientDialog(store)
    qtbot.addWidget(dialog)
    dialog.name.setText("Tall Client")
    dialog.body.kind.setCurrentIndex(dialog.body.kind.findData("adult_male"))
    dialog.body.height.setValue(1.90)
    dialog.accept()
    assert dialog.client is not None
    assert store.client(dialog.client.id).body == {"body_id": "adult_male", "height_m": 1.9}


def test_a_child_takes_no_build_and_the_body_can_be_changed_later(qtbot, store):
    client = store.create_client("Growing Child", body={"body_id": "toddler"})
    dialog = ClientDialog(store, client)
    qtbot.addWidget(dialog)
    assert dialog.body.kind.currentData() == "toddler"
    assert not dialog.body.height.isEnabled()
    dialog.body.kind.setCurrentIndex(dialog.body.kind.findData("child"))
    dialog.accept()
    assert store.client(client.id).body == {"body_id": "child"}


def test_the_chosen_body_is_loaded_while_the_dialog_is_open(qtbot) -> None:
    from bodymap.io.body_loading import _shipped_body, body_of
    from bodymap.ui.body_chooser import BodyChooser

    _shipped_body.cache_clear()
    chooser = BodyChooser({"body_id": "adult_female"})
    qtbot.addWidget(chooser)
    chooser.kind.setCurrentIndex(chooser.kind.findData("child"))
    # The dialog's body (as it opened) and the one chosen since.
    qtbot.waitUntil(lambda: _shipped_body.cache_info().currsize >= 2, timeout=20_000)
    hits = _shipped_body.cache_info().hits
    assert body_of("child").mesh.n_vertices > 0
    assert _shipped_body.cache_info().hits == hits + 1  # the session finds it loaded
