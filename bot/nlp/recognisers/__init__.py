"""One recogniser per complaint fact, run in turn by :class:`bot.nlp.rules.RuleExtractor` over one shared doc.

* :mod:`.normalise`: the blank spaCy pipeline, token normalisation and the lexicon's phrases, normalised once;
* :mod:`.spans`: helpers on character and token spans;
* :mod:`.references`: e-mail, case reference, order number and SKU (codes through :mod:`bot.nlp.codes`);
* :mod:`.products`, :mod:`.colours`, :mod:`.defects`, :mod:`.sizes`, :mod:`.purchase_dates`.

Dates come from :mod:`bot.nlp.dates` and injury from :mod:`bot.nlp.safety`; the words are data
(``data/lexicon/*.yml``, read by :mod:`bot.nlp.lexicon`).
"""
