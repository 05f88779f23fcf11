"""Lexical cue features for the intent classifier, and the Rasa featurizer that adds them."""

from __future__ import annotations

import pytest

from bot.nlp.cues import CUE_NAMES, cue_vector


def on(text: str) -> set[str]:
    return {name for name, value in zip(CUE_NAMES, cue_vector(text), strict=True) if value}


def test_vector_has_one_binary_value_per_name() -> None:
    vector = cue_vector("the heel came off my boots three weeks ago!")
    assert len(vector) == len(CUE_NAMES) == len(set(CUE_NAMES))
    assert set(vector) <= {0.0, 1.0}


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("the heel", {"tokens_2_2", "open_article", "component", "facts_only"}, {"defect"}),
        ("ORD-10001", {"order_like", "facts_only"}, {"defect", "question_mark"}),
        ("bought them in march", {"date", "facts_only"}, {"defect"}),
        ("size 9 please", {"size", "facts_only"}, set()),
        (
            "my boots sole fell off 2 weeks ago",
            {"open_possessive", "defect", "component", "date"},
            {"facts_only", "question_mark"},
        ),
        ("what time do you open?", {"open_question", "question_mark"}, {"defect", "component"}),
        ("its the left one, heel came off", {"open_it", "defect", "component"}, set()),
        ("they don't fit and the colour is wrong", {"open_they", "negation", "defect"}, set()),
        ("i cut my foot on a nail sticking through", {"open_subject_i", "injury"}, set()),
        ("", set(), {"defect", "facts_only", "component"}),
        ("can you call me back on 07700 900123", {"phone", "open_question"}, {"order_like", "facts_only"}),
        ("020 7946 0321", {"phone", "facts_only"}, {"order_like"}),
        ("ring me about ORD-10001 on 07700 900123", {"phone", "order_like"}, set()),
    ],
)
def test_cues_of_typical_messages(text: str, expected: set[str], absent: set[str]) -> None:
    found = on(text)
    assert expected <= found, found
    assert not (absent & found), found


def test_length_buckets_are_exclusive() -> None:
    for words in (1, 2, 3, 5, 8, 14, 25, 40):
        lengths = {n for n in on(" ".join(["word"] * words)) if n.startswith("tokens_")}
        assert len(lengths) == 1, (words, lengths)


def test_the_rasa_featurizer_adds_a_sentence_feature_per_cue() -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from integrations.rasa_nlu.cue_featurizer import CueFeaturizer

    context = ExecutionContext(GraphSchema({}), node_name="cues")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CueFeaturizer.create(
        CueFeaturizer.get_default_config(), LocalModelStorage.__new__(LocalModelStorage), Resource("cues"), context
    )
    message = Message.build("the sole came off after two weeks")
    tokenizer.process([message])
    featurizer.process([message])
    sequence, sentence = message.get_sparse_features(TEXT)
    assert sequence is None
    assert sentence is not None and sentence.features.shape == (1, len(CUE_NAMES))
    dense = sentence.features.toarray()[0]
    assert dense[CUE_NAMES.index("defect")] == 1.0 and dense[CUE_NAMES.index("component")] == 1.0
