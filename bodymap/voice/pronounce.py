"""Pronunciations (CMU ARPAbet) for words the recogniser's dictionary lacks.

Anatomy and CST words ("sacrum", "pulsation") are listed by hand; any other word (a tag the
practitioner named) gets a pronunciation from simple English spelling rules, which is
rough but lets the word be said at all.
"""

from __future__ import annotations

import re

KNOWN = {
    "pulsation": "P AH L S EY SH AH N",
    "sphenoid": "S F IY N OY D",
    "occiput": "AA K S IH P AH T",
    "occipito": "AA K S IH P IH T OW",
    "atlantal": "AE T L AE N T AH L",
    "sternum": "S T ER N AH M",
    "inguinal": "IH NG G W AH N AH L",
    "sacrum": "S EY K R AH M",
    "coccyx": "K AA K S IH K S",
    "gluteal": "G L UW T IY AH L",
    "perineum": "P EH R AH N IY AH M",
    "axilla": "AE K S IH L AH",
    "hyoid": "HH AY OY D",
    "breastbone": "B R EH S T B OW N",
    "craniosacral": "K R EY N IY OW S EY K R AH L",
    "fascia": "F AE SH AH",
    "fascial": "F AE SH AH L",
    "dural": "D UH R AH L",
}

# Longest spellings first; each maps to phones. Vowels are the short (checked) ones.
_RULES = (
    ("tion", "SH AH N"),
    ("sion", "ZH AH N"),
    ("ture", "CH ER"),
    ("igh", "AY"),
    ("sh", "SH"),
    ("ch", "CH"),
    ("th", "TH"),
    ("ph", "F"),
    ("ck", "K"),
    ("ng", "NG"),
    ("qu", "K W"),
    ("wh", "W"),
    ("ee", "IY"),
    ("ea", "IY"),
    ("oo", "UW"),
    ("ai", "EY"),
    ("ay", "EY"),
    ("oa", "OW"),
    ("ou", "AW"),
    ("ow", "OW"),
    ("oi", "OY"),
    ("oy", "OY"),
    ("au", "AO"),
    ("aw", "AO"),
    ("er", "ER"),
    ("ar", "AA R"),
    ("or", "AO R"),
    ("ur", "ER"),
    ("ir", "ER"),
    ("a", "AE"),
    ("e", "EH"),
    ("i", "IH"),
    ("o", "AA"),
    ("u", "AH"),
    ("b", "B"),
    ("c", "K"),
    ("d", "D"),
    ("f", "F"),
    ("g", "G"),
    ("h", "HH"),
    ("j", "JH"),
    ("k", "K"),
    ("l", "L"),
    ("m", "M"),
    ("n", "N"),
    ("p", "P"),
    ("r", "R"),
    ("s", "S"),
    ("t", "T"),
    ("v", "V"),
    ("w", "W"),
    ("x", "K S"),
    ("y", "IY"),
    ("z", "Z"),
)


def pronounce(word: str) -> str:
    """ARPAbet phones for ``word``: the hand list, else the spelling rules.

    Raises
    ------
    ValueError
        If the word has no letters.
    """
    word = word.lower()
    if word in KNOWN:
        return KNOWN[word]
    letters = re.sub(r"[^a-z]", "", word)
    if not letters:
        raise ValueError(f"cannot pronounce {word!r}: it has no letters")
    # A final silent e ("tense") and doubled consonants ("fizz") are one sound.
    if len(letters) > 3 and letters.endswith("e") and letters[-2] not in "aeiou":
        letters = letters[:-1]
    letters = re.sub(r"([b-df-hj-np-tv-z])\1", r"\1", letters)
    phones: list[str] = []
    i = 0
    while i < len(letters):
        if letters[i] == "c" and letters[i + 1 : i + 2] in ("e", "i", "y"):
            phones.append("S")
            i += 1
            continue
        if letters[i] == "y" and i == 0:
            phones.append("Y")
            i += 1
            continue
        for spelling, sound in _RULES:
            if letters.startswith(spelling, i):
                phones.extend(sound.split())
                i += len(spelling)
                break
    return " ".join(phones)
