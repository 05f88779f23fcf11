"""Customer web chat: the signed socket.io input channel for Rasa (the page lives in bot/web/views/chat.py)."""
