"""The demo client (scripts/build_demo_store.py), built into tmp_path without thumbnails."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from bodymap.analysis.lookup import session_body
from bodymap.cli import main
from bodymap.core.replay import state_after
from bodymap.core.series import practitioner_changes, region_series
from bodymap.store.base import file_sha256

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_demo_store.py"


@pytest.fixture(scope="module")
def demo_script():
    spec = importlib.util.spec_from_file_location("build_demo_store", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def demo(demo_script, tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "store"
    store, _ = demo_script.build(root, with_thumbnails=False)
    sessions = [store.load(i) for i in demo_script.SESSION_IDS]
    return demo_script, store, sessions


@pytest.fixture(scope="module")
def body():
    from bodymap.io.default_body import load_default_body

    return load_default_body()


def test_five_visits_of_an_invented_client(demo):
    script, store, sessions = demo
    [client] = store.clients()
    assert client.id == script.CLIENT_ID and "demo" in client.name.lower()
    assert "invented" in client.notes.lower()
    assert [s.id for s in sessions] == [i.id for i in store.sessions(client.id)]
    assert len(sessions) >= 5
    assert all(s.finalised for s in sessions[:-1]) and not sessions[-1].finalised
    assert all(s.notes.subjective.startswith("Sample data") for s in sessions)
    assert [s.started for s in sessions] == sorted(s.started for s in sessions)
    assert practitioner_changes([s.practitioner for s in sessions]) == [2, 3]
    head = [next(r.rate for r in s.rhythm if r.station == "head") for s in sessions]
    assert head[0] == 6 and head[-1] == 10 and head == sorted(head)
    assert all(s.strokes and s.events for s in sessions)


def region_areas(sessions, tag, body):
    mesh, atlas = body
    layers = [s.overlays.layer(tag) if tag in s.overlays.painted_keys() else None
              for s in sessions]  # fmt: skip
    series = region_series(layers, mesh, atlas)
    return {r.key: series.region_area_cm2[:, i] for i, r in enumerate(atlas.regions)}, series


def test_findings_change_plausibly(demo, body):
    _, _, sessions = demo
    restriction, _ = region_areas(sessions, "restriction", body)
    occipital = restriction["occipital"]
    assert occipital[0] > 50 and occipital[-1] < occipital[0] / 4
    assert all(np.diff(occipital) <= 1e-9)  # eases visit by visit
    pain, pain_series = region_areas(sessions, "pain", body)
    assert pain["lumbar_l"][0] > 50 and pain_series.area_cm2[-1] == 0  # resolved
    cyst, _ = region_areas(sessions, "energy_cyst", body)
    assert cyst["thigh_anterior_l"].tolist()[:2] == [0, 0]
    assert cyst["thigh_anterior_l"][2] > 5 and cyst["thigh_anterior_l"][-1] == 0
    release, _ = region_areas(sessions, "release", body)
    assert release["occipital"][1] > 0 and release["thigh_anterior_l"][-1] > 0
    cyst_pins = [p for s in sessions for p in s.pins.values() if p.tag == "energy_cyst"]
    assert {p.cyst_state for p in cyst_pins} == {"active", "released"}


def test_every_stroke_log_replays_exactly(demo, body):
    mesh, atlas = body
    _, _, sessions = demo
    start = None
    for session in sessions:
        replayed = state_after(session.strokes, mesh, atlas, len(session.strokes), start=start)
        assert replayed.equals(session.overlays), session.id
        start = session.overlays


def test_verify_passes_and_the_default_body_is_used(demo, body, capsys):
    script, store, sessions = demo
    assert main(["verify", "--store", str(store.root)]) == 0
    assert "problem" not in capsys.readouterr().out
    assert not any(store.layout.meshes.iterdir())  # no mesh copy in the store
    mesh, _ = session_body(sessions[0].mesh_hash, store)
    assert mesh.geometry_hash == body[0].geometry_hash == sessions[0].mesh_hash
    assert main(["stats", script.SESSION_IDS[0], "--store", str(store.root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tags"]


def test_running_again_changes_nothing(demo, tmp_path):
    script, store, _ = demo
    files = sorted(store.layout.sessions.rglob("*.h5"))
    before = {p: file_sha256(p) for p in files}
    entries = len(store.audit.entries())
    script.build(store.root, with_thumbnails=False)
    assert len(store.audit.entries()) == entries
    assert {p: file_sha256(p) for p in files} == before
    # The files are the same on every run (no thumbnails): ids, dates and times are fixed.
    fresh, _ = script.build(tmp_path / "fresh", with_thumbnails=False)
    assert all(file_sha256(fresh.root / p.relative_to(store.root)) == h for p, h in before.items())


def test_the_shipped_record_set_verifies_as_cloned_and_imports_through_the_store(
    demo, tmp_path, capsys
):
    script, _, built = demo
    # A fresh clone: the tracked record set and nothing else (no audit entries made here).
    clone = tmp_path / "clone"
    for path in (p for p in script.RECORDS.rglob("*") if p.is_file()):
        target = clone / path.relative_to(script.RECORDS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    assert main(["verify", "--store", str(clone)]) == 0
    store, shipped = script.import_demo(tmp_path / "store", records=clone)
    assert main(["verify", "--store", str(store.root)]) == 0
    assert "FAIL" not in capsys.readouterr().out
    for session_id in script.SESSION_IDS:  # the store's own saves: the same bytes
        copied = store.layout.session_file(script.CLIENT_ID, session_id)
        original = clone / copied.relative_to(store.root)
        assert file_sha256(copied) == file_sha256(original)
    entries = len(store.audit.entries())
    script.import_demo(store.root, records=clone)
    assert len(store.audit.entries()) == entries  # kept, not written again
    # The record set is the story as the script paints it now.
    for then, now in zip(shipped, built, strict=True):
        assert then.overlays.equals(now.overlays) and len(then.strokes) == len(now.strokes)
        assert then.finalised_at == now.finalised_at and then.notes == now.notes
