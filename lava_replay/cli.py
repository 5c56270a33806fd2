"""Shared command-line plumbing: bad input becomes a one-line error and exit code 2."""
import sys

from lava_replay.errors import LavaReplayError


def run_cli(main, argv=None):
    """Run main(argv); print a LavaReplayError as 'error: ...' on stderr and return exit code 2."""
    try:
        return main(argv)
    except LavaReplayError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
