"""The `scrubber` command line: one module per command, all thin over the library."""
