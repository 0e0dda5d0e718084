"""Acknowledgments: the 277CA writer, its claim-status table and the verdicts it is built from."""
