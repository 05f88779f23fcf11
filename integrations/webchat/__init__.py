"""Customer web chat, all in one place.

The signed socket.io channel for Rasa (``channel``), the session tokens shared with the chat page
(``session_tokens``), the page itself (``page``: a Flask blueprint with its ``templates/`` and
``static/``) and the pinned widget build (``package.json``, ``scripts/build_webchat.sh``).
"""
