"""Is every word the recogniser heard speech? Each word's loudness against the loudest word.

A grammar search explains every stretch of the audio with the grammar's words or silence.
After the last word the room's noise is sometimes explained as one more word (a number
added to a command that had none: "restriction, lumbar spine" heard with an "eight" after
it). Such a word is as loud as the noise, while every word really said is about as loud as
the others: on the benchmark's tuning split, in 99% of the commands understood exactly the
loudest 100 ms of every word was within 7.7 dB of the loudest word's.

Pure numpy: the decoder (:mod:`bodymap.voice.decoder`) hands in the samples and the word
segments (in the recogniser's 10 ms frames).
"""

from __future__ import annotations

import numpy as np

FRAME = 160
"""Samples per recogniser frame (10 ms at 16 kHz)."""
WINDOW = 410
"""Samples one frame's features are computed over (25.6 ms)."""
PEAK_FRAMES = 10
"""A word's loudness: the mean power of its loudest 100 ms."""
QUIET_WORD_DB = 9.0
"""A word more than this far below the loudest word is taken for noise, not speech."""


def word_loudness(samples: np.ndarray, segments: list[tuple[int, int]]) -> np.ndarray:
    """Loudness (dB) of each segment ``(first frame, last frame)`` of ``samples``."""
    data = np.asarray(samples, dtype=np.float64).reshape(-1)
    out = np.empty(len(segments))
    for i, (start, end) in enumerate(segments):
        part = data[start * FRAME : end * FRAME + WINDOW]
        n = max(len(part) // FRAME, 1)
        frames = np.zeros((n, FRAME))
        chunk = part[: n * FRAME]
        frames.reshape(-1)[: len(chunk)] = chunk
        power = np.mean(frames**2, axis=1)
        loudest = np.sort(power)[-PEAK_FRAMES:]
        out[i] = 10 * np.log10(float(np.mean(loudest)) + 1.0)
    return out


def quiet_words(samples: np.ndarray, segments: list[tuple[int, int]]) -> list[int]:
    """Indices of the segments more than :data:`QUIET_WORD_DB` below the loudest one."""
    if len(segments) < 2:
        return []
    loudness = word_loudness(samples, segments)
    return [i for i, db in enumerate(loudness) if db < loudness.max() - QUIET_WORD_DB]
