"""The record store at scale, and what protection costs.

* A store of 1,000 sessions (20 clients, 50 visits each) of which 5% are damaged (bytes
  flipped, truncated, zeroed): how long listing every client's sessions (what
  ``bodymap sessions`` does) and a full ``verify`` take. ``--smoke``: 40 sessions.
* Saving and reopening an 8-layer session in a protected store beside a plain one, at each
  size: the ratio is the cost of AES-256-GCM (goal: at most 1.15 at 1M vertices), and the
  passphrase's key derivation (goal: at most 0.5 s).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
from bench_common import Context, Figure, sample
from bench_meshes import size_label
from bench_store import bench_session, scratch_folder

from bodymap.core.session import Session
from bodymap.store import Store
from bodymap.store.keys import unlock
from bodymap.store.protection import protect

PASSPHRASE = "benchmark passphrase"
SCALE_SESSIONS, SMOKE_SESSIONS = 1_000, 40
CLIENTS = 20
SCALE_VERTICES = 20_000


def run(ctx: Context) -> list[Figure]:
    figures = _scale(ctx)
    for token in ctx.options.sizes:
        figures += _protected(ctx, token)
    return figures


def _damage(path: Path, rng: np.random.Generator) -> None:
    data = bytearray(path.read_bytes())
    how = rng.integers(3)
    if how == 0:
        for index in rng.integers(0, len(data), 8):
            data[index] ^= 0xFF
    elif how == 1:
        data = data[: len(data) // 2]
    else:
        start = int(rng.integers(0, len(data) // 2))
        data[start : start + 4096] = bytes(min(4096, len(data) - start))
    path.chmod(0o600)
    path.write_bytes(bytes(data))


def _scale(ctx: Context) -> list[Figure]:
    total = SMOKE_SESSIONS if ctx.options.smoke else SCALE_SESSIONS
    root = scratch_folder() / "store"
    try:
        store = Store(root)
        rng = np.random.default_rng(5)
        clients = [store.create_client(f"Client {n}") for n in range(CLIENTS)]
        paths = []
        for n in range(total):
            client = clients[n % CLIENTS]
            session = Session(client.id, "ab" * 32, SCALE_VERTICES)
            session.overlays.ensure_layers(["pain", "restriction"])
            rows = rng.integers(0, SCALE_VERTICES, 3_000)
            session.overlays.values[rows, n % 2] = 50
            paths.append(store.save(session))
        damaged = rng.choice(len(paths), total // 20, replace=False)
        for index in damaged:
            _damage(paths[index], rng)
        ctx.log(f"  {total} sessions, {len(damaged)} damaged")

        def listing():
            fresh = Store(root)
            found = [info for c in fresh.clients() for info in fresh.sessions(c.id)]
            assert len(found) == total

        def verify():
            report = Store(root).verify()
            assert len(report.problems) >= len(damaged)

        label = f"{total} sessions, 5% damaged"
        once = dict(scale=1.0, cheap=False)
        return [
            Figure(
                "records.list_sessions",
                f"list every session ({label})",
                "s",
                sample(lambda i: listing(), ctx.options, **once),
            ),  # fmt: skip
            Figure(
                "records.verify_all",
                f"verify the whole store ({label})",
                "s",
                sample(lambda i: verify(), ctx.options, **once),
            ),  # fmt: skip
        ]
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def _protected(ctx: Context, token: str) -> list[Figure]:
    mesh, _ = ctx.body(token)
    label = size_label(token, mesh)
    folder = scratch_folder()
    try:
        plain = Store(folder / "plain")
        sealed_root = folder / "sealed"
        Store(sealed_root)
        started = time.perf_counter()
        keys = protect(sealed_root, PASSPHRASE)[0]
        ctx.log(f"  protecting an empty store took {time.perf_counter() - started:.2f} s")
        sealed = Store(sealed_root, keys)
        figures = []
        for name, store in (("plain", plain), ("protected", sealed)):
            client = store.create_client("Benchmark")
            session = bench_session(mesh, client.id)
            store.save(session)
            save = sample(lambda i, s=store, x=session: s.save(x), ctx.options, cheap=False)
            reopen = sample(lambda i, s=store, x=session: s.load(x.id), ctx.options)
            peer = None if name == "plain" else f"records.save_plain.{token}"
            figures.append(Figure(f"records.save_{name}.{token}", f"save, {name} store, {label}",
                                  "ms", save, peer=peer))  # fmt: skip
            peer = None if name == "plain" else f"records.reopen_plain.{token}"
            figures.append(Figure(f"records.reopen_{name}.{token}",
                                  f"reopen, {name} store, {label}", "ms",
                                  reopen, peer=peer))  # fmt: skip
        unlocking = sample(lambda i: unlock(sealed_root, PASSPHRASE), ctx.options, 1.0, False)
        figures.append(Figure(f"records.unlock.{token}", "unlock a protected store", "s",
                              unlocking, budget=0.5))  # fmt: skip
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)
