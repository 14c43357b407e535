"""Layer chunks compressed off HDF5's filter pipeline: deflated on worker threads (zlib
releases the GIL) or taken from the same chunk saved before, each with the fletcher32
trailer HDF5 itself would add, for :func:`bodymap.store.hdf5_image.build_image` to place
with direct chunk writes. The file is the one HDF5 would write."""

from __future__ import annotations

import os
import threading
import zlib
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

CHUNK_BYTES = 32_768
"""Chunk size: 32 KiB, i.e. 32,768 vertices of a uint8 layer (measured best with sparse layers)."""
GZIP_LEVEL = 1


def filtered_chunks(path: str, data: np.ndarray) -> list[tuple[int, bytes]]:
    """(chunk index, stored bytes) of each chunk of ``data`` that holds a non-zero."""
    chunk = CHUNK_BYTES  # one byte a value: _chunks gives CHUNK_BYTES values a chunk
    whole = len(data) // chunk
    # As 8-byte words: numpy's any() over bytes is thirty times slower.
    busy = data[: whole * chunk].view(np.uint64).reshape(whole, -1).any(axis=1).tolist()
    busy.append(len(data) > whole * chunk and bool(data[whole * chunk :].max()))
    out = []
    for index in np.flatnonzero(busy).tolist():
        raw = data[index * chunk : (index + 1) * chunk].tobytes()
        if len(raw) < chunk:  # HDF5 stores an edge chunk whole, padded with the fill value
            raw += bytes(chunk - len(raw))
        stored = _MEMO.get(path, index, raw)
        out.append((index, _filter_chunk(path, index, raw) if stored is None else stored))
    return out


def _filter_chunk(path: str, index: int, raw: bytes) -> bytes:
    """What HDF5's shuffle (a no-op on bytes), deflate and fletcher32 filters make of a chunk."""
    deflated = zlib.compress(raw, GZIP_LEVEL)
    stored = deflated + fletcher32(deflated).to_bytes(4, "little")
    _MEMO.put(path, index, raw, stored)
    return stored


def fletcher32(data: bytes) -> int:
    """HDF5's fletcher32 checksum (``H5_checksum_fletcher32``), bit for bit.

    Big-endian 16-bit words summed in runs of 360, each run's sums folded to 16 bits and a
    carry; an odd last byte counts as a word's high byte. Folding keeps a sum's value
    modulo 65,535, and C's 32-bit sums never wrap (:data:`_NO_WRAP`), so the checksum is the
    residues of the two plain sums, computed with numpy in one go (data over
    :data:`_FAST_BYTES` has its folds replayed run by run, as in C).
    """
    words = np.frombuffer(data, dtype=">u2", count=len(data) // 2).astype(np.int64)
    if len(data) > _FAST_BYTES:
        return _replayed(data, words)
    if len(data) % 2:
        words = np.append(words, data[-1] << 8)
    total = int(words.sum())
    # The second sum gains the first after each word: the word at k counts n - k times.
    second = len(words) * total - int(words @ _RAMP[: len(words)])
    return _residue(second) << 16 | _residue(total)


_FAST_BYTES = 1 << 20
"""Longer data is checksummed run by run (its plain second sum could pass 2**63)."""
_RAMP = np.arange(_FAST_BYTES // 2 + 1, dtype=np.int64)
_NO_WRAP = 0x1FFFE + 360 * (0xFFFF + 361) + 0xFFFF * 360 * 361 // 2
"""The most C's second sum can reach in a run, below 2**32: it enters at most 0x1FFFE
(folded), gains at most 360 times the first sum as it enters (folded, at most 0xFFFF + 361)
and the 360 words' own share. The first sum reaches far less."""
assert _NO_WRAP < 2**32


def _residue(value: int) -> int:
    """What folding ``value`` (a sum of 16-bit words) to 16 bits gives: its residue modulo
    65,535, as 1 to 65,535 unless ``value`` is 0."""
    return 0 if value == 0 else (value - 1) % 0xFFFF + 1


def _replayed(data: bytes, words: np.ndarray) -> int:
    """:func:`fletcher32` with every fold replayed in 32-bit unsigned arithmetic, as in C."""
    runs = [words[: len(words) // 360 * 360].reshape(-1, 360)]
    if len(words) % 360:
        runs.append(words[len(words) // 360 * 360 :].reshape(1, -1))
    sum1 = sum2 = 0
    for run in runs:
        length = run.shape[1]
        totals = run.sum(axis=1).tolist()
        # sum2 gains sum1 after each word: the word at k counts (length - k) times.
        weighted = (run @ np.arange(length, 0, -1, dtype=np.int64)).tolist()
        for total, weight in zip(totals, weighted, strict=True):
            sum2 = (sum2 + length * sum1 + weight) & 0xFFFFFFFF
            sum1 = (sum1 + total) & 0xFFFFFFFF
            sum1, sum2 = _fold(sum1), _fold(sum2)
    if len(data) % 2:
        sum1 = (sum1 + (data[-1] << 8)) & 0xFFFFFFFF
        sum2 = (sum2 + sum1) & 0xFFFFFFFF
        sum1, sum2 = _fold(sum1), _fold(sum2)
    return (_fold(sum2) << 16 | _fold(sum1)) & 0xFFFFFFFF


def _fold(value: int) -> int:
    return (value & 0xFFFF) + (value >> 16)


class _ChunkMemo:
    """The stored bytes of the layer chunks saved most recently, by dataset path and index.

    A chunk is reused only when its raw bytes equal those it was made from, compared in
    full, so a stale or foreign entry can cost time but never change a file. Bounded: the
    oldest entries go first beyond ``limit`` raw bytes. Process memory only.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: OrderedDict[tuple[str, int], tuple[bytes, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, path: str, index: int, raw: bytes) -> bytes | None:
        with self._lock:
            entry = self._entries.get((path, index))
        return entry[1] if entry is not None and entry[0] == raw else None

    def put(self, path: str, index: int, raw: bytes, stored: bytes) -> None:
        with self._lock:
            old = self._entries.pop((path, index), None)
            self._size += len(raw) - (len(old[0]) if old else 0)
            self._entries[(path, index)] = (raw, stored)
            while self._size > self.limit and self._entries:
                dropped, _ = self._entries.popitem(last=False)[1]
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


_MEMO = _ChunkMemo(limit=64 * 1024 * 1024)
_POOL: dict[int, ThreadPoolExecutor] = {}
_POOL_LOCK = threading.Lock()


def forget_chunks() -> None:
    """Drop the remembered layer chunks (when a session closes, or for a cold-save benchmark)."""
    _MEMO.clear()


def spare_cores() -> int:
    """Cores of this process not already busy: its cores less the one-minute load average
    rounded (at least one: the calling thread itself, which the average already counts
    when it is the one busy; rounding up would leave a quiet 2-core machine no helper:
    measured 2M saves 43 against 31 ms). A helper thread on a busy core only makes the
    threads that need Python's GIL wait for each other (measured: a 1M reopen twice as slow
    on two busy cores); without a load average (Windows), the cores less one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        busy = round(os.getloadavg()[0])
    except (AttributeError, OSError):
        busy = 1
    return max(0, (cores or 1) - max(1, busy))


def helpers():
    """Where CPU work beside the calling thread goes: the worker threads (:func:`pool`)
    while a core is idle (:func:`spare_cores`), else the calling thread itself, at once."""
    return pool() if spare_cores() else _AT_ONCE


class _AtOnce:
    """An executor that runs each task in the calling thread as it is submitted."""

    def submit(self, function, *args, **kwargs) -> Future:
        done: Future = Future()
        try:
            done.set_result(function(*args, **kwargs))
        except Exception as error:  # noqa: BLE001 - handed over, as a worker would
            done.set_exception(error)
        return done


_AT_ONCE = _AtOnce()


def pool() -> ThreadPoolExecutor:
    """The worker threads of :func:`build_image`, started on first use in each process (a
    forked child has none of its parent's threads)."""
    with _POOL_LOCK:
        pool = _POOL.get(os.getpid())
        if pool is None:
            _POOL.clear()
            workers = max(2, min(4, os.cpu_count() or 1))
            pool = _POOL[os.getpid()] = ThreadPoolExecutor(workers, thread_name_prefix="bodymap-h5")
        return pool
