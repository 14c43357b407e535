"""A word far quieter than the others is noise the grammar explained as a word."""

from __future__ import annotations

import numpy as np

from bodymap.voice.loudness import FRAME, QUIET_WORD_DB, quiet_words, word_loudness


def _tone(seconds: float, amplitude: float) -> np.ndarray:
    t = np.arange(int(16000 * seconds)) / 16000
    return amplitude * np.sin(2 * np.pi * 220 * t)


def _frames(start: np.ndarray, piece: np.ndarray) -> tuple[int, int]:
    first = len(start) // FRAME
    return first, first + len(piece) // FRAME - 1


def test_a_word_as_quiet_as_the_noise_is_found_and_words_said_are_not():
    rng = np.random.default_rng(3)
    loud, softer = _tone(0.4, 8000), _tone(0.3, 8000 / 10 ** (6 / 20))  # 6 dB down: a word
    noise = rng.normal(0, 8000 / 10 ** (20 / 20) / np.sqrt(2), 4800)  # 20 dB down: noise
    audio, segments = np.zeros(0), []
    for piece in (loud, softer, noise):
        segments.append(_frames(audio, piece))
        audio = np.concatenate([audio, piece])
    db = word_loudness(audio, segments)
    assert abs((db[0] - db[1]) - 6) < 0.5 and db[0] - db[2] > QUIET_WORD_DB
    assert quiet_words(audio, segments) == [2]
    assert quiet_words(audio, segments[:2]) == []
    assert quiet_words(audio, segments[2:]) == []  # one word alone is its own yardstick


def test_a_word_shorter_than_the_loudness_window_is_measured_whole():
    audio = np.concatenate([_tone(0.5, 8000), _tone(0.03, 8000)])
    assert quiet_words(audio, [(0, 49), (50, 52)]) == []
