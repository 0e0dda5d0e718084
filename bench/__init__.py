"""Throughput benchmark: scrubber against pyx12 on the same generated 837P files.

Run ``python -m bench`` from the repository root (``python -m bench --help`` for options). Not part
of the test suite: it takes minutes, and its numbers depend on the machine.
"""
