"""The resolution policy engine (bot/policy) and its rules file (data/policy/resolution.yml)."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import yaml

from bot.policy import Option, PolicyError, Proposal, ResolutionPolicy, choose, load_policy
from bot.vocabulary import DEFECT_CATEGORIES, RESOLUTION_TYPES

POLICY_FILE = Path(__file__).resolve().parents[2] / "data" / "policy" / "resolution.yml"
TODAY = date(2025, 6, 30)

REJECT = ("refund", "replacement")
REPAIR_OR_REPLACE = ("repair", "replacement")
GOODWILL = ("repair", "investigation", "partial_refund", "store_credit")
BEYOND_GOODWILL = ("investigation", "store_credit")
FINAL_REJECT = ("refund", "partial_refund")


@pytest.fixture(scope="module")
def policy() -> ResolutionPolicy:
    return load_policy(POLICY_FILE)


@pytest.fixture(scope="module")
def raw_policy() -> dict[str, Any]:
    return yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))


def delivered(days_ago: Optional[int]) -> Optional[date]:
    return None if days_ago is None else TODAY - timedelta(days=days_ago)


# --------------------------------------------------------------------------------------------------
# Faults: every age boundary


@pytest.mark.parametrize(
    ("age", "product", "tier", "types"),
    [
        (0, "boots", "short_term_right_to_reject", REJECT),
        (30, "boots", "short_term_right_to_reject", REJECT),
        (31, "boots", "repair_or_replacement", REPAIR_OR_REPLACE),
        (180, "boots", "repair_or_replacement", REPAIR_OR_REPLACE),
        (181, "boots", "goodwill", GOODWILL),
        (365, "boots", "goodwill", GOODWILL),
        (366, "boots", "beyond_goodwill", BEYOND_GOODWILL),
        (366, "trainers", "beyond_goodwill", BEYOND_GOODWILL),
        (366, "", "beyond_goodwill", BEYOND_GOODWILL),  # unknown product -> footwear limits
        (0, "bags", "short_term_right_to_reject", REJECT),
        (31, "belts", "repair_or_replacement", REPAIR_OR_REPLACE),
        (181, "wallets", "goodwill", GOODWILL),
        (366, "bags", "goodwill", GOODWILL),
        (730, "belts", "goodwill", GOODWILL),
        (731, "wallets", "beyond_goodwill", BEYOND_GOODWILL),
        (3000, "boots", "beyond_goodwill", BEYOND_GOODWILL),
        (3000, "satchel", "beyond_goodwill", BEYOND_GOODWILL),
    ],
)
def test_fault_tiers_by_age_and_product_kind(
    policy: ResolutionPolicy, age: int, product: str, tier: str, types: tuple[str, ...]
) -> None:
    proposal = policy.propose("stitching", delivered(age), TODAY, product_category=product)
    assert proposal.tier == tier
    assert proposal.allowed_types == types
    assert proposal.age_days == age
    assert proposal.escalate is False


@pytest.mark.parametrize(
    "category",
    [
        "stitching",
        "sole_separation",
        "heel_detachment",
        "upper_damage",
        "leather_finish",
        "hardware",
        "lining_insole",
        "odour_or_stain",
        "other",
    ],
)
def test_every_fault_category_uses_the_cra_tiers(policy: ResolutionPolicy, category: str) -> None:
    assert policy.propose(category, delivered(30), TODAY, "boots").allowed_types == REJECT
    assert policy.propose(category, delivered(31), TODAY, "boots").allowed_types == REPAIR_OR_REPLACE


@pytest.mark.parametrize(
    ("age", "product", "tier", "types"),
    [
        (10, "boots", "short_term_right_to_reject", REJECT),  # already entitled to a refund
        (31, "boots", "final_right_to_reject", FINAL_REJECT),
        (180, "bags", "final_right_to_reject", FINAL_REJECT),
        (181, "boots", "final_right_to_reject_after_6_months", FINAL_REJECT),
        (900, "boots", "final_right_to_reject_after_6_months", FINAL_REJECT),
    ],
)
def test_failed_repair_or_replacement_gives_final_right_to_reject(
    policy: ResolutionPolicy, age: int, product: str, tier: str, types: tuple[str, ...]
) -> None:
    proposal = policy.propose("sole_separation", delivered(age), TODAY, product, remedy_failed=True)
    assert proposal.tier == tier
    assert proposal.allowed_types == types


def test_final_right_to_reject_mentions_deduction_only_after_six_months(policy: ResolutionPolicy) -> None:
    early = policy.propose("stitching", delivered(100), TODAY, "boots", remedy_failed=True).option("refund")
    late = policy.propose("stitching", delivered(200), TODAY, "boots", remedy_failed=True).option("refund")
    assert early is not None and late is not None
    assert "no deduction" in early.reason
    assert "deduction for use may apply" in late.reason


# --------------------------------------------------------------------------------------------------
# Customer-facing text


def test_reason_reads_like_the_brief(policy: ResolutionPolicy) -> None:
    proposal = policy.propose("stitching", delivered(12), TODAY, "boots")
    refund = proposal.option("refund")
    assert refund == Option(
        "refund",
        "Full refund",
        "Your boots were delivered 12 days ago, so under the Consumer Rights Act you can reject them"
        " for a full refund.",
    )


@pytest.mark.parametrize(
    ("age", "product", "fragment"),
    [
        (0, "boots", "Your boots were delivered today"),
        (1, "shoes", "Your shoes were delivered yesterday"),
        (12, "Ludlow bags", "Your bag was delivered 12 days ago"),
        (5, "card holder", "Your card holder was delivered 5 days ago"),
        (5, "leather goods", "Your item was delivered 5 days ago"),
        (5, "", "Your item was delivered 5 days ago"),
    ],
)
def test_reason_wording_follows_product(policy: ResolutionPolicy, age: int, product: str, fragment: str) -> None:
    proposal = policy.propose("stitching", delivered(age), TODAY, product)
    assert proposal.options[0].reason.startswith(fragment)


def test_goodwill_text_names_the_kinds_goodwill_age(policy: ResolutionPolicy) -> None:
    boots = policy.propose("stitching", delivered(200), TODAY, "boots")
    bag = policy.propose("stitching", delivered(200), TODAY, "bags")
    assert "12 months" in boots.explanation
    assert "24 months" in bag.explanation
    assert boots.option("store_credit") is not None
    assert boots.option("store_credit").label == "Goodwill store credit"  # type: ignore[union-attr]


@pytest.mark.parametrize("category", DEFECT_CATEGORIES)
@pytest.mark.parametrize("age", [None, 0, 1, 30, 31, 90, 91, 180, 181, 365, 366, 730, 731, 5000])
@pytest.mark.parametrize("product", ["boots", "bags", ""])
def test_every_combination_renders_clean_options(
    policy: ResolutionPolicy, category: str, age: Optional[int], product: str
) -> None:
    proposal = policy.propose(category, delivered(age), TODAY, product, expected_delivery=TODAY - timedelta(days=3))
    assert proposal.options
    assert len(set(proposal.allowed_types)) == len(proposal.allowed_types)
    assert set(proposal.allowed_types) <= set(RESOLUTION_TYPES)
    texts = (
        [proposal.explanation, proposal.tier]
        + [o.label for o in proposal.options]
        + [o.reason for o in proposal.options]
    )
    assert all(text and "{" not in text and "}" not in text for text in texts)


# --------------------------------------------------------------------------------------------------
# Product kinds


@pytest.mark.parametrize(
    ("category", "kind"),
    [
        ("boots", "footwear"),
        ("safety boots", "footwear"),
        ("Trainers", "footwear"),
        ("loafers", "footwear"),
        ("brogue", "footwear"),
        ("sandals", "footwear"),
        ("bags", "leather_goods"),
        ("Belts", "leather_goods"),
        ("wallets", "leather_goods"),
        ("purses", "leather_goods"),
        ("cardholders", "leather_goods"),
        ("card holders", "leather_goods"),
        ("Satchel", "leather_goods"),
        ("small leather goods", "leather_goods"),
        ("boot bag", "leather_goods"),  # the head noun comes last
        ("belted boots", "footwear"),
        ("garden gnome", "footwear"),  # unknown -> footwear
        ("", "footwear"),
    ],
)
def test_product_kind_from_category(policy: ResolutionPolicy, category: str, kind: str) -> None:
    assert policy.product_kind(category) == kind


# --------------------------------------------------------------------------------------------------
# Special categories


@pytest.mark.parametrize(
    ("category", "age", "tier", "types"),
    [
        ("wrong_item", 0, "wrong_item_within_30_days", ("exchange", "refund")),
        ("wrong_item", 30, "wrong_item_within_30_days", ("exchange", "refund")),
        ("wrong_item", 31, "wrong_item_after_30_days", ("exchange", "store_credit")),
        ("wrong_item", 900, "wrong_item_after_30_days", ("exchange", "store_credit")),
        ("damaged_in_transit", 0, "transit_damage_reported_in_time", ("replacement", "refund")),
        ("damaged_in_transit", 30, "transit_damage_reported_in_time", ("replacement", "refund")),
        ("damaged_in_transit", 31, "repair_or_replacement", REPAIR_OR_REPLACE),
        ("damaged_in_transit", 400, "beyond_goodwill", BEYOND_GOODWILL),
        ("sizing_fit", 0, "returns_window", ("exchange", "store_credit")),
        ("sizing_fit", 30, "returns_window", ("exchange", "store_credit")),
        ("sizing_fit", 31, "goodwill", ("store_credit", "none")),
        ("sizing_fit", 90, "goodwill", ("store_credit", "none")),
        ("sizing_fit", 91, "outside_returns_window", ("none",)),
        ("colour_mismatch", 0, "short_term_right_to_reject", REJECT),
        ("colour_mismatch", 30, "short_term_right_to_reject", REJECT),
        ("colour_mismatch", 31, "exchange", ("exchange",)),
        ("colour_mismatch", 181, "exchange_after_6_months", ("exchange",)),
    ],
)
def test_special_categories(
    policy: ResolutionPolicy, category: str, age: int, tier: str, types: tuple[str, ...]
) -> None:
    proposal = policy.propose(category, delivered(age), TODAY, "boots")
    assert (proposal.tier, proposal.allowed_types) == (tier, types)


def test_late_transit_damage_is_treated_as_a_fault_and_says_so(policy: ResolutionPolicy) -> None:
    proposal = policy.propose("damaged_in_transit", delivered(45), TODAY, "bags")
    assert "more than 30 days after delivery" in proposal.explanation


def test_sizing_reasons_say_unworn(policy: ResolutionPolicy) -> None:
    proposal = policy.propose("sizing_fit", delivered(3), TODAY, "trainers")
    assert all("unworn" in option.reason for option in proposal.options)


def test_colour_mismatch_after_failed_exchange_allows_refund(policy: ResolutionPolicy) -> None:
    proposal = policy.propose("colour_mismatch", delivered(40), TODAY, "bags", remedy_failed=True)
    assert proposal.allowed_types == FINAL_REJECT


@pytest.mark.parametrize(
    ("delivered_days_ago", "expected_offset", "tier", "types"),
    [
        # expected_offset: days from TODAY to the agreed delivery date (negative = in the past)
        (None, 2, "not_yet_due", ("investigation", "none")),
        (None, 0, "not_yet_due", ("investigation", "none")),
        (None, -1, "late_not_arrived", ("partial_refund", "store_credit")),
        (None, -29, "late_not_arrived", ("partial_refund", "store_credit")),
        (None, -30, "late_cancel_for_refund", ("refund", "partial_refund")),
        (None, -60, "late_cancel_for_refund", ("refund", "partial_refund")),
        (2, -5, "arrived_late", ("partial_refund", "store_credit")),
        (2, -40, "arrived_late", ("partial_refund", "store_credit")),  # arrived 38 days late
        (5, -5, "arrived_on_time", ("none", "investigation")),
        (6, -5, "arrived_on_time", ("none", "investigation")),
    ],
)
def test_late_delivery(
    policy: ResolutionPolicy,
    delivered_days_ago: Optional[int],
    expected_offset: int,
    tier: str,
    types: tuple[str, ...],
) -> None:
    proposal = policy.propose(
        "late_delivery", delivered(delivered_days_ago), TODAY, expected_delivery=TODAY + timedelta(days=expected_offset)
    )
    assert (proposal.tier, proposal.allowed_types) == (tier, types)


def test_late_delivery_labels_and_wording(policy: ResolutionPolicy) -> None:
    late = policy.propose("late_delivery", None, TODAY, expected_delivery=TODAY - timedelta(days=1))
    very_late = policy.propose("late_delivery", None, TODAY, expected_delivery=TODAY - timedelta(days=31))
    assert late.option("partial_refund") == Option(
        "partial_refund", "Refund of delivery charge", "Your order is 1 day late, so we'll refund the delivery charge."
    )
    assert very_late.option("refund").label == "Cancel for a full refund"  # type: ignore[union-attr]
    assert "31 days" in very_late.explanation


def test_late_delivery_without_agreed_date_checks_first(policy: ResolutionPolicy) -> None:
    proposal = policy.propose("late_delivery", None, TODAY)
    assert proposal.tier == "delivery_dates_unknown"
    assert proposal.allowed_types == ("investigation",)


# --------------------------------------------------------------------------------------------------
# Unknown delivery date, safety, bad input


@pytest.mark.parametrize(
    ("category", "types"),
    [
        ("stitching", ("repair", "replacement", "investigation")),
        ("heel_detachment", ("repair", "replacement", "investigation")),
        ("wrong_item", ("exchange", "store_credit")),
        ("damaged_in_transit", ("replacement", "investigation")),
        ("sizing_fit", ("exchange", "store_credit")),
        ("colour_mismatch", ("exchange", "replacement")),
    ],
)
def test_unknown_delivery_date_is_conservative_and_says_date_is_checked(
    policy: ResolutionPolicy, category: str, types: tuple[str, ...]
) -> None:
    proposal = policy.propose(category, None, TODAY, "boots")
    assert proposal.tier == "delivery_date_unknown"
    assert proposal.age_days is None
    assert proposal.allowed_types == types
    assert "refund" not in proposal.allowed_types
    assert "check" in proposal.explanation


@pytest.mark.parametrize(
    ("category", "age"),
    [
        ("heel_detachment", 10),
        ("sole_separation", 200),
        ("hardware", 900),
        ("stitching", None),
        ("late_delivery", None),
    ],
)
def test_safety_issue_escalates_but_keeps_options(policy: ResolutionPolicy, category: str, age: Optional[int]) -> None:
    plain = policy.propose(category, delivered(age), TODAY, "boots")
    safety = policy.propose(category, delivered(age), TODAY, "boots", safety_issue=True)
    assert safety.escalate is True and plain.escalate is False
    assert safety.options == plain.options
    assert safety.tier == plain.tier
    assert safety.explanation.startswith("Because this may be a safety issue, a member of our team")
    assert "confirm" in safety.explanation


def test_unknown_defect_category_is_refused(policy: ResolutionPolicy) -> None:
    with pytest.raises(ValueError, match="unknown defect category 'scuffed'"):
        policy.propose("scuffed", delivered(3), TODAY)


def test_delivery_in_the_future_is_refused(policy: ResolutionPolicy) -> None:
    with pytest.raises(ValueError, match="after today"):
        policy.propose("stitching", TODAY + timedelta(days=1), TODAY)


def test_option_refuses_unknown_type() -> None:
    with pytest.raises(ValueError, match="unknown resolution type 'cash'"):
        Option("cash", "Cash", "Cash in hand.")


def test_proposal_helpers(policy: ResolutionPolicy) -> None:
    proposal = policy.propose("stitching", delivered(12), TODAY, "boots")
    assert proposal.allowed_types == ("refund", "replacement")
    assert proposal.option("replacement") is proposal.options[1]
    assert proposal.option("repair") is None
    data = proposal.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["tier"] == "short_term_right_to_reject"
    assert data["age_days"] == 12
    assert data["escalate"] is False
    assert data["allowed_types"] == ["refund", "replacement"]
    assert data["options"][0] == {"type": "refund", "label": "Full refund", "reason": proposal.options[0].reason}


# --------------------------------------------------------------------------------------------------
# Free-text choices


@pytest.fixture(scope="module")
def proposals(policy: ResolutionPolicy) -> dict[str, Proposal]:
    return {
        "reject": policy.propose("stitching", delivered(12), TODAY, "boots"),
        "repair": policy.propose("stitching", delivered(100), TODAY, "boots"),
        "goodwill": policy.propose("stitching", delivered(200), TODAY, "boots"),
        "sizing": policy.propose("sizing_fit", delivered(5), TODAY, "boots"),
        "very_late": policy.propose("late_delivery", None, TODAY, expected_delivery=TODAY - timedelta(days=40)),
        "only_inspection": policy.propose("late_delivery", None, TODAY),
    }


@pytest.mark.parametrize(
    ("which", "text", "expected"),
    [
        # refunds
        ("reject", "I'd like my money back", "refund"),
        ("reject", "Refund please!", "refund"),
        ("reject", "refund it to my credit card please", "refund"),
        ("reject", "I want to return them", "refund"),
        ("very_late", "just cancel the order", "refund"),
        # replacements
        ("reject", "can you send a new pair", "replacement"),
        ("reject", "I don't want a refund, just send a new pair", "replacement"),
        ("repair", "a replacement would be great", "replacement"),
        # repairs
        ("repair", "fix them", "repair"),
        ("repair", "could you mend the stitching", "repair"),
        ("repair", "I wouldn't mind a repair", "repair"),
        ("repair", "no thanks, just fix them", "repair"),
        ("repair", "repair please, not a replacement", "repair"),
        # exchanges
        ("sizing", "swap for a different size", "exchange"),
        ("sizing", "a new pair in a bigger size please", "exchange"),
        ("sizing", "exchange", "exchange"),
        # store credit
        ("goodwill", "a voucher is fine", "store_credit"),
        ("goodwill", "credit", "store_credit"),
        ("sizing", "store credit", "store_credit"),
        # partial refunds
        ("goodwill", "partial", "partial_refund"),
        ("goodwill", "I'd take some money back", "partial_refund"),
        ("goodwill", "a partial refund please", "partial_refund"),
        ("very_late", "keep waiting but refund the delivery charge", "partial_refund"),
        # inspection
        ("goodwill", "can you look into it", "investigation"),
        ("goodwill", "please inspect them", "investigation"),
        ("goodwill", "could someone have a look at them", "investigation"),
        # exact type strings, labels, positions
        ("goodwill", "store_credit", "store_credit"),
        ("goodwill", "partial_refund", "partial_refund"),
        ("goodwill", "Goodwill partial refund", "partial_refund"),
        ("goodwill", "Inspection by our team", "investigation"),
        ("very_late", "Keep waiting, refund delivery", "partial_refund"),
        ("reject", "2", "replacement"),
        ("reject", "the first one", "refund"),
        ("only_inspection", "yes please", "investigation"),
        # not offered
        ("repair", "I'd like my money back", None),
        ("reject", "fix them", None),
        ("reject", "voucher please", None),
        ("sizing", "refund", None),
        ("sizing", "some money back", None),
        ("repair", "swap for a different size", None),
        ("reject", "3", None),
        # ambiguous or not understood
        ("reject", "refund or replacement, whichever", None),
        ("reject", "what is the weather like", None),
        ("reject", "", None),
        ("reject", "yes please", None),  # two options: "yes" does not say which
    ],
)
def test_choose(proposals: dict[str, Proposal], which: str, text: str, expected: Optional[str]) -> None:
    option = choose(proposals[which], text)
    assert (option.type if option else None) == expected


def test_choose_returns_the_offered_option_itself(proposals: dict[str, Proposal]) -> None:
    proposal = proposals["reject"]
    assert choose(proposal, "refund") is proposal.option("refund")


# --------------------------------------------------------------------------------------------------
# Bad policy files


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _add_word_to_both_kinds(data: dict[str, Any]) -> None:
    data["product_kinds"]["footwear"].append("bag")


def _duplicate_option(data: dict[str, Any]) -> None:
    options = data["schedules"]["fault"]["tiers"][0]["options"]
    options.append(dict(options[0]))


def _swap_tiers(data: dict[str, Any]) -> None:
    tiers = data["schedules"]["fault"]["tiers"]
    tiers[0], tiers[1] = tiers[1], tiers[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set(("schedules", "fault", "tiers", 0, "options", 0, "type"), "cash"), r"unknown resolution type 'cash'"),
        (_set(("categories", "scuffs"), "fault"), r"categories: unknown defect category 'scuffs'"),
        (_delete(("categories", "stitching")), r"defect category 'stitching' has no schedule"),
        (_delete(("schedules", "fault", "tiers")), r"schedules\.fault: missing tiers"),
        (_set(("schedules", "fault", "tiers"), []), r"schedules\.fault: missing tiers"),
        (_delete(("schedules", "wrong_item", "unknown_delivery")), r"wrong_item: missing the unknown_delivery tier"),
        (_delete(("schedules", "late_delivery", "situations", "very_late")), r"missing the 'very_late' tier"),
        (_set(("schedules", "fault", "tiers", 0, "up_to_day"), -1), r"tiers\[0\]\.up_to_day must not be negative"),
        (_set(("goodwill_age_days", "leather_goods"), -730), r"goodwill_age_days\.leather_goods must not be negative"),
        (
            _set(("schedules", "late_delivery", "cancel_from_days_late"), -5),
            r"cancel_from_days_late must not be negative",
        ),
        (_set(("schedules", "fault", "tiers", 0, "up_to_day"), "thirty"), r"must be a whole number of days"),
        (_swap_tiers, r"must be greater than the previous tier's"),
        (_set(("schedules", "wrong_item", "tiers", 1, "up_to_day"), 400), r"must leave out up_to_day"),
        (_set(("schedules", "fault", "tiers", 0, "explanation"), "Hi {colour}"), r"unknown placeholder \{colour\}"),
        (_set(("schedules", "fault", "unknown_delivery", "explanation"), "{age}"), r"unknown placeholder \{age\}"),
        (_delete(("labels", "exchange")), r"no label for resolution type 'exchange'"),
        (_set(("labels", "cash"), "Cash"), r"labels: unknown resolution type 'cash'"),
        (_set(("categories", "wrong_item"), "nowhere"), r"no schedule named 'nowhere'"),
        (_add_word_to_both_kinds, r"'bag' is listed for both footwear and leather_goods"),
        (_set(("schedules", "fault", "tiers", 1, "up_to_days"), 180), r"unknown key 'up_to_days'"),
        (_duplicate_option, r"resolution type 'refund' is offered twice"),
        (_set(("product_kinds", "default"), "hats"), r"unknown product kind 'hats'"),
        (_set(("schedules", "fault", "basis"), "vibes"), r"basis must be 'delivery_age' or 'lateness'"),
        (_set(("version",), 2), r"version must be 1"),
        (_delete(("safety",)), r"missing 'safety'"),
    ],
)
def test_bad_policy_file_raises_clear_error(
    tmp_path: Path, raw_policy: dict[str, Any], change: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = copy.deepcopy(raw_policy)
    change(data)
    path = tmp_path / "resolution.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(PolicyError, match=message) as caught:
        load_policy(path)
    assert str(path) in str(caught.value)


def test_unchanged_copy_of_policy_loads(tmp_path: Path, raw_policy: dict[str, Any]) -> None:
    path = tmp_path / "resolution.yml"
    path.write_text(yaml.safe_dump(raw_policy), encoding="utf-8")
    assert load_policy(path).goodwill_age_days == {"footwear": 365, "leather_goods": 730}


def test_invalid_yaml_raises_policy_error(tmp_path: Path) -> None:
    path = tmp_path / "resolution.yml"
    path.write_text("labels: [refund\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(path)


@pytest.mark.parametrize("content", ["", "- just\n- a list\n"])
def test_policy_file_must_be_a_mapping(tmp_path: Path, content: str) -> None:
    path = tmp_path / "resolution.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PolicyError, match="the policy file must be a mapping"):
        load_policy(path)


def test_missing_policy_file_raises_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "nope.yml")


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)
