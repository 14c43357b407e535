"""Spoken notes: a recorded clip with its automatic transcript, ready for the session file.

The clip itself (:class:`~bodymap.core.annotations.SpokenClip`) is part of the session, in
the core; this module makes one from the microphone's samples and transcribes it. The
transcript is marked automatic so that a person's correction can be told apart from the
recogniser's guess.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import numpy as np

from bodymap.core.annotations import MAX_CLIP_S, SpokenClip
from bodymap.voice.audio import RATE

__all__ = [
    "MAX_CLIP_S",
    "Dictation",
    "PlaybackUnavailable",
    "SpokenClip",
    "Transcriber",
    "play_clip",
    "record_clip",
]


Transcriber = Callable[[np.ndarray], str]


def record_clip(
    samples: np.ndarray,
    when: datetime,
    transcribe: Transcriber | None = None,
    event_id: str | None = None,
    pin_id: str | None = None,
) -> SpokenClip:
    """A clip of 16 kHz samples, transcribed automatically when a transcriber is given."""
    audio = np.asarray(samples, dtype=np.int16).reshape(-1)
    text = transcribe(audio).strip() if transcribe is not None else ""
    return SpokenClip(when, audio, RATE, text, bool(text), event_id, pin_id)


class Dictation:
    """Free speech -> text with pocketsphinx's general English model (a rough first draft)."""

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        from bodymap.voice.decoder import model_paths

        hmm, dictionary, _ = model_paths()
        lm = hmm.parent / "en-us.lm.bin"
        self._decoder = Decoder(hmm=str(hmm), dict=str(dictionary), lm=str(lm), loglevel="FATAL")

    def __call__(self, samples: np.ndarray) -> str:
        self._decoder.start_utt()
        self._decoder.process_raw(np.asarray(samples, dtype=np.int16).tobytes(), False, True)
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        return hyp.hypstr if hyp is not None else ""


class PlaybackUnavailable(Exception):
    """A spoken note cannot be played here, with a one-line reason."""


def play_clip(clip: SpokenClip) -> None:
    """Start playing a note on the default output device (returns at once).

    Raises
    ------
    PlaybackUnavailable
        No sounddevice or PortAudio, no output device, or samples that cannot be read.
    """
    try:
        import sounddevice
    except (ImportError, OSError) as error:  # OSError: the PortAudio library is missing
        raise PlaybackUnavailable(f"no audio support ({error or 'sounddevice missing'})") from None
    try:
        samples = clip.audio()
    except Exception as error:  # noqa: BLE001 - a damaged file: one line, never a crash
        raise PlaybackUnavailable(f"its recording cannot be read ({error})") from None
    try:
        sounddevice.play(samples, clip.rate)
    except Exception as error:  # noqa: BLE001 - PortAudioError: no output device
        raise PlaybackUnavailable(f"no sound output ({error})") from None
