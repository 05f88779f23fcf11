"""Requests that are not a product fault: order status, cancelling, returns, call-backs, contact, refunds.

One small module per request (``order_status``, ``cancellation``, ``returns``, ``callback``, ``contact``,
``refunds``), sharing ``state`` (the request slots and what one step returns), ``ownership`` (only an
order's or a case's own customer gets its details: the same check as case status), ``order_lookup`` (the
order named, looked up by e-mail, and verified) and ``recording`` (the case a request opens for staff).
``flow`` is the entry point the actions call. Nothing here knows about Rasa.
"""
