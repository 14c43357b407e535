"""The session store: HDF5 session files, clients, drafts, amendments and the audit log.

Imports core and io, and h5py; never Qt or VTK (see ``tests/test_layering.py``). The file
format is documented in ``docs/SESSION_FORMAT.md``.

libhdf5 is not thread-safe: do all store I/O through one :class:`StoreWorker` (or from
one thread), never from two threads at once.
"""

from bodymap.store.amendments import Amendment
from bodymap.store.audit import AuditProblem
from bodymap.store.errors import (
    ConflictError,
    DiskFullError,
    FinalisedError,
    MeshMismatchError,
    NotFinalisedError,
    NotFoundError,
    ReadOnlyStoreError,
    SessionReadError,
    StoreBusyError,
    StoreError,
    StoreWriteError,
    TargetUnreadableError,
)
from bodymap.store.info import DraftInfo, SessionInfo
from bodymap.store.location import store_location
from bodymap.store.session_codec import SCHEMA_VERSION
from bodymap.store.store import Store
from bodymap.store.verify import VerifyReport, verify_store
from bodymap.store.worker import StoreWorker, snapshot

__all__ = [
    "SCHEMA_VERSION",
    "Amendment",
    "ConflictError",
    "AuditProblem",
    "DiskFullError",
    "DraftInfo",
    "FinalisedError",
    "MeshMismatchError",
    "NotFinalisedError",
    "NotFoundError",
    "ReadOnlyStoreError",
    "SessionInfo",
    "SessionReadError",
    "Store",
    "StoreBusyError",
    "StoreError",
    "StoreWorker",
    "StoreWriteError",
    "TargetUnreadableError",
    "VerifyReport",
    "snapshot",
    "store_location",
    "verify_store",
]
