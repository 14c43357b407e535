"""``bodymap export`` and ``bodymap report`` end to end on a store in tmp_path, in-process."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import trimesh
from export_helpers import CLIENT_NAME, DIALOGUE, SAID, export_entries, painted_session
from pypdf import PdfReader
from PyQt6.QtGui import QImage

from bodymap.cli import main
from bodymap.export.record_json import read_client_json, read_session_json
from bodymap.store.session_file import read_session


def run(capsys, *argv) -> tuple[int, list[str], str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def pdf_text(path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_export_images_and_data_of_a_stored_session(stored, tmp_path, capsys):
    store, session = stored
    out = tmp_path / "out"
    out.mkdir()
    status, lines, err = run(
        capsys,
        "export",
        session.id,
        "--store",
        store.root,
        "--png",
        out / "png",
        "--views",
        "anterior,superior",
        "--size",
        "120x160",
        "--csv",
        out,
        "--json",
        out / "s.json",
        "--ply",
        out / "b.ply",
        "--glb",
        out / "b.glb",
        "--stats-json",
        out / "stats.json",
    )
    assert status == 0, err
    names = [line.rsplit("/", 1)[1] for line in lines]
    assert names[:3] == [f"{session.client_id}_2026-03-04_{session.id[:10]}_{kind}.png"
                         for kind in ("anterior", "superior", "sheet")]  # fmt: skip
    assert names[3].endswith("_findings.csv") and names[4:] == ["stats.json", "s.json", "b.ply",
                                                                "b.glb"]  # fmt: skip
    image = QImage(lines[0])
    assert (image.width(), image.height()) == (120, 160)
    assert read_session_json(out / "s.json").same_record(store.load(session.id))
    assert len(trimesh.load(out / "b.glb", force="mesh", process=False).vertices) == 642
    assert json.loads((out / "stats.json").read_text("utf-8"))["session"] == session.id
    kinds = [e["kind"] for e in export_entries(store)]
    assert kinds == ["png"] * 3 + ["csv", "stats-json", "json", "ply", "glb"]


def test_export_from_a_session_file(stored, tmp_path, capsys):
    store, session = stored
    path = store.session_info(session.id).path
    status, lines, err = run(capsys, "export", path, "--store", store.root, "--csv",
                             tmp_path / "f.csv")  # fmt: skip
    assert status == 0, err and lines == [str(tmp_path / "f.csv")]
    assert export_entries(store)[-1]["session_id"] == session.id


def test_session_report_with_and_without_emotional_content(stored, tmp_path, capsys):
    store, session = stored
    status, lines, err = run(capsys, "report", session.id, "--store", store.root, "--pdf", tmp_path)
    assert status == 0, err
    assert lines[0].endswith(f"{session.client_id}_2026-03-04_{session.id[:10]}_report.pdf")
    text = pdf_text(lines[0])
    assert CLIENT_NAME in text and SAID in text and DIALOGUE in text
    status, lines, err = run(
        capsys,
        "report",
        session.id,
        "--store",
        store.root,
        "--pdf",
        tmp_path / "out.pdf",
        "--no-emotional-content",
        "--page",
        "letter",
    )
    assert status == 0, err
    text = pdf_text(tmp_path / "out.pdf")
    assert CLIENT_NAME in text and SAID not in text and DIALOGUE not in text
    kinds = [e["kind"] for e in export_entries(store)]
    assert kinds == ["pdf", "pdf-no-emotional"]


def test_comparison_report(stored, ball, tmp_path, capsys):
    store, first = stored
    mesh, atlas = ball
    later = painted_session(mesh, atlas, first.client_id, "front", "back")
    later.started += timedelta(days=21)
    later.overlays.values[:, later.overlays.column("restriction")] = 0  # resolved
    later.overlays.values[:40, later.overlays.column("pain")] = 50  # new
    store.save(later)
    status, lines, err = run(capsys, "report", "--compare", later.id, first.id, "--store",
                             store.root, "--pdf", tmp_path)  # fmt: skip
    assert status == 0, err
    assert lines[0].endswith(f"{first.client_id}_2026-03-04_to_2026-03-25_compare.pdf")
    reader = PdfReader(lines[0])
    text = pdf_text(lines[0])
    for expected in (
        CLIENT_NAME,
        "Comparison report",
        "What changed",
        "Restriction",
        "Pain",
        "Heat",
        "Resolved",
        "Persisting",
        "Overlap",
        "Front",
        "Back",
        "21 days",
    ):
        assert expected in text, expected  # fmt: skip
    assert SAID not in text and DIALOGUE not in text
    assert sum(len(page.images) for page in reader.pages) >= 6  # sheets, maps, trends
    logged = export_entries(store)
    assert {e["session_id"] for e in logged} == {first.id, later.id}
    assert {e["kind"] for e in logged} == {"compare-pdf"}


def test_client_record_export(stored, tmp_path, capsys):
    store, session = stored
    status, lines, err = run(capsys, "export", "--client", "lovelace", "--store", store.root,
                             "--json", tmp_path)  # fmt: skip
    assert status == 0, err
    assert lines[0].endswith("_record.json") and "Lovelace" not in lines[0]
    record = read_client_json(lines[0])
    assert record.client.name == CLIENT_NAME
    assert [r.session.id for r in record.sessions] == [session.id]
    assert record.sessions[0].session.same_record(read_session(
        store.session_info(session.id).path)[0])  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "s-missing", "--csv", "x.csv"], "no session s-missing"),
        (["export", "SESSION"], "nothing to export"),
        (["export", "SESSION", "--png", "png", "--size", "big"], "WIDTHxHEIGHT"),
        (["export", "--client", "nobody", "--json", "x.json"], "no client matches"),
        (["export", "--client", "lovelace", "--csv", "x.csv"], "exported as JSON"),
        (["report", "--pdf", "x.pdf"], "give a session"),
        (["export", "SESSION", "--csv", "missing/x.csv"], "no folder"),
    ],
)
def test_errors_are_one_line(stored, tmp_path, capsys, monkeypatch, argv, message):
    store, session = stored
    monkeypatch.chdir(tmp_path)
    argv = [session.id if a == "SESSION" else a for a in argv]
    status, lines, err = run(capsys, *argv, "--store", store.root)
    assert status == 1 and lines == []
    assert err.startswith("bodymap: ") and message in err and err.count("\n") == 1, err
    assert not list(tmp_path.glob("**/x.*"))
