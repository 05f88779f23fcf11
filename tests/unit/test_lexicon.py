"""The lexicon as data: data/lexicon/*.yml loads, is checked against its schema and fingerprints what uses it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.nlp import lexicon, vocab
from bot.nlp.lexicon import LEXICON_DIR, LEXICON_FILES, LexiconError, lexicon_hash, load_lexicon
from bot.vocabulary import COMPONENTS, DEFECT_CATEGORIES

VOCAB_NAMES = {
    "DEFECT_CUES": "defect_cues",
    "WEAK_DEFECT_CUES": "weak_defect_cues",
    "NEUTRAL_PHRASES": "neutral_phrases",
    "PROBLEM_WORDS": "problem_words",
    "COMPONENT_SYNONYMS": "component_synonyms",
    "COMPONENT_CATEGORY": "component_category",
    "SURFACE_WORDS": "surface_words",
    "FAILURE_PHRASES": "failure_phrases",
    "COMPONENT_FAILURE_OVERRIDES": "component_failure_overrides",
    "GENERAL_COLOURS": "general_colours",
    "COLOUR_SYNONYMS": "colour_synonyms",
    "COLOUR_GROUPS": "colour_groups",
    "COLOUR_MODIFIERS": "colour_modifiers",
    "GENERIC_PRODUCT_WORDS": "generic_product_words",
    "WORD_ALIASES": "word_aliases",
    "PROTECTED_WORDS": "protected_words",
    "NEGATIONS": "negations",
    "LETTER_SIZES": "letter_sizes",
    "SIZE_WORDS": "size_words",
    "SIZE_SYSTEMS": "size_systems",
}


@pytest.fixture
def lexicon_copy(tmp_path: Path) -> Path:
    """A writable copy of data/lexicon."""
    folder = tmp_path / "lexicon"
    shutil.copytree(LEXICON_DIR, folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    """Replace the first ``old`` in ``folder/name`` by ``new`` (it must be there)."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_committed_lexicon_loads_and_validates() -> None:
    found = load_lexicon()
    assert set(found.defect_cues) <= set(DEFECT_CATEGORIES) and found.defect_cues["stitching"]
    assert set(found.component_synonyms) == set(found.component_category) == set(COMPONENTS)
    assert found.component_failure_overrides[("sole", "shift")] is None
    assert found.size_systems["UK"] == (0.5, 16.0)
    assert "oxblood" in next(g for g in found.colour_groups if "burgundy" in g)
    assert load_lexicon() is found  # read once


def test_vocab_names_are_what_the_loader_builds() -> None:
    found = load_lexicon()
    assert set(VOCAB_NAMES) | {"COMPONENTS", "DEFECT_CATEGORIES", "expand"} == set(vocab.__all__)
    for name, attribute in VOCAB_NAMES.items():
        value = getattr(vocab, name)
        assert value == getattr(found, attribute), name
        assert type(value) is type(getattr(found, attribute)), name
    assert all(isinstance(v, tuple) for v in vocab.DEFECT_CUES.values())
    assert isinstance(vocab.GENERIC_PRODUCT_WORDS, frozenset)
    assert all(isinstance(g, frozenset) for g in vocab.COLOUR_GROUPS)
    assert vocab.expand("heel (has |)(snapped|broken)") == [
        "heel has snapped",
        "heel has broken",
        "heel snapped",
        "heel broken",
    ]


def test_a_copy_loads_like_the_original(lexicon_copy: Path) -> None:
    assert load_lexicon(lexicon_copy) == load_lexicon()
    assert lexicon_hash(lexicon_copy) == lexicon_hash()


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        # a defect category that does not exist
        (
            "defects.yml",
            "\n  stitching:\n",
            "\n  stiching:\n",
            "defects.yml: strong_cues.stiching: unknown defect category",
        ),
        # an unknown top-level key
        ("colours.yml", "\nmodifiers:", "\nshades: [dark]\nmodifiers:", "colours.yml: unknown key(s) shades"),
        # wrong types
        ("sizes.yml", '"one": 1\n', '"one": "1"\n', "sizes.yml: size_words.one: expected a positive whole number"),
        ("sizes.yml", "UK: [0.5, 16.0]", "UK: 16", "sizes.yml: systems.UK: expected [smallest, largest]"),
        ("words.yml", '\nprotected:\n  ["lining"', '\nprotected:\n  [["lining"]', "words.yml: protected[0]"),
        ("words.yml", '"r": "are"', '"r": ["are"]', "words.yml: aliases.r: expected a non-empty string"),
        ("products.yml", "\ngeneric_words:\n", "\ngeneric_words: {boot: 1}\nx:\n", "products.yml: unknown key(s) x"),
        # a component that does not exist, an override to a failure kind that does not
        (
            "components.yml",
            "  zip: hardware",
            "  zipper: hardware",
            "components.yml: category.zipper: unknown component",
        ),
        (
            "components.yml",
            "{component: heel, failure: shift,",
            "{component: heel, failure: wobble,",
            "components.yml: overrides[12].failure: unknown failure kind 'wobble'",
        ),
        ("components.yml", "category: sizing_fit}", "category: fit}", "components.yml: overrides[12].category"),
        # a colour group member that is no colour, an unbalanced phrase group, a repeated key
        ("colours.yml", '  - ["navy", "blue"', '  - ["navvy", "blue"', "colours.yml: groups[6]: not general colours"),
        (
            "defects.yml",
            '"come unstitched"',
            '"come (unstitched"',
            "defects.yml: strong_cues.stitching[11]: unbalanced",
        ),
        ("sizes.yml", '"xs": "XS"\n', '"xs": "XS"\n  "xs": "S"\n', "sizes.yml: not valid YAML"),
    ],
)
def test_a_broken_file_is_refused_naming_file_and_key(
    lexicon_copy: Path, name: str, old: str, new: str, message: str
) -> None:
    edit(lexicon_copy, name, old, new)
    with pytest.raises(LexiconError) as caught:
        load_lexicon(lexicon_copy)
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_missing_file_is_refused(lexicon_copy: Path) -> None:
    (lexicon_copy / "sizes.yml").unlink()
    with pytest.raises(LexiconError, match=r"^sizes\.yml: cannot be read"):
        load_lexicon(lexicon_copy)


def test_the_hash_changes_when_any_file_changes(lexicon_copy: Path) -> None:
    before = lexicon_hash(lexicon_copy)
    assert len(before) == 64
    for name in (*LEXICON_FILES, "text_speak.yml"):
        path = lexicon_copy / name
        original = path.read_bytes()
        path.write_bytes(original + b"# edited\n")
        assert lexicon_hash(lexicon_copy) != before, name
        path.write_bytes(original)
        assert lexicon_hash(lexicon_copy) == before, name


def test_editing_the_lexicon_changes_the_cue_featurizer_fingerprint(
    lexicon_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa fingerprints a node by its class, config and inputs: the lexicon hash in the config forces retraining."""
    from rasa.engine.training.fingerprinting import calculate_fingerprint_key
    from rasa.utils.common import override_defaults

    from integrations.rasa_nlu.cue_featurizer import LEXICON_HASH_KEY, CueFeaturizer

    def fingerprint() -> str:
        # what rasa.engine.graph.GraphNode hands the training hook: defaults merged with config.yml's options
        config = override_defaults(CueFeaturizer.get_default_config(), {"alias": "cues"})
        return calculate_fingerprint_key(CueFeaturizer, config, inputs={})

    assert CueFeaturizer.get_default_config()[LEXICON_HASH_KEY] == lexicon_hash()
    monkeypatch.setattr(lexicon, "LEXICON_DIR", lexicon_copy)
    before = fingerprint()
    assert fingerprint() == before
    edit(lexicon_copy, "defects.yml", '"come unstitched"', '"come unstitched"\n    - "stitches have gone"')
    after = fingerprint()
    assert after != before
    assert CueFeaturizer.get_default_config()[LEXICON_HASH_KEY] == lexicon_hash(lexicon_copy)


def test_the_defect_model_fingerprint_covers_the_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.nlp import defect_model

    read: list[Path] = []
    original = Path.read_bytes

    def spy(path: Path) -> bytes:
        read.append(path.resolve())
        return original(path)

    clear = getattr(defect_model.fingerprint, "cache_clear", lambda: None)  # it may be cached once a process
    clear()
    monkeypatch.setattr(Path, "read_bytes", spy)
    defect_model.fingerprint()
    monkeypatch.undo()
    clear()
    assert {p.resolve() for p in LEXICON_DIR.glob("*.yml")} <= set(read)
