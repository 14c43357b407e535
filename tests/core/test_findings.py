"""Findings per tag and region: exact areas and intensities, and the plain-language line."""

import numpy as np
import pytest

from bodymap.core.findings import tag_findings
from bodymap.core.overlays import Overlays
from bodymap.core.tags import TagSet


@pytest.fixture(scope="module")
def body():
    from bodymap.io.default_body import load_default_body

    return load_default_body()


def region_ids(mesh, atlas, key):
    return np.flatnonzero((atlas.region_index == atlas.region_by_key(key)) & ~mesh.internal)


def test_a_filled_region_reports_its_area_and_intensity(body):
    mesh, atlas = body
    overlays = Overlays(mesh.n_vertices, TagSet().keys())
    layer = np.zeros(mesh.n_vertices, np.uint8)
    ids = region_ids(mesh, atlas, "occipital")
    layer[ids] = 60
    overlays.set_layer("restriction", layer)
    [finding] = tag_findings(overlays, TagSet(), mesh, atlas)
    expected = float(mesh.vertex_areas[ids].sum()) * 1e4
    assert finding.total.area_cm2 == pytest.approx(expected)
    assert finding.total.percent_body == pytest.approx(100 * expected / (mesh.skin_area * 1e4))
    assert finding.total.mean_intensity == pytest.approx(6.0)
    assert finding.total.peak_intensity == 6.0
    assert [r.region_key for r in finding.regions] == ["occipital"]
    assert finding.summary.startswith("Restriction (peak 6): occipital")
    assert finding.summary.endswith(f"{expected:.0f} cm²")


def test_mean_is_area_weighted_and_regions_sorted_by_extent(body):
    mesh, atlas = body
    overlays = Overlays(mesh.n_vertices, ("pain",))
    layer = np.zeros(mesh.n_vertices, np.uint8)
    big, small = region_ids(mesh, atlas, "thigh_anterior_l"), region_ids(mesh, atlas, "knee_l")
    layer[big], layer[small] = 20, 90
    overlays.set_layer("pain", layer)
    [finding] = tag_findings(overlays, TagSet(), mesh, atlas)
    a_big, a_small = mesh.vertex_areas[big].sum(), mesh.vertex_areas[small].sum()
    expected = (2 * a_big + 9 * a_small) / (a_big + a_small)
    assert finding.total.mean_intensity == pytest.approx(expected)
    assert [r.region_key for r in finding.regions] == ["thigh_anterior_l", "knee_l"]
    assert "(peak 9): left thigh, anterior; left knee; " in finding.summary


def test_bands_are_named_and_internal_vertices_never_count(body):
    mesh, atlas = body
    overlays = Overlays(mesh.n_vertices, ("restriction",))
    band = atlas.band_by_key("cranial_base")
    layer = np.zeros(mesh.n_vertices, np.uint8)
    layer[atlas.band_index == band] = 50
    layer[mesh.internal] = 100
    overlays.set_layer("restriction", layer)
    [finding] = tag_findings(overlays, TagSet(), mesh, atlas)
    assert finding.total.peak_intensity == 5.0
    assert "cranial base band" in finding.summary
    assert [b.region_key for b in finding.bands] == ["cranial_base"]


def test_no_paint_no_findings(body):
    mesh, atlas = body
    assert tag_findings(Overlays(mesh.n_vertices, ("pain",)), TagSet(), mesh, atlas) == []
