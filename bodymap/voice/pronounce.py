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
# Other ways people say them (and the speech synthesiser the benchmark uses): "sfen-oid",
# "ok-si-pee-toe", "ing-gwin-al" said "ing-gin-al", "glue-teel".
ALTERNATIVES = {
    "sphenoid": ("S F EH N OY D",),
    "occiput": ("AA K S IH P UH T",),
    "occipito": ("AA K S IH P IY T OW",),
    "inguinal": ("IH NG G IH N AH L", "IH NG G W IH N AH L"),
    "gluteal": ("G L UW T IY L", "G L UW T IY AH L"),
    "perineum": ("P EH R IH N IY AH M",),
    "parietal": ("P AH R AY AH T AH L",),
    "sagittal": ("S AE JH IH T AH L",),
    "respiratory": ("R IH S P AY R AH T AO R IY", "R EH S P R AH T AO R IY"),
    "thoracic": ("TH AO R AE S IH K", "TH ER AE S IH K"),
    "mandible": ("M AE N D IH B AH L",),
}
_VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}

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


def variants(word: str, phones: list[str]) -> list[str]:
    """Every pronunciation of ``word`` to give the recogniser: ``phones`` (the dictionary's,
    or :func:`pronounce`'s), :data:`ALTERNATIVES`, and each one's non-rhotic form.

    Non-rhotic English (southern British, and the others that drop an "r" before a consonant
    or a pause) says "four" as "F AO" and "upper" as "AH P AH": the American dictionary has
    only the "r" forms, which such a speaker's "four" fits worse than another number.
    """
    out = list(phones) + list(ALTERNATIVES.get(word.lower(), ()))
    out += [_non_rhotic(p) for p in out]
    return list(dict.fromkeys(p for p in out if p))


def _non_rhotic(phones: str) -> str:
    """``phones`` with each "r" not followed by a vowel dropped (a final "ER" becomes "AH")."""
    seq = phones.split()
    out: list[str] = []
    for i, phone in enumerate(seq):
        following = seq[i + 1] if i + 1 < len(seq) else None
        before_consonant = following not in _VOWELS and following not in ("Y", "W")
        if phone == "R" and before_consonant and out and out[-1] in _VOWELS:
            # "ear" IY R -> IY AH, "four" AO R -> AO: a front vowel glides to a schwa.
            if out[-1] in ("IY", "IH", "EH", "UH"):
                out.append("AH")
            continue
        if phone == "ER" and following is None:
            out.append("AH")
            continue
        out.append(phone)
    return " ".join(out)


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
