"""The staff triage Slack app (slack-bolt)."""
