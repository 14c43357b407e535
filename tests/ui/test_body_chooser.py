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
