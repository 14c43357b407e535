"""``bodymap compare`` and ``bodymap trends`` on a store in tmp_path: the figures are the core's."""

from __future__ import annotations

import json

import pytest
from compare_store import fill_store, visit

from bodymap.cli import main
from bodymap.core.compare import combined_layer, difference, strongest_tags, transfer_layer
from bodymap.core.series import region_series


@pytest.fixture
def filled(tmp_path):
    return fill_store(tmp_path)


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def opens(store) -> list[str]:
    return [e["session_id"] for e in store.audit.entries() if e["action"] == "open"]


def test_compare_json_holds_the_core_figures(filled, capsys):
    store, sessions, (mesh, atlas), _ = filled
    first, second = sessions[:2]
    status, out, err = run(capsys, "compare", first.id, second.id, "--store", store.root, "--json")
    assert status == 0 and err == ""
    result = json.loads(out)
    assert result["before"]["id"] == first.id and result["after"]["id"] == second.id
    assert result["before"]["practitioner"] == "Zoë" and result["after"]["practitioner"] == "Sam"
    assert result["practitioner_changed"] and not result["mesh_transferred"]
    assert result["interval_days"] == 28
    by_tag = {entry["tag"]: entry for entry in result["tags"]}
    assert list(by_tag) == ["restriction", "release", "pain"]  # tag-set order
    for key, entry in by_tag.items():
        expected = difference(
            first.overlays.layer(key) if key in first.overlays.painted_keys() else None,
            second.overlays.layer(key) if key in second.overlays.painted_keys() else None,
            mesh, atlas, key,
        ).to_dict()  # fmt: skip
        assert {k: entry[k] for k in expected} == expected
    assert by_tag["pain"]["total"]["resolved_cm2"] > 0 and by_tag["pain"]["total"]["new_cm2"] == 0
    layers = [{k: s.overlays.layer(k) for k in s.overlays.painted_keys()} for s in (first, second)]
    strongest = strongest_tags(*layers, list(by_tag), mesh.n_vertices)
    both = difference(
        combined_layer(first.overlays), combined_layer(second.overlays), mesh, atlas, "",
        strongest=strongest,
    ).to_dict()  # fmt: skip
    # The CLI names the tags of a changed finding too ("from_name", "to_name").
    assert {k: _without_names(result["all_tags"][k]) for k in both} == both
    assert by_tag["restriction"]["symmetry"][0]["name"] == "Side"
    assert opens(store) == [first.id, second.id]


def _without_names(value):
    if isinstance(value, dict):
        return {k: _without_names(v) for k, v in value.items() if k not in ("from_name", "to_name")}
    if isinstance(value, list):
        return [_without_names(v) for v in value]
    return value


def test_compare_one_tag_and_the_text_report(filled, capsys):
    store, sessions, _, _ = filled
    a, b = sessions[0].id, sessions[2].id
    status, out, _ = run(capsys, "compare", a, b, "--tag", "pain", "--store", store.root, "--json")
    result = json.loads(out)
    assert status == 0 and [e["tag"] for e in result["tags"]] == ["pain"]
    assert "all_tags" not in result and not result["practitioner_changed"]
    assert result["tags"][0]["total"]["area_after_cm2"] == 0
    status, out, _ = run(capsys, "compare", a, b, "--store", store.root)
    assert status == 0 and "Restriction" in out and "Jaccard" in out and "All tags" in out


def test_compare_across_meshes_transfers_the_later_visit(filled, capsys):
    store, sessions, (mesh, atlas), (fine, _) = filled
    first, last = sessions[0], sessions[3]
    status, out, _ = run(capsys, "compare", first.id, last.id, "--store", store.root, "--json",
                         "--tag", "restriction")  # fmt: skip
    result = json.loads(out)
    assert status == 0 and result["mesh_transferred"]
    assert result["mesh_sha256"] == mesh.geometry_hash
    carried = transfer_layer(last.overlays.layer("restriction"), fine, mesh)
    expected = difference(first.overlays.layer("restriction"), carried, mesh, atlas, "restriction")
    assert result["tags"][0]["total"] == expected.total.to_dict()
    assert expected.total.area_after_cm2 > 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tag", "sparkles"], "neither session has a tag 'sparkles'"),
        (["--store", "/nonexistent/store"], "no session store at"),
    ],
)
def test_compare_errors_are_one_line(filled, capsys, argv, message):
    store, sessions, _, _ = filled
    args = ["compare", sessions[0].id, sessions[1].id, *argv]
    if "--store" not in argv:
        args += ["--store", store.root]
    status, _, err = run(capsys, *args)
    assert status == 1 and message in err and err.count("\n") == 1


def test_compare_refuses_two_clients(filled, capsys):
    store, sessions, (mesh, _), _ = filled
    bob = next(c for c in store.clients() if c.name == "Bob Marley")
    other = visit(store, bob.id, mesh, (1, 9), "Zoë", {}, 6.0)
    status, _, err = run(capsys, "compare", sessions[0].id, other.id, "--store", store.root)
    assert status == 1 and "different clients" in err


def test_trends_json_holds_the_core_series(filled, capsys):
    store, sessions, (mesh, atlas), (fine, fine_atlas) = filled
    status, out, err = run(
        capsys, "trends", "--client", "lovelace", "--store", store.root, "--json"
    )
    assert status == 0 and err == ""
    result = json.loads(out)
    assert [s["id"] for s in result["sessions"]] == [s.id for s in sessions]
    assert result["practitioner_changes"] == [1, 2]
    assert [t["key"] for t in result["tags"]] == ["restriction", "release", "pain"]
    layers = [s.overlays.layer("restriction") for s in sessions[:3]]
    coarse = region_series(layers, mesh, atlas)
    last = region_series([sessions[3].overlays.layer("restriction")], fine, fine_atlas)
    for i, row in enumerate(result["sessions"]):
        got = row["tags"]["restriction"]
        series, at = (coarse, i) if i < 3 else (last, 0)
        assert got["area_cm2"] == series.area_cm2[at]
        assert got["mean_intensity"] == series.mean_intensity[at]
        assert got["regions"]["side_l"]["area_cm2"] == series.region_area_cm2[at, 0]
        assert got["regions"]["side_l"]["mean_intensity"] == series.region_mean[at, 0]
    # Only regions ever painted with the tag are listed, in every session.
    assert [r["key"] for r in result["regions"]["pain"]] == ["side_r"]
    assert set(result["sessions"][1]["tags"]["pain"]["regions"]) == {"side_r"}
    assert result["sessions"][1]["tags"]["pain"]["area_cm2"] == 0
    first = result["sessions"][0]
    assert first["events"] == {"still_point": 2, "technique": 1}
    assert first["rhythm"][0]["rate"] == 6.0 and first["practitioner"] == "Zoë"
    assert first["finalised"] is False
    assert opens(store) == [s.id for s in sessions]


def test_trends_of_one_tag_between_dates(filled, capsys):
    store, sessions, _, _ = filled
    client = sessions[0].client_id
    dates = ["--from", "2026-02-01", "--to", "2026-03-02"]
    status, out, _ = run(
        capsys, "trends", "--client", client, "--tag", "release", *dates, "--store", store.root,
        "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert status == 0 and [s["id"] for s in result["sessions"]] == [s.id for s in sessions[1:3]]
    assert [t["key"] for t in result["tags"]] == ["release"]
    assert result["practitioner_changes"] == [1] and result["from"] == "2026-02-01"
    status, out, _ = run(capsys, "trends", "--client", client, "--store", store.root)
    assert status == 0 and "practitioner changed" in out and "rhythm 6-6" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--client", "nobody"], "no client matches"),
        (["--client", "Ada", "--from", "March"], "--from 'March' is not a date"),
        ([], "trends needs --client"),
    ],
)
def test_trends_errors_are_one_line(filled, capsys, argv, message):
    store = filled[0]
    status, _, err = run(capsys, "trends", *argv, "--store", store.root)
    assert status == 1 and message in err and err.count("\n") == 1


def test_trends_skips_a_session_whose_layer_is_damaged(filled, capsys):
    import h5py

    store, sessions, _, _ = filled
    path = store.layout.session_file(sessions[1].client_id, sessions[1].id)
    with h5py.File(path, "r") as h5:
        chunk = h5["layers/release"].id.get_chunk_info(0)
    data = bytearray(path.read_bytes())
    data[chunk.byte_offset + chunk.size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    status, out, _ = run(capsys, "trends", "--client", "Ada", "--store", store.root, "--json")
    result = json.loads(out)
    assert status == 0 and sessions[1].id not in [s["id"] for s in result["sessions"]]
    [skipped] = result["skipped"]
    assert skipped["id"] == sessions[1].id and "damaged layer 'release'" in skipped["reason"]
    assert len(result["sessions"]) == 3
