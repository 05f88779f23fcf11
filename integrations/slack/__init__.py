"""Everything Slack: the staff triage app (slack-bolt) and what it posts.

``app`` builds the bolt App and registers ``listeners/<kind>/``; ``cards`` (Block Kit) and
``markup`` (neutralising customer text) draw what staff see; ``posting`` and ``scheduler`` post cards
and alerts once each; ``operations`` are the staff actions (through :mod:`bot.cases.service`);
``takeover`` pauses and resumes the assistant in Rasa; ``relay`` passes customers' direct messages on
to Rasa; ``listeners/errors`` is the one path by which staff hear of a failed action.
"""
