"""One home for the text patterns several parts of the assistant share.

E-mail addresses, phone numbers, case references, yes / no answers and negation are recognised in
the conversation, masked in logs, redacted in exports and validated on import. Each rule lives here
once, so a fix reaches every place that uses it.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

# An e-mail address inside free text: local part (letters, digits, ``._%+'-``), a domain of labels and
# a top-level domain of two or more letters. Not preceded by a character that would make it part of a
# longer token.
EMAIL = re.compile(r"(?<![\w.+'%-])[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# +44 7700 900123, +44 (0)20 7946 0958, 07700 900123, (020) 7946 0958, 0161-496-0000, +1 415 555 2671:
# a number written the way phone numbers are (starting with +, 0 or a bracketed area code), 9 or more digits
# with single space or hyphen separators, not part of a longer word, decimal number or date.
PHONE = re.compile(
    r"(?<![\w.:/+-])(?:\+\d{1,3}[ -]?(?:\(0\)[ -]?)?\(?\d{1,5}\)?|\(0\d{2,5}\)|0\d{1,5})[ -]?\d{3,4}[ -]?\d{3,4}"
    r"(?![\w/:-]|\.\d)"
)

# A case reference as we issue it (``CS-2026-000123``) ...
CASE_REFERENCE = re.compile(r"\bCS-\d{4}-\d{6}\b", re.IGNORECASE)
# ... and as customers type it (``cs 2026 000123``, ``CS2026-000123``): groups are year and number.
CASE_REFERENCE_LOOSE = re.compile(r"(?<![A-Za-z0-9])CS[-\s_]?(\d{4})[-\s_]?(\d{6})(?!\d)", re.IGNORECASE)
# ... or only its start ("my case CS-2026..."): enough to tell that the customer asks about a case.
CASE_REFERENCE_START = re.compile(r"\bCS[-\s_]?\d{4}", re.IGNORECASE)

_AFFIRM_WORDS = (
    "y", "yes", "yeah", "yep", "yup", "yes please", "correct", "right", "that'?s right", "ok", "okay", "sure",
    "please do", "go ahead",
)  # fmt: skip
_DENY_WORDS = ("n", "no", "nope", "nah", "not really", "that'?s wrong", "wrong", "incorrect")

# Words that turn what follows into its opposite ("not", "never", "don't", "no one").
NEGATION_WORDS: frozenset[str] = frozenset(
    {"not", "no", "never", "nothing", "nobody", "none", "without", "don't", "dont", "didn't", "didnt", "isn't",
     "isnt", "wasn't", "wasnt", "won't", "wont", "can't", "cant", "cannot", "nor"}
)  # fmt: skip
# A negation closing the text so far ("... luckily no one got", "... not the"): used to read the word after it.
NEGATED_BEFORE = re.compile(
    r"(?:\bnot|n't|\bno|\bnever|\bnobody|\bno\s+one|\bwithout|\bnone|\bluckily\s+not|\bthankfully\s+not)"
    r"\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def starts_with_any(words: Iterable[str], tail: str = "") -> re.Pattern[str]:
    """A pattern matching text that opens with one of ``words`` (regex fragments), plus optional ``tail``."""
    return re.compile(r"^\s*(?:" + "|".join(words) + r")\b" + tail, re.IGNORECASE)


YES = starts_with_any(_AFFIRM_WORDS)
NO = starts_with_any(_DENY_WORDS)


def find_email(text: str) -> Optional[str]:
    """The first e-mail address in ``text`` (a closing full stop dropped), or None."""
    match = EMAIL.search(text or "")
    return match.group().rstrip(".") if match else None


def is_email(value: str) -> bool:
    """True when ``value`` (trimmed) is one e-mail address and nothing else."""
    return EMAIL.fullmatch((value or "").strip()) is not None


def find_phone(text: str) -> Optional[str]:
    """The first phone number in ``text`` as written, or None."""
    match = PHONE.search(text or "")
    return match.group() if match else None


def same_phone(phone: str) -> Optional[re.Pattern[str]]:
    """``phone``'s last 10 digits typed with any spacing, with or without a country or trunk prefix; None under 7."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return None
    spaced = r"[\s().-]*".join(re.escape(d) for d in digits[-10:])
    return re.compile(r"(?:\+\d{1,3}[\s().-]*|0)?" + spaced)


def find_case_reference(text: str) -> Optional[str]:
    """The first case reference in ``text``, however it was typed, as ``CS-YYYY-NNNNNN``; else None."""
    match = CASE_REFERENCE_LOOSE.search(text or "")
    return f"CS-{match.group(1)}-{match.group(2)}".upper() if match else None


def is_yes(text: str) -> bool:
    """True when ``text`` opens with a plain yes ("yes", "yep", "that's right", "go ahead")."""
    return YES.search(text or "") is not None


def is_no(text: str) -> bool:
    """True when ``text`` opens with a plain no ("no", "nope", "that's wrong")."""
    return NO.search(text or "") is not None


def negated(text_before: str) -> bool:
    """True when ``text_before`` ends in a negation that applies to the next word or two."""
    return NEGATED_BEFORE.search(text_before or "") is not None


# Negation as a reply choosing between offered options reads it ("I don't want a refund", "rather than a
# repair", "no refund"). Narrower than NEGATION_WORDS on purpose: "nothing" and "none" are choices in
# themselves ("nothing, thanks"), and a bare "no" negates only the next word or two ("no refund", but not
# "no thanks, fix them").
CHOICE_NEGATORS = re.compile(
    r"\b(not|never|without|cannot|nor|rather than|instead of|other than|\w+n't|dont|wont|cant)\b"
)
CHOICE_NO_BEFORE = re.compile(r"\bno\s+(\w+\s+)?$")
# "I wouldn't mind a repair", "don't object to store credit": a negation that means yes.
NOT_MINDING = re.compile(r"\b(wouldn't|would not|don't|do not|i'd not|not) (mind|object to)\b")


def negates_choice(clause: str) -> bool:
    """True when the end of ``clause`` (lower case) turns down the option named after it.

    A negator among its last four words counts ("I don't really want a"), and so does "no" right
    before ("no refund", "no new pair").
    """
    if CHOICE_NEGATORS.search(" ".join(clause.split()[-4:])):
        return True
    return CHOICE_NO_BEFORE.search(clause) is not None
