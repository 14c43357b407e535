"""One of two processes racing on one session (see test_store_promises.py).

    python store_racer.py STORE SESSION_ID finalise|save GO_FILE NAME

Loads the session, prints "ready", waits until GO_FILE exists, then saves or finalises it
with its own marker in the plan. Prints "ok MARKER" or the error's class and message.
"""

from __future__ import annotations

import os
import sys
import time

from bodymap.store import Store, StoreError


def main(root: str, session_id: str, action: str, go: str, name: str) -> None:
    store = Store(root)
    session = store.load(session_id)
    marker = f"process-{name}-{os.getpid()}"
    session.notes.plan = marker
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.001)
    try:
        if action == "finalise":
            store.finalise(session)
        else:
            store.save(session)
    except StoreError as error:
        print(f"{type(error).__name__} {error}", flush=True)
        return
    print(f"ok {marker}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])
