"""Shared command-line plumbing: bad input becomes a one-line error and exit code 2, Ctrl-C one line and 130."""
import sys

from lava_replay.errors import LavaReplayError

INTERRUPTED = 130  # the shell's code for a process ended by SIGINT


def run_cli(main, argv=None):
    """Run main(argv); print a LavaReplayError as 'error: ...' on stderr and return exit code 2; a Ctrl-C
    (KeyboardInterrupt, its text if any after a colon) as 'interrupted' and return 130."""
    try:
        return main(argv)
    except LavaReplayError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print("interrupted" + (f": {exc}" if str(exc) else ""), file=sys.stderr)
        return INTERRUPTED
