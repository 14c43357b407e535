"""The recogniser: pocketsphinx decoding a command grammar, with a confidence.

pocketsphinx 5 (PyPI) ships the en-US acoustic model and the CMU dictionary; words the
dictionary lacks get pronunciations from :mod:`bodymap.voice.pronounce`. It is imported
only when a recogniser is made, so the rest of BodyMap never needs it.

The confidence compares how well the best sentence of the grammar explains the audio with
how well an unconstrained phone loop does: per frame, ``exp(mean log-likelihood of the
grammar path - that of the phone loop)``, at most 1. Speech that is a command fits the
grammar about as well as any phone sequence (near 1); other speech forced into the grammar
fits it clearly worse. It is also capped by how much of the speech (the frames the phone
loop calls phones, not silence or noise) the grammar's words cover, over ``FULL_COVERAGE``:
a long sentence forced into a short command leaves most of its speech to the grammar's
silence model, which can otherwise score well. And it is 0 when a word of the sentence is
not speech (:mod:`bodymap.voice.loudness`): far quieter than the other words, it is the
room's noise explained as a word.

The phone loop is decoded while the key is held (:meth:`Recogniser.feed`); only the grammar
search is left for the key's release, which keeps the wait after it under 250 ms of CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bodymap.voice.commands import VoiceCommand, parse
from bodymap.voice.grammar import jsgf
from bodymap.voice.loudness import quiet_words
from bodymap.voice.pronounce import pronounce, variants
from bodymap.voice.vocabulary import Vocabulary

# Digital silence (exact zeros, as synthetic or gated audio has) breaks the recogniser's
# log-energy features and ends the search before the last word; a whisper of fixed,
# seeded noise (-66 dBFS) avoids that without changing real microphone audio.
DITHER_LSB = 16.0
FULL_COVERAGE = 0.9
# Gaussians scored per codebook frame in the grammar search (pocketsphinx's default is 4).
# On the tuning split (220 commands: 100 the default got wrong or refused, 120 it got
# right), 16 understood 18 more surely and applied 6 fewer wrongly; 32 was no better.
GRAMMAR_TOPN = 16
_NOT_SPEECH = ("SIL", "<sil>", "<s>", "</s>", "[NOISE]", "+NSN+", "+SPN+", "[SPEECH]", "NULL")


class RecogniserUnavailable(Exception):
    """pocketsphinx (or its model) is missing: voice commands are off."""


@dataclass(frozen=True)
class Recognition:
    """What one utterance said: the grammar sentence, the confidence, the command if any."""

    text: str
    confidence: float
    command: VoiceCommand | None

    @property
    def sure(self) -> bool:
        return self.command is not None and self.command.sure


def model_paths() -> tuple[Path, Path, Path]:
    """(acoustic model folder, dictionary, phone language model) shipped with pocketsphinx."""
    try:
        import pocketsphinx
    except ImportError as error:
        raise RecogniserUnavailable(f"voice commands need pocketsphinx 5 ({error})") from error
    root = Path(pocketsphinx.get_model_path()) / "en-us"
    paths = root / "en-us", root / "cmudict-en-us.dict", root / "en-us-phone.lm.bin"
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise RecogniserUnavailable(
            f"the pocketsphinx model is incomplete: {missing[0]} is missing"
        )
    return paths


class Recogniser:
    """Decodes utterances (16 kHz mono int16) against the current vocabulary's grammar."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        from pocketsphinx import Decoder

        hmm, dictionary, phones = model_paths()
        # lm=None: the general language model is not needed and slow to load.
        self._grammar = Decoder(
            hmm=str(hmm), dict=str(dictionary), lm=None, topn=GRAMMAR_TOPN, loglevel="FATAL"
        )
        self._phones = Decoder(hmm=str(hmm), allphone=str(phones), lm=None, loglevel="FATAL")
        self._dither = np.random.default_rng(0)
        self._listening = False
        self._pending: list[bytes] = []
        self._searches = 0
        self.vocabulary = vocabulary
        self.set_vocabulary(vocabulary)

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        """Use a new vocabulary (the session's tags changed); an utterance under way ends."""
        if self._listening:
            self._phones.end_utt()
            self._listening = False
        for word in sorted(vocabulary.words()):
            _add_pronunciations(self._grammar, word)
        self._searches += 1
        name = f"commands{self._searches}"
        self._grammar.add_jsgf_string(name, jsgf(vocabulary))
        self._grammar.activate_search(name)
        if self._searches > 1:
            self._grammar.remove_search(f"commands{self._searches - 1}")
        self.vocabulary = vocabulary

    def start(self) -> None:
        """Begin an utterance (the push-to-talk key went down)."""
        if self._listening:
            self._phones.end_utt()
        self._dither = np.random.default_rng(0)
        self._pending = []
        self._phones.start_utt()
        self._listening = True

    def feed(self, samples: np.ndarray) -> None:
        """Audio of the utterance as it arrives (while the key is held).

        The phone loop (the confidence's yardstick) is decoded now, block by block, with
        the live cepstral-mean estimate. The grammar is decoded when the key comes up, on
        the whole utterance, whose cepstral mean is then known exactly: decoded block by
        block with the live estimate, 20 dB commands by a voice other than the last one's
        were understood exactly 67% of the time instead of 82% (tuning split, measured).
        """
        if not self._listening:
            self.start()
        audio = self._dithered(samples)
        if audio:
            self._pending.append(audio)
            self._phones.process_raw(audio, False, False)

    def finish(self) -> Recognition:
        """End the utterance (the key came up): what it said; nothing is applied here."""
        if not self._listening:
            self.start()
        self._phones.end_utt()
        self._listening = False
        audio, self._pending = b"".join(self._pending), []
        self._grammar.start_utt()
        if audio:
            self._grammar.process_raw(audio, False, True)
        self._grammar.end_utt()
        text, grammar_score = _result(self._grammar)
        if not text:
            return Recognition("", 0.0, None)
        _, phone_score = _result(self._phones)
        confidence = _confidence(
            grammar_score, phone_score, _speech_frames(self._grammar), _speech_frames(self._phones)
        )
        if quiet_words(np.frombuffer(audio, dtype=np.int16), _word_segments(self._grammar)):
            confidence = 0.0
        return Recognition(text, confidence, parse(text, self.vocabulary, confidence))

    def recognise(self, samples: np.ndarray) -> Recognition:
        """Decode one whole utterance."""
        self.start()
        self.feed(samples)
        return self.finish()

    def _dithered(self, samples: np.ndarray) -> bytes:
        data = np.asarray(samples, dtype=np.int16).astype(np.float64)
        data += self._dither.normal(0.0, DITHER_LSB, data.size)
        return np.clip(data, -32768, 32767).astype(np.int16).tobytes()


def _add_pronunciations(decoder, word: str) -> None:
    """Give ``word`` its dictionary pronunciations (or a made one) and their variants.

    Alternatives are the dictionary's "word(2)", "word(3)" entries; the grammar search uses
    them all (the search is made after the words are added).
    """
    known = []
    while (phones := decoder.lookup_word(_alt(word, len(known)))) is not None:
        known.append(phones)
    wanted = variants(word, known or [pronounce(word)])
    for phones in wanted[len(known) :]:
        decoder.add_word(_alt(word, len(known)), phones, False)
        known.append(phones)


def _alt(word: str, index: int) -> str:
    return word if index == 0 else f"{word}({index + 1})"


def _word_segments(decoder) -> list[tuple[int, int]]:
    """(first frame, last frame) of each word of the last utterance (no silence or noise)."""
    return [
        (seg.start_frame, seg.end_frame)
        for seg in decoder.seg() or ()
        if seg.word.split("(")[0] not in _NOT_SPEECH
    ]


def _speech_frames(decoder) -> np.ndarray:
    """Per frame of the last utterance: is it inside a word or phone (not silence, noise)?"""
    last = max((seg.end_frame for seg in decoder.seg() or ()), default=-1)
    frames = np.zeros(last + 1, dtype=bool)
    for start, end in _word_segments(decoder):
        frames[start : end + 1] = True
    return frames


def _confidence(grammar_score, phone_score, words: np.ndarray, speech: np.ndarray) -> float:
    """How well the grammar's sentence explains the speech (module docstring), in [0, 1]."""
    n = max(len(words), len(speech))
    words, speech = np.pad(words, (0, n - len(words))), np.pad(speech, (0, n - len(speech)))
    coverage = float((words & speech).sum() / max(speech.sum(), 1))
    ratio = grammar_score / phone_score if phone_score > 0 else 0.0
    return max(0.0, min(1.0, ratio, coverage / FULL_COVERAGE))


def _result(decoder) -> tuple[str, float]:
    """(sentence, per-frame score) of the utterance just ended; ("", 0) when none was found."""
    hyp = decoder.hyp()
    if hyp is None:
        return "", 0.0
    return hyp.hypstr.strip(), float(hyp.score)
