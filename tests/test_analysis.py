"""The comparison-and-trends service (bodymap.analysis) and the colours in bodymap.core.colors."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest
from compare_store import disk, fill_store

import bodymap.store.layer_chunks as layer_chunks
import bodymap.store.partial_reads as partial_reads
import bodymap.store.trend_reads as trend_reads
from bodymap.analysis import trends as trends_module
from bodymap.analysis.comparison import ALL_TAGS, compare
from bodymap.analysis.lookup import SessionBodies, pick_client
from bodymap.analysis.trends import forget_kept_figures, trends
from bodymap.core.colors import (
    CHANGE_COLORS,
    UNKNOWN_TAG_RGB,
    base_colors,
    difference_colors,
    session_colors,
    tag_rgb,
)
from bodymap.core.compare import NEW, NONE, PERSISTING, RESOLVED, strongest_layer
from bodymap.store.errors import NotFoundError, StoreError


@pytest.fixture
def filled(tmp_path):
    forget_kept_figures()
    yield fill_store(tmp_path)
    forget_kept_figures()


@pytest.fixture
def layer_reads_counted(monkeypatch) -> list[str]:
    """The tag of every layer dataset read from any session file."""
    read: list[str] = []

    def counting(original):
        def counted(*args):  # through HDF5 (stored_chunks) or the file's index
            layer = original(*args)
            if layer is not None:  # None: the file has no such layer, nothing was read
                read.append(args[-2])
            return layer

        return counted

    for module in (trend_reads, partial_reads):
        for name in ("stored_chunks", "indexed_chunks"):
            monkeypatch.setattr(module, name, counting(getattr(layer_chunks, name)))
    return read


def test_strongest_layer_and_the_colours():
    assert strongest_layer([]) is None
    assert strongest_layer([], 3).tolist() == [0, 0, 0]
    a, b = np.array([10, 0, 50], np.uint8), np.array([20, 5, 0], np.uint8)
    assert strongest_layer([a, b]).tolist() == [20, 5, 50] and a.tolist() == [10, 0, 50]
    base = np.full((4, 4), 7, np.uint8)
    colors = difference_colors(np.array([NONE, NEW, RESOLVED, PERSISTING], np.uint8), base)
    assert colors[0].tolist() == [7] * 4 and colors[:, 3].tolist() == [7] * 4
    assert [tuple(c) for c in colors[1:, :3]] == [CHANGE_COLORS[k] for k in (1, 2, 3)]


def test_session_colors_are_the_skin_where_nothing_is_shown(filled):
    store, sessions, (mesh, _), _ = filled
    first = sessions[0]
    colors = session_colors(first, mesh)
    painted = first.overlays.layer("restriction") > 0
    bare = ~painted & (first.overlays.layer("pain") == 0)
    assert bare.any() and np.array_equal(colors[bare], base_colors(mesh)[bare])
    assert (colors[painted] != base_colors(mesh)[painted]).any()
    assert tag_rgb(first.tags, "restriction") == first.tags.get("restriction").color
    assert tag_rgb(first.tags, "no-such-tag") == UNKNOWN_TAG_RGB


def test_a_comparison_puts_the_earlier_visit_first_whatever_the_order(filled):
    store, sessions, (mesh, atlas), _ = filled
    bodies = SessionBodies(store, [(mesh, atlas)])
    forward = compare(sessions[0], sessions[1], bodies)
    backward = compare(sessions[1], sessions[0], bodies)
    assert backward.before is sessions[0] and backward.after is sessions[1]
    assert [t.key for t in backward.tags] == [t.key for t in forward.tags]
    for one, other in zip(forward.tags, backward.tags, strict=True):
        assert one.difference.to_dict() == other.difference.to_dict()
    assert forward.combined.to_dict() == backward.combined.to_dict()
    only = compare(sessions[0], sessions[1], bodies, tag="pain")
    assert [t.key for t in only.tags] == ["pain"] and only.combined is None
    with pytest.raises(NotFoundError, match="neither session has a tag 'sparkles'"):
        compare(sessions[0], sessions[1], bodies, tag="sparkles")


def test_session_bodies_read_each_mesh_once_and_say_when_one_is_missing(filled, monkeypatch):
    store, sessions, (mesh, atlas), (fine, _) = filled
    bodies = SessionBodies(store, [(mesh, atlas)])
    reads = []
    read_mesh = store.get_mesh
    monkeypatch.setattr(store, "get_mesh", lambda h: reads.append(h) or read_mesh(h))
    assert bodies.get(mesh.geometry_hash)[0] is mesh and reads == []
    assert bodies.get(fine.geometry_hash)[0].geometry_hash == fine.geometry_hash
    bodies.get(fine.geometry_hash)
    assert reads == [fine.geometry_hash]
    with pytest.raises(StoreError, match="neither a shipped body nor in the store"):
        SessionBodies(store).get("0" * 64)


def test_trends_open_each_file_once_and_a_second_call_is_a_lookup(filled, layer_reads_counted):
    store, sessions, (mesh, atlas), _ = filled
    bodies = SessionBodies(store)
    first = trends(store, "Ada", "restriction", bodies=bodies)
    assert [s.info.id for s in first.sessions] == [s.id for s in sessions]
    assert layer_reads_counted == ["restriction"] * 4
    again = trends(store, "Ada", "restriction", bodies=bodies)
    assert layer_reads_counted == ["restriction"] * 4  # nothing read again
    assert again.tags == first.tags and again.regions == first.regions
    for one, other in zip(first.sessions, again.sessions, strict=True):
        assert one.tags == other.tags and one.rhythm == other.rhythm
    # A session saved again (new content, new digest) is the only one read again.
    changed = dataclasses.replace(sessions[1], overlays=sessions[1].overlays.copy())
    changed.overlays.set_layer("restriction", disk(mesh, 0.0, 0.0, 0.04, 90))
    store.save(changed)
    layer_reads_counted.clear()
    third = trends(store, "Ada", "restriction", bodies=bodies)
    assert layer_reads_counted == ["restriction"]
    assert (
        third.sessions[1].tags["restriction"].area_cm2
        > first.sessions[1].tags["restriction"].area_cm2
    )


def test_trends_never_read_a_mesh_the_caller_holds(filled, monkeypatch):
    store, _, (mesh, atlas), (fine, fine_atlas) = filled
    monkeypatch.setattr(store, "get_mesh", lambda h: pytest.fail("a mesh was read"))
    result = trends(store, "Ada", bodies=SessionBodies(store, [(mesh, atlas), (fine, fine_atlas)]))
    assert [k for k, _ in result.tags] == ["restriction", "release", "pain"]


def test_trends_skip_a_damaged_file_and_read_only_the_dates_asked(filled, layer_reads_counted):
    store, sessions, _, _ = filled
    client = pick_client(store, "Ada")
    bad = store.layout.client_sessions(client.id) / "s-broken.h5"
    bad.write_bytes(b"not an HDF5 file")
    result = trends(store, client.id, "pain", date_from=date(2026, 2, 1), date_to=date(2026, 3, 3))
    assert [s.info.id for s in result.sessions] == [sessions[1].id, sessions[2].id]
    assert [i for i, _ in result.skipped] == ["s-broken"] and "HDF5" in result.skipped[0][1]
    assert layer_reads_counted == []  # neither of the two has a pain layer; the others unread
    assert all(s.tags["pain"].area_cm2 == 0 for s in result.sessions)


def test_kept_figures_are_bounded(filled, monkeypatch):
    store, _, _, _ = filled
    monkeypatch.setattr(trends_module, "KEPT_FILES", 2)
    trends(store, "Ada", "restriction")
    assert len(trends_module._KEPT) == 2


def test_figures_kept_for_one_store_are_not_used_for_another(filled, layer_reads_counted):
    import shutil

    from bodymap.store import Store

    store, _, _, _ = filled
    trends(store, "Ada", "restriction")
    copy = Store(shutil.copytree(store.root, store.root.parent / "copy"))
    layer_reads_counted.clear()
    trends(copy, "Ada", "restriction")  # the same digests, another store: read, not assumed
    assert layer_reads_counted == ["restriction"] * 4


def test_compare_on_takes_layers_already_on_a_body(filled):
    from bodymap.analysis.comparison import ALL_TAGS, compare_on

    store, sessions, (mesh, atlas), _ = filled
    first, second = sessions[:2]
    both = compare_on(first, second, first.overlays, second.overlays, mesh, atlas, ALL_TAGS)
    assert both.tags == () and not both.transferred
    whole = compare(first, second, SessionBodies(store, [(mesh, atlas)]))
    assert both.combined.to_dict() == whole.combined.to_dict()
    absent = compare_on(first, second, first.overlays, second.overlays, mesh, atlas, "heat")
    assert [t.key for t in absent.tags] == ["heat"] and absent.combined is None
    assert absent.tags[0].difference.total.area_before_cm2 == 0  # two empty layers, no error


def test_two_bodies_of_one_topology_compare_vertex_by_vertex(tmp_path):
    """A child's visits on a body that grew: the layers carry over exactly, not resampled."""
    import numpy as np

    from bodymap.analysis.comparison import compare
    from bodymap.analysis.lookup import SessionBodies
    from bodymap.core.bodies import topology_id
    from bodymap.core.session import Session
    from bodymap.io.default_body import load_body

    small, _ = load_body("toddler")
    grown, _ = load_body("child")
    topo = topology_id(small.faces, small.n_vertices)
    assert topo == topology_id(grown.faces, grown.n_vertices)
    visits = []
    for day, mesh in ((1, small), (200, grown)):
        visit = Session("c-growing", mesh.geometry_hash, mesh.n_vertices, topology_id=topo,
                        body={"body_id": "toddler" if day == 1 else "child"})  # fmt: skip
        visit.started = visit.started.replace(year=2025) if day == 1 else visit.started
        visit.overlays.ensure_layers(["pain"])
        visits.append(visit)
    rows = np.arange(1000, 3000)
    visits[0].overlays.layer("pain")[rows] = 50
    visits[1].overlays.layer("pain")[rows[:1000]] = 50
    result = compare(visits[0], visits[1], SessionBodies())
    assert not result.transferred
    pain = next(t for t in result.tags if t.key == "pain")
    assert np.array_equal(np.flatnonzero(pain.after), rows[:1000])


def test_all_tags_say_a_finding_changed_and_from_what_to_what(filled):
    """An energy cyst released at the same place is a changed finding, not a persisting one."""
    from bodymap.analysis.comparison import ALL_TAGS, compare_on
    from bodymap.core.compare import CHANGED
    from bodymap.core.session import Session

    _, _, (mesh, atlas), _ = filled
    region, other = atlas.regions[0], atlas.regions[1]
    here = np.flatnonzero(atlas.region_index == 0)
    there = np.flatnonzero(atlas.region_index == 1)
    visits = []
    for day, found in ((1, "energy_cyst"), (2, "release")):
        visit = Session("c-1", mesh.geometry_hash, mesh.n_vertices)
        visit.started = visit.started.replace(day=day, month=1)
        visit.overlays.ensure_layers(["energy_cyst", "release"])
        visit.overlays.values[here, visit.overlays.column(found)] = 60
        visit.overlays.values[there, visit.overlays.column("energy_cyst")] = 40
        visits.append(visit)
    before, after = visits
    found = compare_on(before, after, before.overlays, after.overlays, mesh, atlas, ALL_TAGS)
    rows = {r.key: r for r in found.combined.regions}
    changed, kept = rows[region.key], rows[other.key]
    assert changed.persisting_cm2 == 0 and changed.changed_cm2 > 0
    assert [(a, b) for a, b, _ in changed.swaps] == [("energy_cyst", "release")]
    assert changed.swaps[0][2] == pytest.approx(changed.changed_cm2)
    assert kept.changed_cm2 == 0 and kept.swaps == () and kept.persisting_cm2 > 0
    assert (found.combined.classes[here] == CHANGED).all()
    assert found.combined.total.jaccard == pytest.approx(1.0)  # the same areas, both visits
    painted = difference_colors(found.combined.classes, base_colors(mesh))
    assert tuple(painted[here[0], :3]) == CHANGE_COLORS[CHANGED]
    swap = {r["key"]: r for r in found.combined.to_dict()["regions"]}[region.key]["swaps"]
    assert swap == [{"from": "energy_cyst", "to": "release", "cm2": changed.changed_cm2}]


@pytest.mark.parametrize("tag", [None, "restriction", ALL_TAGS])
def test_trends_give_the_numbers_of_whole_file_reads(filled, tag):
    """The chunk reader and the held headers change no figure: each equals, exactly, what
    the whole session loaded and summed (``region_series`` on its dense layer) gives."""
    from collections import Counter

    from bodymap.core.compare import skin_areas_cm2
    from bodymap.core.series import region_series
    from bodymap.store import Store

    store, sessions, (mesh, atlas), (fine, fine_atlas) = filled
    known = {mesh.geometry_hash: (mesh, atlas), fine.geometry_hash: (fine, fine_atlas)}
    fresh = Store(store.root)  # holds no header: each is read from its file
    for reader in (store, fresh):
        forget_kept_figures()
        result = trends(reader, "Ada", tag, bodies=SessionBodies(store, known.values()))
        assert [s.info.id for s in result.sessions] == [s.id for s in sessions]
        for point, session in zip(result.sessions, sessions, strict=True):
            loaded = store.load(session.id)
            assert point.rhythm == loaded.rhythm
            assert point.events == dict(Counter(e.kind for e in loaded.events))
            body_mesh, body_atlas = known[loaded.mesh_hash]
            skin = float(skin_areas_cm2(body_mesh).sum())
            layers = [loaded.overlays.layer(k) for k in loaded.overlays.painted_keys()]
            for key, _ in result.tags:
                layer = strongest_layer(layers) if key == ALL_TAGS else None
                if key != ALL_TAGS and key in loaded.overlays.painted_keys():
                    layer = loaded.overlays.layer(key)
                got = point.tags[key]
                if layer is None:
                    assert got.area_cm2 == 0 and got.mean_intensity == 0
                    continue
                series = region_series([layer], body_mesh, body_atlas)
                assert got.area_cm2 == float(series.area_cm2[0])
                assert got.percent_body == 100.0 * got.area_cm2 / skin
                assert got.mean_intensity == float(series.mean_intensity[0])
                for r, region in enumerate(body_atlas.regions):
                    if series.region_area_cm2[0, r] > 0:
                        assert got.regions[region.key].area_cm2 == series.region_area_cm2[0, r]
                        assert got.regions[region.key].mean_intensity == series.region_mean[0, r]


def test_trends_take_headers_from_a_listing_until_a_file_changes(filled, monkeypatch):
    from bodymap.store import Store

    store, sessions, (mesh, _), _ = filled
    fresh = Store(store.root)  # holds no header of its own
    client = pick_client(fresh, "Ada")
    listed = fresh.sessions(client.id)
    headers: list[str] = []

    def counting(original):
        def counted(*args):  # the header read through HDF5, or from the file's index
            headers.append(args[-2].stem)
            return original(*args)

        return counted

    for name in ("trend_info", "trend_info_of"):
        monkeypatch.setattr(trend_reads, name, counting(getattr(trend_reads, name)))
    first = trends(fresh, client.id, "restriction", listed=listed)
    assert headers == [] and [s.info.id for s in first.sessions] == [s.id for s in sessions]
    assert [s.info.practitioner for s in first.sessions] == [s.practitioner for s in sessions]
    changed = dataclasses.replace(sessions[2], overlays=sessions[2].overlays.copy())
    changed.overlays.set_layer("restriction", disk(mesh, 0.0, 0.0, 0.04, 90))
    store.save(changed)  # another store object: the listing is now stale for this file
    again = trends(fresh, client.id, "restriction", listed=listed)
    assert headers == [sessions[2].id]
    assert again.sessions[2].tags["restriction"].area_cm2 > 0
    assert again.sessions[2].tags["restriction"] != first.sessions[2].tags["restriction"]
