"""Spoken notes: a recorded clip with its automatic transcript, ready for the session file.

Storing clips needs a session-format change owned by the store; this module makes the
clip (what would be stored) and the transcript, which is marked automatic so that a
person's correction can be told apart from the recogniser's guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from bodymap.core.annotations import new_id
from bodymap.voice.audio import RATE

MAX_CLIP_S = 600  # ten minutes: a note, not a recording of the whole session


@dataclass(frozen=True, eq=False)
class SpokenClip:
    """One spoken note.

    Attributes
    ----------
    time : datetime
        When recording started (time-zone aware).
    rate : int
        Samples per second.
    samples : (N,) int16 array
    transcript : str
        What it says; ``transcript_automatic`` is True while it is the recogniser's.
    event_id, pin_id : str or None
        The timeline event or pin it belongs to.
    """

    time: datetime
    samples: np.ndarray
    rate: int = RATE
    transcript: str = ""
    transcript_automatic: bool = False
    event_id: str | None = None
    pin_id: str | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.time.tzinfo is None:
            raise ValueError("a clip's time must carry a time zone")
        samples = np.ascontiguousarray(self.samples)
        if samples.ndim != 1 or samples.dtype != np.int16:
            raise ValueError("a clip's samples must be one channel of int16")
        if not 8000 <= self.rate <= 48000:
            raise ValueError(f"a clip's sample rate {self.rate} is not 8000-48000")
        if samples.size > MAX_CLIP_S * self.rate:
            raise ValueError(f"a clip may last {MAX_CLIP_S // 60} minutes at most")
        samples.setflags(write=False)
        object.__setattr__(self, "samples", samples)

    @property
    def seconds(self) -> float:
        return self.samples.size / self.rate

    def corrected(self, transcript: str) -> SpokenClip:
        """The clip with a transcript a person wrote (no longer automatic)."""
        from dataclasses import replace

        return replace(self, transcript=transcript, transcript_automatic=False)


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
