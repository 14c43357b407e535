"""What push-to-talk needs from this machine: whether voice can work at all, the default
recogniser and microphone (imported only when first made), and whether audio can be decoded
as it arrives."""

from __future__ import annotations

import functools
import importlib.util

from bodymap.voice.vocabulary import Vocabulary


@functools.cache
def voice_unavailable() -> str | None:
    """Why voice cannot work on this machine (no recogniser, no audio support), or None.

    Asked once a process: PortAudio lists the devices when it starts."""
    if importlib.util.find_spec("pocketsphinx") is None:
        return "the speech recogniser (pocketsphinx) is not installed"
    try:
        import sounddevice

        if not any(d.get("max_input_channels", 0) > 0 for d in sounddevice.query_devices()):
            return "no microphone was found"
    except Exception:  # noqa: BLE001 - ImportError, or OSError when PortAudio is missing
        return "no audio support (PortAudio) on this machine"
    return None


def default_recogniser(vocabulary: Vocabulary):
    """pocketsphinx's recogniser on ``vocabulary`` (imported when first made)."""
    from bodymap.voice.decoder import Recogniser

    return Recogniser(vocabulary)


def default_microphone():
    """The default input device (sounddevice is imported when first opened)."""
    from bodymap.voice.capture import Microphone

    return Microphone()


def decodes_as_it_arrives(recogniser, microphone) -> bool:
    """Whether audio can be decoded as it arrives (the recogniser takes blocks, and the
    microphone hands out what it recorded since it was last asked)."""
    return all(hasattr(recogniser, name) for name in ("start", "feed", "finish")) and hasattr(
        microphone, "take"
    )
