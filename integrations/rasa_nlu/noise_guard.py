"""A Rasa intent post-processor: noise ("65", "?", emoji alone, keyboard mash) never gets a confident intent.

Registered in ``config.yml`` after DIET as ``integrations.rasa_nlu.noise_guard.NoiseGuard``. The decision is
:func:`bot.nlp.garbage.is_noise`; a noisy message's intent becomes ``nlu_fallback`` (the form still reads it when
one is active; outside a form the assistant asks what was meant). Nothing to train.
"""

from __future__ import annotations

from typing import Any, Dict, List, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.garbage import is_noise

FALLBACK = "nlu_fallback"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NoiseGuard(GraphComponent, IntentClassifier):
    """Replaces the intent of a message with no understandable word by ``nlu_fallback``."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """Runs after the intent classifier it overrides."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """No options."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NoiseGuard:
        """A ready guard (nothing to train or load)."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Override the intent of noisy messages in place."""
        for message in messages:
            text = message.get(TEXT)
            if text is None or not is_noise(str(text)):
                continue
            # no ranking either: what the classifier made of noise is not a meaning worth offering as a button
            fallback = {INTENT_NAME_KEY: FALLBACK, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback], add_to_output=True)
        return messages
