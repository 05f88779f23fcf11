"""One module per step of the complaint form, in the style of rasa-sdk's ``validate_<slot>``.

Each step reads the customer's answer to its question (``handle_<slot>(answer)``) and records what it
understood in the answer's turn. :mod:`bot.conversation.answers` picks the step for the question asked.
``facts`` reads what one message says; ``context`` holds what every step gets.
"""
