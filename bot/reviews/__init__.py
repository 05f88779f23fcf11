"""Supervisor review of conversations: the review queue, scorecards and review reports."""
