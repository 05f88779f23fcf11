"""Stored transcripts as process evidence: the stage and wording id of bot lines stored before they carried them."""
