"""Block Kit for the triage app: case cards, modals, lists and the App Home.

Every piece of text that came from a customer goes through :func:`neutralise`.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from bot.cases.status import OPEN_STATUSES
from bot.patterns import PHONE
from bot.vocabulary import PRIORITIES, RESOLUTION_TYPES, ROOT_CAUSE_CATEGORIES
from integrations.slack.case_kinds import KIND_ICONS, KIND_LABELS, case_kind, staff_task
from integrations.slack.markup import escape_slack, neutralise

ACTION_ASSIGN = "case_assign_me"
ACTION_PRIORITY = "case_set_priority"
ACTION_ESCALATE = "case_escalate"
ACTION_NOTE = "case_add_note"
ACTION_RESOLVE = "case_resolve"
ACTION_REOPEN = "case_reopen"
ACTION_TAKEOVER = "case_take_over"
ACTION_HANDBACK = "case_hand_back"
CARD_ACTIONS = (
    ACTION_ASSIGN,
    ACTION_PRIORITY,
    ACTION_ESCALATE,
    ACTION_NOTE,
    ACTION_RESOLVE,
    ACTION_REOPEN,
    ACTION_TAKEOVER,
    ACTION_HANDBACK,
)
TAKEOVER_STARTED = "takeover_started"
TAKEOVER_ENDED = "takeover_ended"

VIEW_ESCALATE = "case_escalate_modal"
VIEW_NOTE = "case_note_modal"
VIEW_RESOLVE = "case_resolve_modal"

ESCALATION_TARGETS = {"supervisor": "Supervisor", "quality": "Quality channel"}
WHY_COUNT = 5
_PRIORITY_ICON = {"urgent": ":red_circle:", "high": ":large_orange_circle:", "normal": ":large_blue_circle:"}


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:75] or " ", "emoji": True}


def _option(value: str, label: Optional[str] = None) -> dict[str, Any]:
    return {"text": _text(label or value.replace("_", " ")), "value": value}


def _when(iso: Optional[str]) -> str:
    """An ISO time shown as Slack's local-time date token, with a plain fallback."""
    if not iso:
        return "-"
    import datetime as dt

    stamp = int(dt.datetime.fromisoformat(iso).timestamp())
    fallback = iso[:16].replace("T", " ") + " UTC"
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>"


PHONE_ON_CASE_PAGE = "[phone number: see the case page]"


def without_phones(text: str) -> str:
    """``text`` with phone numbers replaced: a number stays on the case page, never on a card."""
    return PHONE.sub(PHONE_ON_CASE_PAGE, text)


def transcript_excerpt(transcript: list[dict[str, Any]], lines: int = 4, width: int = 200) -> str:
    """The customer's first few lines, phone numbers left out, neutralised, as a quote."""
    said = [t for t in transcript if t.get("speaker") == "customer" and (t.get("text") or "").strip()]
    parts = []
    for turn in said[:lines]:
        text = without_phones(str(turn["text"]).strip().replace("\n", " "))
        if len(text) > width:
            text = text[: width - 1] + "\u2026"
        parts.append("> " + neutralise(text))
    return "\n".join(parts)


def card_summary(case: dict[str, Any]) -> str:
    """One line: reference, priority, customer and defect or kind (used as the notification text)."""
    customer = neutralise(case["customer"].get("name") or "unknown customer", 80)
    kind = case_kind(case)
    if kind != "complaint":
        return f"New {KIND_LABELS.get(kind, kind)} {case['reference']} ({case['priority']}) - {customer}"
    defect = (case.get("defect_category") or "other").replace("_", " ")
    return f"New case {case['reference']} ({case['priority']}): {defect} - {customer}"


def _status_line(case: dict[str, Any]) -> str:
    """Reference, priority and status, with flags for safety, SLA breach and takeover."""
    icon = _PRIORITY_ICON.get(case["priority"], ":white_circle:")
    kind = case_kind(case)
    line = f"*{escape_slack(case['reference'])}*  {icon} *{case['priority']}*  ·  status *{case['status']}*"
    line += f"  ·  {KIND_ICONS.get(kind, '')}{' ' if kind in KIND_ICONS else ''}*{KIND_LABELS.get(kind, kind)}*"
    if case.get("safety_issue"):
        line += "  ·  :warning: *possible safety issue*"
    if (case.get("sla") or {}).get("breached"):
        line += "  ·  :rotating_light: *SLA breached*"
    holder = case.get("taken_over_by")
    if holder:
        who = f"<@{holder.split(':', 1)[1]}>" if holder.startswith("slack:") else neutralise(holder, 80)
        line += f"  ·  :raising_hand: taken over by {who}"
    return line


def _defect_field(case: dict[str, Any]) -> str:
    """The card field naming the fault (a complaint) or the request (other kinds)."""
    kind = case_kind(case)
    if kind != "complaint":
        return f"*Request*\n{KIND_LABELS.get(kind, kind)}"
    defect = (case.get("defect_category") or "other").replace("_", " ")
    if case.get("component"):
        defect += f" - {neutralise(case['component'], 40)}"
    return f"*Defect*\n{defect}"


def case_card(case: dict[str, Any], transcript: Optional[list[dict[str, Any]]] = None) -> list[dict[str, Any]]:
    """The card posted to the triage channel for a case, with its buttons."""
    ref = case["reference"]
    product = case.get("product") or {}
    product_text = neutralise(product.get("name") or product.get("sku") or "not given", 150)
    if product.get("line"):
        product_text += f" ({neutralise(product['line'], 60)})"
    defect = _defect_field(case)
    customer = neutralise(case["customer"].get("name") or "unknown", 100)
    if case["customer"].get("email"):
        customer += f" ({neutralise(case['customer']['email'], 120)})"
    sla = case.get("sla") or {}
    assignee = case.get("assignee")
    assignee_text = (
        f"<@{assignee.split(':', 1)[1]}>"
        if assignee and assignee.startswith("slack:")
        else (neutralise(assignee, 80) if assignee else "nobody yet")
    )
    status_line = _status_line(case)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _text(f"Case {ref}")},
        {"type": "section", "text": {"type": "mrkdwn", "text": status_line}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Customer*\n{customer}"},
                {"type": "mrkdwn", "text": f"*Product*\n{product_text}"},
                {"type": "mrkdwn", "text": defect},
                {"type": "mrkdwn", "text": f"*Order*\n{neutralise(case.get('order_number') or '-', 80)}"},
                {"type": "mrkdwn", "text": f"*First response due*\n{_when(sla.get('first_response_due'))}"},
                {"type": "mrkdwn", "text": f"*Resolution due*\n{_when(sla.get('resolution_due'))}"},
                {"type": "mrkdwn", "text": f"*Assignee*\n{assignee_text}"},
                {"type": "mrkdwn", "text": f"*Channel*\n{neutralise(case.get('channel') or '-', 40)}"},
            ],
        },
    ]
    task = staff_task(case)
    if task:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": task}})
    excerpt = transcript_excerpt(transcript or [])
    if not excerpt and case.get("description"):
        excerpt = "> " + neutralise(without_phones(str(case["description"]).replace("\n", " ")), 400)
    if excerpt:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": excerpt}})
    if case.get("resolution", {}).get("type") and case["status"] in ("resolved", "closed"):
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"Resolved: *{case['resolution']['type']}*"}],
            }
        )
    blocks.append({"type": "actions", "block_id": f"case_actions:{ref}", "elements": card_buttons(case)})
    return blocks


def card_buttons(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Buttons that make sense for the case's status."""
    ref = case["reference"]
    is_open = case["status"] in {s.value for s in OPEN_STATUSES}
    if not is_open:
        return [{"type": "button", "action_id": ACTION_REOPEN, "text": _text("Reopen"), "value": ref}]
    current = case["priority"]
    priority_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": ACTION_PRIORITY,
        "placeholder": _text("Set priority"),
        "options": [_option(f"{ref}|{p}", p) for p in PRIORITIES],
    }
    if current in PRIORITIES:
        priority_select["initial_option"] = _option(f"{ref}|{current}", current)
    buttons = [
        {"type": "button", "action_id": ACTION_ASSIGN, "text": _text("Assign to me"), "value": ref},
        priority_select,
        {"type": "button", "action_id": ACTION_ESCALATE, "text": _text("Escalate"), "value": ref, "style": "danger"},
        {"type": "button", "action_id": ACTION_NOTE, "text": _text("Add note"), "value": ref},
        {"type": "button", "action_id": ACTION_RESOLVE, "text": _text("Resolve"), "value": ref, "style": "primary"},
    ]
    if case.get("conversation_id"):
        if case.get("taken_over_by"):
            buttons.append({"type": "button", "action_id": ACTION_HANDBACK, "text": _text("Hand back"), "value": ref})
        else:
            buttons.append({"type": "button", "action_id": ACTION_TAKEOVER, "text": _text("Take over"), "value": ref})
    return buttons


def _metadata(ref: str, channel: str = "", ts: str = "") -> str:
    return json.dumps({"reference": ref, "channel": channel, "ts": ts})


def read_metadata(private_metadata: str) -> dict[str, str]:
    """The case reference (and card location) a modal was opened for."""
    data = json.loads(private_metadata or "{}")
    if not isinstance(data, dict) or not data.get("reference"):
        raise ValueError("the form does not say which case it is for")
    return {k: str(v) for k, v in data.items()}


def opened_from(view: dict[str, Any], channel: str, ts: str = "") -> dict[str, Any]:
    """The modal ``view`` remembering the card's channel and message ts (where to answer its submission)."""
    meta = read_metadata(view.get("private_metadata", ""))
    return {**view, "private_metadata": _metadata(meta["reference"], channel, ts)}


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": _text(label), "element": element, "optional": optional}


def _textarea(action_id: str, max_length: int = 2000) -> dict[str, Any]:
    return {"type": "plain_text_input", "action_id": action_id, "multiline": True, "max_length": max_length}


def _modal(callback_id: str, title: str, submit: str, ref: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _text(title[:24]),
        "submit": _text(submit),
        "close": _text("Cancel"),
        "private_metadata": _metadata(ref),
        "blocks": blocks,
    }


def escalate_modal(ref: str) -> dict[str, Any]:
    """Escalate to a supervisor or the quality channel, with a reason."""
    return _modal(
        VIEW_ESCALATE,
        f"Escalate {ref}"[:24],
        "Escalate",
        ref,
        [
            _input(
                "target",
                "Escalate to",
                {
                    "type": "static_select",
                    "action_id": "value",
                    "options": [_option(k, v) for k, v in ESCALATION_TARGETS.items()],
                },
            ),
            _input("reason", "Reason", _textarea("value", 1000)),
        ],
    )


def note_modal(ref: str) -> dict[str, Any]:
    """Add a staff note."""
    return _modal(VIEW_NOTE, "Add a note", "Add note", ref, [_input("note", "Note", _textarea("value"))])


def resolve_modal(ref: str) -> dict[str, Any]:
    """Resolution type, root cause category, 5 Whys and notes."""
    blocks = [
        _input(
            "resolution",
            "Resolution",
            {"type": "static_select", "action_id": "value", "options": [_option(t) for t in RESOLUTION_TYPES]},
        ),
        _input(
            "root_cause_category",
            "Root cause category",
            {"type": "static_select", "action_id": "value", "options": [_option(c) for c in ROOT_CAUSE_CATEGORIES]},
            optional=True,
        ),
    ]
    for n in range(1, WHY_COUNT + 1):
        blocks.append(
            _input(f"why_{n}", f"Why {n}?", {"type": "plain_text_input", "action_id": "value", "max_length": 500}, True)
        )
    blocks.append(_input("note", "Notes", _textarea("value"), optional=True))
    return _modal(VIEW_RESOLVE, "Resolve case", "Resolve", ref, blocks)


def view_values(state: dict[str, Any]) -> dict[str, str]:
    """Flatten a view submission's ``state.values`` to ``{block_id: value}``."""
    result: dict[str, str] = {}
    for block_id, actions in (state.get("values") or {}).items():
        for element in actions.values():
            selected = element.get("selected_option")
            value = selected.get("value") if selected else element.get("value")
            if value is not None:
                result[block_id] = str(value)
    return result


def root_cause_text(values: dict[str, str]) -> Optional[str]:
    """The 5 Whys as one numbered text (None when none were given)."""
    whys = [values.get(f"why_{n}", "").strip() for n in range(1, WHY_COUNT + 1)]
    lines = [f"Why {n}: {w}" for n, w in enumerate(whys, start=1) if w]
    return "\n".join(lines) or None


def case_list_blocks(title: str, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A compact list of cases (slash command answers, App Home)."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape_slack(title)}*"}}]
    if not cases:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "No cases."}]})
    for case in cases[:40]:
        flag = " :rotating_light:" if case["sla"].get("breached") else ""
        defect = (case.get("defect_category") or "other").replace("_", " ")
        if case_kind(case) != "complaint":
            defect = KIND_LABELS.get(case_kind(case), case_kind(case))
        customer = neutralise(case["customer"].get("name") or "unknown", 60)
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{case['reference']}* · {case['priority']} · {case['status']} · {defect} · "
                    f"{customer} · due {_when(case['sla'].get('resolution_due'))}{flag}",
                },
            }
        )
    return blocks


def home_view(mine: list[dict[str, Any]], breached: list[dict[str, Any]]) -> dict[str, Any]:
    """The App Home tab: my cases and SLA breaches."""
    blocks = case_list_blocks(f"Assigned to you ({len(mine)})", mine)
    blocks.append({"type": "divider"})
    blocks.extend(case_list_blocks(f"SLA breached ({len(breached)})", breached))
    return {"type": "home", "blocks": blocks}


def alert_text(alert: dict[str, Any]) -> str:
    """An SLA warning/breach alert line."""
    target = str(alert.get("target", "resolution")).replace("_", " ")
    case = f"{alert['reference']} ({alert.get('priority')}) {target}"
    if alert["kind"] == "sla_breached":
        return f":rotating_light: SLA breached: {case} was due {_when(alert.get('due'))}"
    return f":hourglass_flowing_sand: SLA about to breach: {case} due {_when(alert.get('due'))}"


def spike_text(spike: dict[str, Any]) -> str:
    """A recurring-problem alert line."""
    dim = "product line" if spike["dimension"] == "product_line" else "batch"
    defect = str(spike["defect_category"]).replace("_", " ")
    refs = ", ".join(spike.get("references", [])[:10])
    return (
        f":chart_with_upwards_trend: Recurring problem: *{defect}* on {dim} *{neutralise(spike['value'], 80)}* - "
        f"{spike['count']} cases in {spike['window_days']} days (expected {spike['expected']}). Cases: {refs}"
    )
