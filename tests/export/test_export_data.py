"""Data exports: statistics as CSV and JSON, the re-importable record, 3D models."""

from __future__ import annotations

import csv
import json
import os

import numpy as np
import pytest
import trimesh
from export_helpers import CLIENT_NAME, export_entries, painted_session

from bodymap.analysis.stats import session_stats
from bodymap.core.colors import session_colors
from bodymap.core.findings import tag_findings
from bodymap.export.client_record import export_client_json
from bodymap.export.data import (
    write_findings_csv,
    write_findings_json,
    write_model,
    write_session_json,
)
from bodymap.export.errors import ExportCancelled, ExportError, RecordFormatError
from bodymap.export.record_json import read_client_json, read_session_json, read_session_record
from bodymap.export.source import source_from_store
from bodymap.export.tables import CSV_COLUMNS


def stats_of(session, mesh, atlas):
    return [f.to_dict() for f in tag_findings(session.overlays, session.tags, mesh, atlas)]


def test_the_session_json_reimports_to_the_same_record_and_statistics(source, tmp_path):
    session = source.session
    session.tags.add("Numbness", (10, 20, 30))
    session.overlays.ensure_layers(session.tags.keys())
    session.overlays.values[:5, session.overlays.column("numbness")] = [1, 2, 3, 4, 100]
    path = write_session_json(source, tmp_path / "session.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "bodymap-export" and document["format_version"] == 1
    assert document["session"]["mesh"]["sha256"] == source.mesh.geometry_hash
    layer = {item["tag"]: item for item in document["session"]["layers"]["items"]}["numbness"]
    assert layer["vertex_ids"] == [0, 1, 2, 3, 4] and layer["values"] == [1, 2, 3, 4, 100]
    back = read_session_json(path)
    assert back.same_record(session)
    assert stats_of(back, source.mesh, source.atlas) == stats_of(session, source.mesh, source.atlas)
    assert read_session_record(path).file_sha256 == "5a" * 32


def test_a_stored_session_reimports_with_its_amendments(stored, tmp_path):
    store, session = stored
    source = source_from_store(store, session.id)
    record = read_session_record(write_session_json(source, tmp_path / "s.json"))
    assert record.session.same_record(store.load(session.id))
    assert [a.text for a in record.amendments] == ["Plan: weekly sessions"]
    assert [a.id for a in record.amendments] == [a.id for a in store.amendments(session.id)]
    assert [(e["kind"], e["session_id"]) for e in export_entries(store)] == [("json", session.id)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="something-else"), "not a BodyMap JSON export"),
        (lambda d: d.update(format_version=99), "newer BodyMap"),
        (lambda d: d.update(kind="client-record"), "not a 'session' export"),
        (lambda d: d["session"]["layers"]["items"][0].update(values=[101]), "damaged"),
        (lambda d: d["session"]["layers"]["items"][0]["vertex_ids"].reverse(), "damaged"),
        (lambda d: d["session"].pop("tags"), "damaged"),
    ],
)
def test_foreign_damaged_and_newer_files_are_refused(ball_source, tmp_path, change, message):
    path = write_session_json(ball_source, tmp_path / "s.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(RecordFormatError, match=message):
        read_session_json(path)


def test_statistics_as_csv_and_json(ball_source, tmp_path):
    path = write_findings_csv(ball_source, tmp_path / "findings.csv")
    with open(path, newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        rows = list(reader)
    assert tuple(reader.fieldnames) == CSV_COLUMNS
    findings = tag_findings(ball_source.session.overlays, ball_source.session.tags,
                            ball_source.mesh, ball_source.atlas)  # fmt: skip
    bodies = [r for r in rows if r["scope"] == "body"]
    assert [r["tag"] for r in bodies] == [f.tag for f in findings] == ["restriction", "heat"]
    for row, finding in zip(bodies, findings, strict=True):
        assert float(row["area_cm2"]) == pytest.approx(finding.total.area_cm2, abs=1e-3)
        assert float(row["peak_intensity"]) == finding.total.peak_intensity
    assert {r["region_name"] for r in rows if r["scope"] == "region"} == {"Front", "Back"}
    stats = json.loads(write_findings_json(ball_source, tmp_path / "f.json").read_text("utf-8"))
    expected = session_stats(ball_source.session, ball_source.mesh, ball_source.atlas).to_dict()
    assert stats["format"] == "bodymap-findings" and stats["tags"] == expected["tags"]


@pytest.mark.parametrize("suffix", ["ply", "glb"])
def test_3d_models_reload_with_the_app_colours(ball_source, tmp_path, suffix):
    path = write_model(ball_source, tmp_path / f"body.{suffix}")
    loaded = trimesh.load(path, force="mesh", process=False)
    assert len(loaded.vertices) == ball_source.mesh.n_vertices
    assert len(loaded.faces) == len(ball_source.mesh.faces)
    expected = session_colors(ball_source.session, ball_source.mesh)
    np.testing.assert_array_equal(np.asarray(loaded.visual.vertex_colors), expected)
    np.testing.assert_allclose(loaded.vertices, ball_source.mesh.vertices, atol=1e-6)


def test_an_unknown_3d_format_and_a_missing_folder_are_errors(ball_source, tmp_path):
    with pytest.raises(ExportError, match="PLY|ply"):
        write_model(ball_source, tmp_path / "body.obj")
    with pytest.raises(ExportError, match="no folder"):
        write_findings_csv(ball_source, tmp_path / "missing" / "f.csv")


def add_sessions(store, ball, client_id: str, count: int) -> list:
    mesh, atlas = ball
    sessions = []
    for _ in range(count):
        session = painted_session(mesh, atlas, client_id, "front", "back")
        store.save(session)
        sessions.append(session)
    return sessions


def test_a_client_record_exports_whole_and_reimports(stored, ball, tmp_path):
    store, first = stored
    others = add_sessions(store, ball, first.client_id, 2)
    broken = store.layout.session_file(first.client_id, "s-broken")
    broken.write_bytes(b"not hdf5")
    calls = []
    path = export_client_json(store, first.client_id, tmp_path / "record.json",
                              progress=lambda *a: calls.append(a) or True)  # fmt: skip
    record = read_client_json(path)
    assert record.client.name == CLIENT_NAME
    by_id = {r.session.id: r for r in record.sessions}
    assert set(by_id) == {first.id} | {s.id for s in others}
    for session_id, entry in by_id.items():
        assert entry.session.same_record(store.load(session_id))
    assert [a.text for a in by_id[first.id].amendments] == ["Plan: weekly sessions"]
    assert [u["id"] for u in record.unreadable] == ["s-broken"]
    assert calls[-1] == (4, 4, "Finishing") and [c[0] for c in calls] == [0, 1, 2, 3, 4]
    logged = export_entries(store)
    assert logged[0]["session_id"] == "" and logged[0]["kind"] == "client-json"
    assert {e["session_id"] for e in logged[1:]} == set(by_id)


def test_cancelling_a_client_export_leaves_nothing(stored, ball, tmp_path):
    store, first = stored
    add_sessions(store, ball, first.client_id, 3)
    target = tmp_path / "out" / "record.json"
    target.parent.mkdir()
    seen = []

    def cancel_midway(done: int, total: int, label: str) -> bool:
        seen.append(done)
        return done < 2

    with pytest.raises(ExportCancelled):
        export_client_json(store, first.client_id, target, progress=cancel_midway)
    assert seen == [0, 1, 2]
    assert os.listdir(target.parent) == []  # neither the file nor its temporary file
    assert export_entries(store) == []
