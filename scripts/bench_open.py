"""Opening a body: the default body from its cache, denser bodies from the benchmark cache.

The cold start to a shown main window runs in the GUI worker (``bench_gui.py``).
"""

from __future__ import annotations

from bench_common import Context, Figure, sample
from bench_meshes import load_size, target_vertices

from bodymap.io.default_body import load_default_body


def run(ctx: Context) -> list[Figure]:
    ctx.log("startup: mesh open from cache")
    figures = [
        Figure(
            "open_default",
            "open default body from cache (load_default_body)",
            "ms",
            sample(lambda i: load_default_body(), ctx.options),
            note="npz + atlas JSON + geometry hash check + cached adjacency/normals",
        )
    ]
    for token in ctx.options.sizes:
        if target_vertices(token) is None:
            continue
        figures.append(
            Figure(
                f"open@{token}",
                f"open {token} body from cache",
                "ms",
                sample(lambda i, t=token: load_size(t), ctx.options, cheap=False),
            )
        )
    return figures
