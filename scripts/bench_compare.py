"""Comparing visits: one tag across a client's 100 sessions, and trends over them.

Budgets, on the default body (issue 17): opening a comparison of 100 sessions (one tag) at
most 100 ms; trends over 100 sessions at most 100 ms and at most a quarter of the naive
peer, which reads each session whole, one file after another, as code without partial
reads would. Trends are measured twice: the first call in a process (every file
read and summed; the body is the one the caller holds) and a repeated call (each file's
figures looked up by its content digest). Beside the comparison, the same after listing
the client's visits in a store that has read no file yet, as a compare window does (the
listing's headers are held, so the comparison reads none again).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

from bench_common import Context, Figure, sample
from bench_meshes import bench_tags, paint_layers, size_label
from bench_store import scratch_folder

from bodymap.analysis.lookup import SessionBodies
from bodymap.analysis.trends import forget_kept_figures, trends
from bodymap.core.compare import difference
from bodymap.core.series import region_series
from bodymap.core.session import RhythmReading, Session, SessionEvent
from bodymap.store import Store

SESSIONS = 100
SMOKE_SESSIONS = 6
TAG = "restriction"
COMPARE_BUDGET_MS = 100.0
TRENDS_BUDGET_MS = 100.0


def build_client(store: Store, mesh, n_sessions: int) -> tuple[str, list[str]]:
    """A client with ``n_sessions`` weekly visits: 3 painted tags, rhythm and events each."""
    tags = bench_tags()
    client = store.create_client("Bench Client")
    start = datetime(2024, 1, 8, 9, 30, tzinfo=UTC)
    ids = []
    for k in range(n_sessions):
        overlays = paint_layers(mesh, tags, painted=3, seed=100 + k, strokes=3)
        when = start + timedelta(days=7 * k)
        session = Session(
            client.id,
            mesh.geometry_hash,
            mesh.n_vertices,
            practitioner="Bench",
            started=when,
            tags=tags,
            overlays=overlays,
            rhythm=[RhythmReading("heels", "both", rate=6 + k % 5, amplitude=5)],
            events=[SessionEvent("still_point", when + timedelta(minutes=20))],
        )
        store.save(session)
        ids.append(session.id)
    return client.id, ids


def first_trends(store: Store, client_id: str, bodies: SessionBodies) -> None:
    """Trends as the first call in a process makes them: nothing kept from before."""
    forget_kept_figures()
    trends(store, client_id, TAG, bodies=bodies)


def run(ctx: Context) -> list[Figure]:
    token = "default" if "default" in ctx.options.sizes else ctx.options.sizes[0]
    mesh, atlas = ctx.body(token)
    n = SMOKE_SESSIONS if ctx.options.smoke else SESSIONS
    ctx.log(f"compare: building {n} sessions on {token}")
    folder = scratch_folder()
    try:
        store = Store(folder / "store")
        store.put_mesh(mesh, atlas)  # trends measure each session on its own mesh
        client_id, ids = build_client(store, mesh, n)
        bodies = SessionBodies(store, [(mesh, atlas)])  # the body the app has open

        def open_comparison(_: int) -> None:
            open_on(store)

        fresh: list[Store] = []

        def new_store(_: int) -> None:  # untimed: a store holding no header yet
            fresh[:] = [Store(store.root)]

        def listed_comparison(_: int) -> None:
            fresh[0].sessions(client_id)  # a compare window lists the visits first; the
            open_on(fresh[0])  # listing's headers are held: the comparison reads none again

        def open_on(reader: Store) -> None:
            layers = reader.read_layers(ids, TAG, mesh=mesh)
            region_series(layers, mesh, atlas)
            difference(layers[0], layers[-1], mesh, atlas, TAG)

        def naive_comparison(_: int) -> None:
            layers = [store.load(i, mesh=mesh).overlays.layer(TAG) for i in ids]
            region_series(layers, mesh, atlas)
            difference(layers[0], layers[-1], mesh, atlas, TAG)

        size = size_label(token, mesh)
        note = f"{n} sessions, 3 painted tags each, one tag compared"
        budget = token == "default" and not ctx.options.smoke
        return [
            Figure(
                f"compare@{token}",
                f"open a {n}-session comparison, one tag [{size}]",
                "ms",
                sample(open_comparison, ctx.options, cheap=False),
                budget=COMPARE_BUDGET_MS if budget else None,
                peer=f"compare_naive@{token}",
                note=note,
            ),
            Figure(
                f"compare_listed@{token}",
                f"list {n} sessions (no header held), then compare [{size}]",
                "ms",
                sample(listed_comparison, ctx.options, cheap=False, before=new_store),
                peer=f"compare_naive@{token}",
                note="a store that has read no file yet: the listing, then the comparison",
            ),
            Figure(
                f"compare_naive@{token}",
                f"peer: one whole-file read per session [{size}]",
                "ms",
                sample(naive_comparison, ctx.options, cheap=False),
            ),
            Figure(
                f"trends@{token}",
                f"trends over {n} sessions, one tag, first call [{size}]",
                "ms",
                sample(lambda i: first_trends(store, client_id, bodies), ctx.options, cheap=False),
                budget=TRENDS_BUDGET_MS if budget else None,
                peer=f"compare_naive@{token}",
                note="per-region extent and intensity, rhythm readings and event counts",
            ),
            Figure(
                f"trends_again@{token}",
                f"trends over {n} sessions, one tag, repeated [{size}]",
                "ms",
                sample(
                    lambda i: trends(store, client_id, TAG, bodies=bodies),
                    ctx.options,
                    cheap=False,
                ),
                budget=TRENDS_BUDGET_MS if budget else None,
                peer=f"compare_naive@{token}",
                note="each file's figures looked up by its content digest",
            ),
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
