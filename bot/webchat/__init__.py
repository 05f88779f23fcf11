"""Customer web chat: signed session tokens shared by the page and the Rasa socket.io channel."""
