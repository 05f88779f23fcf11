"""What the assistant understands of a message: the rules (:mod:`bot.nlp.rules`) plus the learned defect reading.

:class:`Extractor` runs the rule recognisers, then lets the learned model (:mod:`bot.nlp.defect_model`) read the
defect over the rule findings: it decides the category (or that we should ask), the secondary and the part. The
learned model's own features come from the rules alone, so the rules never import the model.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from bot.nlp.defect_model import load_defect_model
from bot.nlp.rules import CatalogueEntry, Extraction, RuleExtractor, analyse_lines, normalise_size

__all__ = ["CatalogueEntry", "Extraction", "Extractor", "analyse_lines", "normalise_size", "read_learned_defect"]


class Extractor(RuleExtractor):
    """The rule extractor plus, unless ``learned`` is off, the learned defect reading."""

    def __init__(self, products: Sequence[CatalogueEntry], order_numbers: Iterable[str], learned: bool = True) -> None:
        """Build for ``products`` and ``order_numbers``.

        ``learned``: read the defect with the learned model over the rule findings; ``False`` keeps the rules
        alone (the Rasa cue featurizer uses that).
        """
        super().__init__(products, order_numbers)
        self._learned = learned

    def _read_defect(self, text: str, result: Extraction) -> None:
        if self._learned:
            read_learned_defect(text, result)


def read_learned_defect(text: str, result: Extraction) -> None:
    """Let the learned model decide the category (or that we should ask), the secondary and the part."""
    rule_categories, rule_components = list(result.defect_categories), list(result.components)
    reading = load_defect_model().read(text, rule_categories, rule_components)
    result.defect_candidates = reading.candidate_dicts()
    result.defect_category = reading.category
    result.secondary_defect_category = reading.secondary
    result.no_fault = round(reading.no_fault, 3)
    ranked = [c["category"] for c in result.defect_candidates]
    if reading.category:
        result.defect_categories = [reading.category] + [c for c in rule_categories if c != reading.category]
    else:
        result.defect_categories = [c for c in rule_categories if c in ranked[:2]]
    component = reading.component
    if component is None and reading.category and rule_components:
        component = rule_components[0]
    if component:
        result.components = [component] + [c for c in rule_components if c != component]
    result.component = component
