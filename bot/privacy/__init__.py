"""Data protection: erasure, retention, subject access, legal hold and log masking (issue #10)."""
