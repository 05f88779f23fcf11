"""Resolution policy: which resolutions the assistant may offer, from rules in data/policy/resolution.yml."""

from bot.policy.resolution import (
    PRODUCT_KINDS,
    Option,
    PolicyError,
    Product,
    Proposal,
    ResolutionPolicy,
    choose,
    load_policy,
    policy_from_mapping,
)

__all__ = [
    "PRODUCT_KINDS",
    "Option",
    "PolicyError",
    "Product",
    "Proposal",
    "ResolutionPolicy",
    "choose",
    "load_policy",
    "policy_from_mapping",
]
