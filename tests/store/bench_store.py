"""Time saving and reopening sessions; not a test (run it by hand).

    .venv/bin/python tests/store/bench_store.py [--repeat 15]

Saves a session with 8 painted layers on the default body (168k vertices) and on a
synthetic 1M-vertex session, through ``Store.save`` (atomic write, fsync of file and
folder, audit entry) and ``Store.load``, beside ``np.savez_compressed`` of the same layers.
Prints medians in milliseconds. Uses a temporary store folder.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from bodymap.core.annotations import Pin, SurfacePoint
from bodymap.core.session import Session, SessionEvent, StrokeRecord
from bodymap.store import Store

TAGS = ("restriction", "release", "energy_cyst", "pain", "tension", "heat", "pulsation", "pain2")


def soft_patches(points: np.ndarray, rng: np.random.Generator, n_patches: int) -> np.ndarray:
    """A layer of soft round patches (values 0-100) around random vertices."""
    tree = cKDTree(points)
    layer = np.zeros(len(points), np.uint8)
    for centre in rng.integers(0, len(points), n_patches):
        radius = rng.uniform(0.03, 0.12)
        ids = np.asarray(tree.query_ball_point(points[centre], radius))
        distance = np.linalg.norm(points[ids] - points[centre], axis=1) / radius
        value = np.rint(rng.uniform(20, 100) * (1 - distance**2)).astype(np.uint8)
        layer[ids] = np.maximum(layer[ids], value)
    return layer


def painted_session(points: np.ndarray, records: bool, patches: int, seed: int = 0) -> Session:
    """8 layers of ``patches`` soft patches each; with ``records``, pins, events, strokes."""
    rng = np.random.default_rng(seed)
    session = Session("c-bench", "0" * 64, len(points), practitioner="bench")
    session.overlays.ensure_layers(TAGS)
    for key in TAGS:
        session.overlays.set_layer(key, soft_patches(points, rng, patches))
    if records:
        now = datetime.now(UTC)
        for i in range(20):
            at = SurfacePoint(points[i * 7], i * 7)
            session.pins[f"p{i}"] = Pin(at, "pain", note=f"note {i}", id=f"p{i}")
            session.events.append(SessionEvent("release", now, note="ok", at=at))
        for _ in range(100):
            k = 30
            session.strokes.append(
                StrokeRecord(
                    now,
                    "paint",
                    ("pain",),
                    6.0,
                    0.05,
                    True,
                    False,
                    path=rng.random((k, 3), dtype=np.float32),
                    seeds=rng.integers(0, len(points), k).astype(np.int32),
                    pressure=rng.random(k, dtype=np.float32),
                )  # fmt: skip
            )
    return session


def median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def savez(path: Path, session: Session) -> None:
    columns = np.ascontiguousarray(session.overlays.values.T)
    np.savez_compressed(path, **dict(zip(session.overlays.keys, columns, strict=True)))


def savez_atomic(path: Path, session: Session) -> None:
    temp = path.with_suffix(".tmp.npz")
    savez(temp, session)
    fd = os.open(temp, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    os.replace(temp, path)


def run(label: str, points: np.ndarray, repeat: int, records: bool, patches: int) -> None:
    session = painted_session(points, records, patches)
    cover = 100 * float(np.mean(session.overlays.values > 0))
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "store")
        store.create_client("Bench")  # a client file, as in use
        save = median_ms(lambda: store.save(session), repeat)
        path = store.layout.find("sessions", session.id)
        load = median_ms(lambda: store.load(session.id), repeat)
        npz = Path(folder) / "layers.npz"
        plain = median_ms(lambda: savez(npz, session), max(3, repeat // 3))
        atomic = median_ms(lambda: savez_atomic(npz, session), max(3, repeat // 3))
        size, npz_size = path.stat().st_size / 1e6, npz.stat().st_size / 1e6
        print(
            f"{label:40} {cover:4.1f}% painted: save {save:5.1f} ms, reopen {load:5.1f} ms, "
            f"{size:4.2f} MB | savez_compressed {plain:5.1f} ms, with fsync+rename "
            f"{atomic:5.1f} ms, {npz_size:4.2f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    from bodymap.io.default_body import load_default_body

    mesh, _ = load_default_body()
    synthetic = np.random.default_rng(1).random((1_000_000, 3)) * [0.5, 1.7, 0.3]
    # Vertices of a real mesh are stored with some spatial order: scan-line order here.
    bins = np.floor(synthetic / 0.02).astype(int)
    synthetic = synthetic[np.lexsort((synthetic[:, 2], bins[:, 0], bins[:, 1]))]
    for patches, density in ((3, "typical"), (12, "heavy")):
        for records in (False, True):
            extra = f"{density}{' + records' if records else ''}"
            run(f"{mesh.n_vertices} {extra}", mesh.vertices, args.repeat, records, patches)
            run(f"1M {extra}", synthetic, args.repeat, records, patches)


if __name__ == "__main__":
    main()
