"""The vocabulary and grammar come from the session's tags and the atlas; text parses to
commands exactly when it is one."""

from __future__ import annotations

import re

import pytest

from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.tags import TagSet
from bodymap.voice.commands import MIN_CONFIDENCE, parse
from bodymap.voice.grammar import jsgf
from bodymap.voice.pronounce import pronounce, variants
from bodymap.voice.vocabulary import Vocabulary, region_forms, spoken_forms, words_of


@pytest.mark.parametrize(
    ("text", "kind", "tag", "place", "intensity", "origin", "event"),
    [
        ("Restriction, left temporal, six", "finding", "restriction", "temporal_l", 6, None, None),
        ("release, sacrum", "finding", "release", "sacrum", 5, None, None),
        (
            "energy cyst, lower abdomen, seven, emotional trauma",
            "finding",
            "energy_cyst",
            "abdomen_lower",
            7,
            "emotional trauma",
            None,
        ),
        ("pain left t m j zero", "finding", "pain", "tmj_l", 0, None, None),
        ("heat occiput ten", "finding", "heat", "occipital", 10, None, None),
        ("tension, right shin", "finding", "tension", "leg_anterior_r", 5, None, None),
        ("pulsation hyoid diaphragm", "finding", "pulsation", "hyoid", 5, None, None),
        ("still point", "event", None, None, None, None, "still_point"),
        ("significance detector", "event", None, None, None, None, "significance_detector"),
        ("release", "event", None, None, None, None, "release"),
        ("undo", "undo", None, None, None, None, None),
    ],
)
def test_commands_parse(vocabulary, text, kind, tag, place, intensity, origin, event):
    command = parse(text, vocabulary)
    assert command is not None and command.kind == kind
    assert (command.tag, command.intensity, command.origin, command.event) == (
        tag,
        intensity,
        origin,
        event,
    )
    assert (command.place.key if command.place else None) == place


@pytest.mark.parametrize(
    "text",
    [
        "",
        "the weather is lovely today",
        "restriction",  # a tag needs a place
        "left temporal six",
        "restriction left temporal eleven",
        "pain sacrum six emotional trauma",  # only an energy cyst has an origin
        "restriction sacrum six undo",
    ],
)
def test_non_commands_do_not_parse(vocabulary, text):
    assert parse(text, vocabulary) is None


def test_grammar_names_every_tag_region_and_band(vocabulary, body):
    grammar = jsgf(vocabulary)
    _, atlas = body
    assert grammar.startswith("#JSGF V1.0;")
    assert "public <command> =" in grammar
    rules = dict(re.findall(r"^<(\w+)> = (.*);$", grammar, flags=re.MULTILINE))
    places = set(rules["place"].split(" | "))
    for region in atlas.regions:
        assert any(vocabulary.places[p].key == region.key for p in places), region.name
    for band in atlas.bands:
        assert any(vocabulary.places[p].key == band.key for p in places), band.name
    assert {"left t m j", "occiput", "sacrum", "lower abdomen"} <= places
    assert set(rules["tag"].split(" | ")) >= {"restriction", "release", "pain", "pulsation"}
    assert rules["cyst"] == "energy cyst"
    assert rules["intensity"].count("|") == 10


def test_a_renamed_and_an_added_tag_are_spoken_by_their_new_names(body):
    _, atlas = body
    tags = TagSet()
    tags.update("restriction", name="Fascial drag")
    added = tags.add("Cold spot 2", (10, 20, 30))
    vocabulary = Vocabulary.build(tags, atlas)
    assert parse("fascial drag sacrum four", vocabulary).tag == "restriction"
    assert parse("cold spot two sacrum", vocabulary).tag == added.key
    assert parse("restriction sacrum four", vocabulary) is None
    assert "fascial drag" in jsgf(vocabulary) and "restriction" not in jsgf(vocabulary)


def test_spoken_forms_of_display_names():
    assert words_of("Left TMJ") == "left t m j"
    assert spoken_forms("Sacrum / coccyx") == ["sacrum coccyx", "sacrum", "coccyx"]
    assert "mandible" in spoken_forms("Jaw (mandible)")
    assert "lower abdomen" in spoken_forms("Abdomen, lower")
    assert region_forms("Left leg, anterior (shin)", "left") == [
        "left leg anterior shin",
        "left leg anterior",
        "left shin",
        "left anterior leg",
    ]


def test_a_phrase_two_places_share_is_dropped():
    regions = (Region("a", "Crown", "midline", "head"), Region("b", "Crown", "midline", "neck"))
    atlas = Atlas(regions, (Band("x", "Hyoid diaphragm"),), [0, 1], [0, -1])
    vocabulary = Vocabulary.build(TagSet(), atlas)
    assert "crown" not in vocabulary.places
    assert vocabulary.places["hyoid"].band


def test_every_word_gets_arpabet_phones(vocabulary):
    phones = set(
        "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH "
        "UH UW V W Y Z ZH".split()
    )
    assert pronounce("sacrum") == "S EY K R AH M"
    for word in [*vocabulary.words(), "myofascial", "zzyzx", "quench"]:
        assert set(pronounce(word).split()) <= phones, word
    with pytest.raises(ValueError, match="no letters"):
        pronounce("42")


def test_non_rhotic_and_listed_variants_are_added():
    assert variants("four", ["F AO R"]) == ["F AO R", "F AO"]
    assert variants("ear", ["IY R"]) == ["IY R", "IY AH"]
    assert variants("upper", ["AH P ER"]) == ["AH P ER", "AH P AH"]
    # An "r" before a vowel or a glide is said by everyone: it stays.
    assert variants("posterior", ["P AO S T IH R Y ER"]) == [
        "P AO S T IH R Y ER",
        "P AO S T IH R Y AH",
    ]
    assert variants("release", ["R IY L IY S"]) == ["R IY L IY S"]
    assert "S F EH N OY D" in variants("sphenoid", [pronounce("sphenoid")])


def test_every_variant_uses_arpabet_phones(vocabulary):
    phones = set(
        "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH "
        "UH UW V W Y Z ZH".split()
    )
    for word in vocabulary.words():
        for variant in variants(word, [pronounce(word)]):
            assert variant and set(variant.split()) <= phones, (word, variant)


def test_confidence_decides_whether_a_command_is_sure(vocabulary):
    assert parse("undo", vocabulary, MIN_CONFIDENCE).sure
    assert not parse("undo", vocabulary, MIN_CONFIDENCE - 0.01).sure
