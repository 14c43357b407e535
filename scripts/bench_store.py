"""The session store: save and reopen one session with 8 painted layers, beside np.savez.

Files go to a scratch folder under the cache folder (a real disk, as the store's folder
would be; ``/tmp`` may be memory, where fsync is free), removed afterwards. Reopening reads
a file just written, so from the page cache, as reopening a session in the app does.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from bench_common import Context, Figure, sample
from bench_meshes import bench_tags, paint_layers, size_label

from bodymap.core.brush import BrushGeometry
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Session, StrokeRecord
from bodymap.io.paths import cache_dir
from bodymap.store import Store
from bodymap.store.atomic import write_atomic
from bodymap.store.chunks import forget_chunks
from bodymap.store.session_file import encode_session

SAVE_BUDGET_MS = {"default": 10.0, "1M": 25.0}
REOPEN_BUDGET_MS = {"1M": 10.0}
STROKES = 20


def scratch_folder() -> Path:
    """A fresh scratch folder on the cache's disk."""
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="bench-scratch-", dir=root))


def filesystem_of(path: Path) -> str:
    """The file system type of the mount holding ``path`` (from /proc/mounts)."""
    best, kind = "", "unknown"
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                parts = line.split()
                point = parts[1]
                if str(path).startswith(point) and len(point) > len(best):
                    best, kind = point, parts[2]
    except OSError:
        pass
    return kind


def bench_session(mesh: BodyMesh, client_id: str) -> Session:
    """A session as saved after a visit: 8 painted layers and a short stroke log."""
    tags = bench_tags()
    rng = np.random.default_rng(11)
    strokes = [
        StrokeRecord(
            time=datetime.now(UTC).replace(microsecond=0),
            kind="paint",
            tags=(tags.keys()[k % len(tags)],),
            intensity=5.0,
            radius=0.05,
            soft=True,
            mirror=False,
            path=rng.normal(size=(40, 3)).astype(np.float32),
            seeds=rng.integers(0, mesh.n_vertices, 40).astype(np.int32),
            pressure=np.ones(40, dtype=np.float32),
        )
        for k in range(STROKES)
    ]
    overlays = paint_layers(mesh, tags, painted=len(tags))
    return Session(
        client_id,
        mesh.geometry_hash,
        mesh.n_vertices,
        tags=tags,
        overlays=overlays,
        strokes=strokes,
    )


def stroke_painter(mesh: BodyMesh, session: Session):
    """``paint(i)``: one 5 cm dab of intensity 6 into layer ``i % 8``, as between two autosaves."""
    brush = BrushGeometry(mesh)
    rng = np.random.default_rng(5)
    seeds = rng.choice(np.flatnonzero(mesh.external), 16)
    dabs = [brush.footprint(mesh.vertices[s], int(s), 0.05, None).ids for s in seeds]
    values = session.overlays.values

    def paint(i: int) -> None:
        ids, column = dabs[i % len(dabs)], i % values.shape[1]
        values[ids, column] = np.where(values[ids, column] == 60, 61, 60)  # always a change

    return paint


def savez_fsync(path: Path, layers: dict[str, np.ndarray]) -> None:
    """The naive peer: np.savez_compressed of the layers, flushed to disk."""
    with open(path, "wb") as out:
        np.savez_compressed(out, **layers)
        out.flush()
        os.fsync(out.fileno())


def load_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as stored:
        return {name: stored[name] for name in stored.files}


def run(ctx: Context) -> list[Figure]:
    folder = scratch_folder()
    try:
        return [f for token in ctx.options.sizes for f in _size_figures(ctx, token, folder)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _size_figures(ctx: Context, token: str, folder: Path) -> list[Figure]:
    mesh, _ = ctx.body(token)
    ctx.log(f"store: {token} ({mesh.n_vertices:,} vertices)")
    options = ctx.options
    store = Store(folder / f"store-{token}")
    session = bench_session(mesh, store.create_client("Bench Client").id)
    layers = {k: np.array(session.overlays.layer(k)) for k in session.overlays.keys}
    saved = store.save(session)
    alone = folder / f"alone-{token}.h5"
    npz = folder / f"peer-{token}.npz"
    savez_fsync(npz, layers)
    share = float(np.mean(session.overlays.values > 0))
    note = (
        f"{len(layers)} layers, {100 * share:.0f}% of vertices painted in each on average, "
        f"{saved.stat().st_size / 1e6:.2f} MB "
        f"(npz {npz.stat().st_size / 1e6:.2f} MB), on {filesystem_of(folder)}"
    )

    paint = stroke_painter(mesh, session)

    def cold(i: int) -> None:
        paint(i)
        forget_chunks()

    def write_alone(_: int) -> None:
        write_atomic(alone, encode_session(session, datetime.now(UTC))[0])

    size = size_label(token, mesh)
    return [
        Figure(
            f"save@{token}",
            f"save session after a 5 cm dab, Store.save + fsync [{size}]",
            "ms",
            sample(lambda i: store.save(session), options, before=paint),
            budget=SAVE_BUDGET_MS.get(token),
            peer=f"savez@{token}",
            note=note,
        ),
        Figure(
            f"save_cold@{token}",
            f"  the same, no chunk kept from the last save (first save) [{size}]",
            "ms",
            sample(lambda i: store.save(session), options, before=cold),
            peer=f"savez@{token}",
        ),
        Figure(
            f"save_file@{token}",
            f"  session file alone (encode + atomic write) [{size}]",
            "ms",
            sample(write_alone, options),
            peer=f"savez@{token}",
        ),
        Figure(
            f"savez@{token}",
            f"peer: np.savez_compressed + fsync [{size}]",
            "ms",
            sample(lambda i: savez_fsync(npz, layers), options),
        ),
        Figure(
            f"reopen@{token}",
            f"reopen session, Store.load [{size}]",
            "ms",
            sample(lambda i: store.load(session.id, mesh=mesh), options),
            budget=REOPEN_BUDGET_MS.get(token),
            peer=f"loadz@{token}",
        ),
        Figure(
            f"loadz@{token}",
            f"peer: np.load of the npz [{size}]",
            "ms",
            sample(lambda i: load_npz(npz), options),
        ),
    ]
