"""Supervisor review of conversations: the review queue, scorecards and review reports.

``sampling`` (which conversations are picked, and why), ``queue`` (filling, assigning, listing),
``scorecard`` (criteria, values, stage scores), ``prefill`` and ``conversation`` (the pre-filled scorecard from
the stored conversation), ``saving`` (a review, its audit event and the queue item in one unit of work),
``reports`` (``review_summary``), ``listing`` (saved reviews and their CSV), ``erasure`` (what an erasure does to
review comments), ``models`` (the tables of migration 0008).
"""
