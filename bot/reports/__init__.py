"""Supervisor reports: themes and spikes, SLA, satisfaction, process compliance, investigations."""

from bot.reports.investigations import add_corrective_action, list_investigations, open_investigation, verify_action
from bot.reports.process import annotate, compliance, process_map, process_map_svg
from bot.reports.service_levels import repeat_complaints, satisfaction, sla
from bot.reports.themes import SpikeRule, spikes, themes
from bot.reports.windows import parse_duration

__all__ = [
    "SpikeRule",
    "add_corrective_action",
    "annotate",
    "compliance",
    "list_investigations",
    "open_investigation",
    "parse_duration",
    "process_map",
    "process_map_svg",
    "repeat_complaints",
    "satisfaction",
    "sla",
    "spikes",
    "themes",
    "verify_action",
]
