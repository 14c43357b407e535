"""Audio as the recogniser wants it: 16 kHz mono int16, read from WAV, split at pauses."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 16000
FRAME = RATE // 100  # 10 ms, the recogniser's frame
# A pause this long ends an utterance in a recording of several commands; commas inside a
# command are shorter.
SPLIT_PAUSE_S = 0.9


class AudioError(Exception):
    """An audio file that cannot be used, with a one-line reason."""


def to_recogniser_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mono int16 at 16 kHz (averaging channels, resampling when needed).

    Float samples are taken to be in [-1, 1] (as sounddevice and WAV readers give them).
    """
    data = np.asarray(samples)
    if data.ndim == 2:
        data = data.mean(axis=1)
    if np.issubdtype(data.dtype, np.floating):
        data = data * 32767.0
    if rate != RATE:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(int(rate), RATE)
        data = resample_poly(data.astype(np.float64), RATE // g, int(rate) // g)
    return np.clip(np.round(data), -32768, 32767).astype(np.int16)


def read_wav(path: Path) -> np.ndarray:
    """A WAV file (PCM 8/16/32-bit, any rate, mono or stereo) as 16 kHz mono int16."""
    try:
        with wave.open(str(path), "rb") as f:
            width, channels, rate = f.getsampwidth(), f.getnchannels(), f.getframerate()
            raw = f.readframes(f.getnframes())
    except (OSError, EOFError, wave.Error) as error:
        raise AudioError(f"{path}: not a readable WAV file ({error})") from error
    kinds = {1: np.uint8, 2: np.int16, 4: np.int32}
    if width not in kinds:
        raise AudioError(f"{path}: {8 * width}-bit samples are not supported (use 16-bit PCM)")
    # As floats in [-1, 1], the convention to_recogniser_rate scales from.
    data = np.frombuffer(raw, dtype=kinds[width]).astype(np.float64)
    data = (data - 128.0) / 128.0 if width == 1 else data / float(2 ** (8 * width - 1))
    return to_recogniser_rate(data.reshape(-1, channels), rate)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(np.asarray(samples, dtype=np.int16).tobytes())


def split_utterances(samples: np.ndarray, pause_s: float = SPLIT_PAUSE_S) -> list[np.ndarray]:
    """The spoken stretches of a recording, cut in the middle of pauses of ``pause_s`` or more.

    Speech is a frame clearly louder than the recording's quietest tenth; each piece keeps
    its surrounding quiet, which the recogniser needs to find where words begin and end.
    """
    n = len(samples) // FRAME
    if n == 0:
        return []
    frames = samples[: n * FRAME].astype(np.float64).reshape(n, FRAME)
    energy = 10 * np.log10(np.mean(frames**2, axis=1) + 1.0)
    floor = np.percentile(energy, 10)
    speech = energy > floor + 0.5 * (np.percentile(energy, 95) - floor)
    if not speech.any():
        return []
    gap = int(pause_s * 100)
    voiced = np.flatnonzero(speech)
    cuts = [0]
    for a, b in zip(voiced[:-1], voiced[1:], strict=True):
        if b - a > gap:
            cuts.append((a + b) // 2)
    cuts.append(n)
    return [samples[s * FRAME : e * FRAME] for s, e in zip(cuts[:-1], cuts[1:], strict=True)]
