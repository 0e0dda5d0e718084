"""``python -m scrubber``: the same command line as the ``scrubber`` script."""

from scrubber.cli.app import main

main()
