"""Errors raised when a policy file (resolution, SLA, follow-up delays) cannot be used."""

from __future__ import annotations


class PolicyFileError(ValueError):
    """A policy file is missing, unreadable or breaks a rule; the message names the file and the field."""


class PolicyError(PolicyFileError):
    """The resolution policy file is missing, unreadable or breaks a rule; the message names the problem."""


class SlaRulesError(PolicyFileError):
    """The SLA rules file is missing a priority or holds a bad number, or a priority has no rule."""


class FollowUpDelaysError(PolicyFileError):
    """The follow-up delays file names an unknown resolution type or holds a bad number of days."""


class ReturnsPolicyError(PolicyFileError):
    """The returns policy file holds a bad number of days, an unknown payer of return postage or an unknown key."""
