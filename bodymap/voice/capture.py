"""The microphone, through sounddevice (PortAudio), open only while it is recording.

sounddevice is imported when recording starts, so BodyMap runs without it, without
PortAudio and without any audio device: :class:`MicrophoneUnavailable` says why.
"""

from __future__ import annotations

import threading

import numpy as np

from bodymap.voice.audio import RATE


class MicrophoneUnavailable(Exception):
    """No usable input device (no PortAudio, no microphone, device busy)."""


class Microphone:
    """Records 16 kHz mono int16 between :meth:`start` and :meth:`stop`."""

    def __init__(self, device: int | str | None = None) -> None:
        self._device = device
        self._stream = None
        self._chunks: list[np.ndarray] = []
        self._taken = 0  # how many of the chunks take() has handed out
        self._stopped: list[np.ndarray] = []  # untaken when the recording stopped
        self._lock = threading.Lock()

    @property
    def recording(self) -> bool:
        return self._stream is not None

    def start(self) -> None:
        """Open the device and record.

        Raises
        ------
        MicrophoneUnavailable
            With a one-line reason.
        """
        try:
            import sounddevice
        except (ImportError, OSError) as error:  # OSError: the PortAudio library is missing
            raise MicrophoneUnavailable(f"no audio support ({error})") from error
        with self._lock:
            self._chunks, self._taken, self._stopped = [], 0, []
        try:
            stream = sounddevice.InputStream(
                samplerate=RATE,
                channels=1,
                dtype="int16",
                device=self._device,
                callback=self._on_audio,
            )
            stream.start()
        except Exception as error:  # PortAudioError, ValueError: no such or no input device
            raise MicrophoneUnavailable(f"no microphone ({error})") from error
        self._stream = stream

    def stop(self) -> np.ndarray:
        """Close the device; the samples recorded since :meth:`start`."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()
        with self._lock:
            chunks, self._chunks = self._chunks, []
            self._stopped, self._taken = chunks[self._taken :], 0
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)

    def take(self) -> np.ndarray:
        """The samples recorded since the last :meth:`take` (or since :meth:`start`).

        For decoding while the key is held: call it every 0.1 s or so and feed the
        recogniser; after :meth:`stop` it hands out what was left untaken. :meth:`stop`
        still returns the whole recording.
        """
        with self._lock:
            if self._stream is None:
                chunks, self._stopped = self._stopped, []
            else:
                chunks, self._taken = self._chunks[self._taken :], len(self._chunks)
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)

    def _on_audio(self, data, frames, time, status) -> None:
        # PortAudio's thread: only copy the block out.
        with self._lock:
            self._chunks.append(np.array(data[:, 0], dtype=np.int16))


def play_soft_tone(frequency: float = 660.0, seconds: float = 0.08, volume: float = 0.05) -> None:
    """A short, quiet confirmation tone; silently nothing where there is no output device."""
    try:
        import sounddevice

        t = np.arange(int(RATE * seconds)) / RATE
        envelope = np.sin(np.pi * t / seconds)  # no click at either end
        sounddevice.play((volume * envelope * np.sin(2 * np.pi * frequency * t)), RATE)
    except Exception:  # noqa: BLE001 - a missing sound must never disturb charting
        return
