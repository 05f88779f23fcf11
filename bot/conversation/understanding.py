"""Run-time understanding of customer text against the live catalogue and orders of a store.

The extractor is rebuilt whenever the catalogue or orders change (see
:func:`bot.conversation.sql_catalogue.extractor_for`), so a product imported a minute ago is recognised
in the next message, with no retraining of the Rasa model.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from bot.cases.store import Store
from bot.conversation.sql_catalogue import SqlCatalogue, extractor_for
from bot.nlp.extraction import Extraction

__all__ = ["extractor_for", "understand", "warm_up"]


def understand(store: Store, text: str, today: Optional[dt.date] = None) -> Extraction:
    """What the text says about the complaint: product, defect, order, dates..."""
    catalogue = SqlCatalogue(store)
    return catalogue.understand(text, today or catalogue.today())


def warm_up(store: Store) -> None:
    """Build the extractor and load the models before the first customer message arrives."""
    understand(store, "warm-up: the stitching on my boots split")
