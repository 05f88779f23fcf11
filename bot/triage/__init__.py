"""Staff triage in Slack: case cards, alerts, command parsing (no Slack transport here)."""
