"""The supervisor dashboard (Flask)."""
