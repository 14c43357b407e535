"""A writer for the crash test: saves one session over and over until it is killed.

    python crash_writer.py STORE CLIENT_ID SESSION_ID

Each save stores a counter in the session's notes and, once ``save`` has returned,
prints the counter on a line of its own. It continues from the counter already saved.
"""

from __future__ import annotations

import sys

import numpy as np

from bodymap.core.session import Session
from bodymap.store import NotFoundError, Store

N_VERTICES = 20_000


def main(root: str, client_id: str, session_id: str) -> None:
    store = Store(root)
    try:
        session = store.load(session_id)
    except NotFoundError:
        session = Session(client_id, "ab" * 32, N_VERTICES, id=session_id)
        session.overlays.ensure_layers(["pain", "heat"])
    counter = int(session.notes.subjective or 0)
    rng = np.random.default_rng(counter)
    print("ready", flush=True)
    while True:
        counter += 1
        session.notes.subjective = str(counter)
        rows = rng.integers(0, N_VERTICES, 500)
        session.overlays.values[rows, counter % 2] = counter % 100 + 1
        store.save(session)
        print(counter, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
