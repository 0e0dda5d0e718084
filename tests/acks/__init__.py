"""Acknowledgment and split-output tests."""
