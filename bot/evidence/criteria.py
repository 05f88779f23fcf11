"""The qualification criteria an evidence pack answers, and which section evidences which."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The criteria of the qualification the pack is handed to an assessor for (issue #19).
CRITERIA: dict[str, str] = {
    "logging": "Logging and tracking complaints",
    "analysing": "Analysing recurring problems and options",
    "corrective_action": "Corrective action with measurable follow-up",
    "review": "Review of feedback and performance data",
    "recording": "Recording systems in active use",
}


@dataclass(frozen=True)
class SectionSpec:
    """One section of the pack: its key in the JSON, its title and the criteria it evidences."""

    key: str
    title: str
    criteria: tuple[str, ...]

    @property
    def criterion(self) -> str:
        """The criteria as one line ("Review of feedback and performance data; recording systems in active use")."""
        labels = [CRITERIA[c] for c in self.criteria]
        return "; ".join([labels[0]] + [label[0].lower() + label[1:] for label in labels[1:]])


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("complaint_log", "Complaint log summary", ("logging",)),
    SectionSpec("themes", "Recurring themes by product line and batch", ("analysing",)),
    SectionSpec("corrective_actions", "Root causes and corrective actions", ("corrective_action",)),
    SectionSpec("service_levels", "SLA and resolution times", ("review",)),
    SectionSpec("satisfaction", "Customer satisfaction", ("review",)),
    SectionSpec("process_reviews", "Process compliance and supervisor reviews", ("review", "recording")),
    SectionSpec("process_map", "Process map of case statuses", ("recording",)),
)


def criteria_index() -> list[dict[str, Any]]:
    """For each criterion, the numbered sections that evidence it (the cover's index)."""
    return [
        {
            "criterion": label,
            "key": key,
            "sections": [
                {"number": number, "title": spec.title}
                for number, spec in enumerate(SECTIONS, start=1)
                if key in spec.criteria
            ],
        }
        for key, label in CRITERIA.items()
    ]
