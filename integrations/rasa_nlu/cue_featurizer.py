"""A Rasa sparse featurizer adding the lexical cues of :mod:`bot.nlp.cues` to each message.

Registered in ``config.yml`` as ``integrations.rasa_nlu.cue_featurizer.CueFeaturizer``. It has no
state to train: the feature set is fixed (:data:`bot.nlp.cues.CUE_NAMES`), so the model does not
change when the catalogue does. Only sentence-level features are added; the count vectors give
DIET the per-token ones.

The cues do depend on the lexicon (``data/lexicon/*.yml``): its hash is part of the component's
config, and Rasa fingerprints a node by its config, so editing the lexicon forces retraining
instead of reusing cached features.
"""

from __future__ import annotations

from typing import Any, Dict, List, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.cues import CUE_NAMES, cue_vector
from bot.nlp.lexicon import lexicon_hash

LEXICON_HASH_KEY = "lexicon_hash"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class CueFeaturizer(SparseFeaturizer, GraphComponent):
    """Adds one sparse sentence feature per lexical cue (defect, component, date, length...)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """Runs after a tokenizer, like the other featurizers."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The featurizer alias, plus the lexicon's hash so that the node's fingerprint follows the lexicon."""
        return {**SparseFeaturizer.get_default_config(), LEXICON_HASH_KEY: lexicon_hash()}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Nothing to validate."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CueFeaturizer:
        """A ready featurizer (nothing to train or load)."""
        return cls(execution_context.node_name, config)

    def _featurize(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        row = np.asarray([cue_vector(str(text))], dtype=np.float32)
        self.add_features_to_message(None, scipy.sparse.coo_matrix(row), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize every training example's text."""
        for example in training_data.training_examples:
            self._featurize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Featurize incoming messages in place."""
        for message in messages:
            self._featurize(message)
        return messages

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The cue behind each column."""
        return CUE_NAMES
