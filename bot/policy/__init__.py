"""Policy: the rules files in data/policy/, loaded and checked by one loader, and the engines that use them.

- :mod:`bot.policy.loader`: reads every policy file through its pydantic models (cached until it changes).
- :mod:`bot.policy.rules` / :mod:`bot.policy.engine`: the resolution policy (Consumer Rights Act tiers) and
  the options it proposes; :mod:`bot.policy.choice` maps a customer's reply to one of them.
- :mod:`bot.policy.sla` and :mod:`bot.policy.followups`: service levels by priority, follow-up delays.
- :mod:`bot.policy.returns`: change-of-mind returns (Consumer Contracts Regulations 2013 cancellation period,
  refund timing, return postage, the shop's own returns policy).
"""

from bot.policy.choice import choose
from bot.policy.engine import ResolutionPolicy
from bot.policy.errors import FollowUpDelaysError, PolicyError, PolicyFileError, ReturnsPolicyError, SlaRulesError
from bot.policy.followups import FollowUpDelays
from bot.policy.loader import (
    load_followup_delays,
    load_policy,
    load_returns_policy,
    load_sla_rules,
    policy_from_mapping,
)
from bot.policy.proposal import PRODUCT_KINDS, Option, Product, Proposal
from bot.policy.returns import ReturnsPolicy, ReturnWindow
from bot.policy.sla import SlaRules, SlaTarget

__all__ = [
    "PRODUCT_KINDS",
    "FollowUpDelays",
    "FollowUpDelaysError",
    "Option",
    "PolicyError",
    "PolicyFileError",
    "Product",
    "Proposal",
    "ResolutionPolicy",
    "ReturnWindow",
    "ReturnsPolicy",
    "ReturnsPolicyError",
    "SlaRules",
    "SlaRulesError",
    "SlaTarget",
    "choose",
    "load_followup_delays",
    "load_policy",
    "load_returns_policy",
    "load_sla_rules",
    "policy_from_mapping",
]
