"""The ``relwork-ls`` command (also ``python -m relwork_ls``): ``--version`` is answered
before the command line and what it imports are loaded."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence


def _asks_for_version(argv: Sequence[str]) -> bool:
    """Whether ``--version`` comes before the command, where argparse would print the
    version and exit."""
    for argument in argv:
        if argument == "--version":
            return True
        if not argument.startswith("-") or argument == "--":
            return False
    return False


def main() -> int:
    if _asks_for_version(sys.argv[1:]):
        from . import __version__

        try:
            sys.stdout.write(f"relwork-ls {__version__}\n")
            sys.stdout.flush()
        except (OSError, ValueError, AttributeError) as error:  # a closed pipe, a full disk
            discard_stdout()
            reason = getattr(error, "strerror", None) or "standard output is closed"
            with contextlib.suppress(OSError, ValueError, AttributeError):
                sys.stderr.write(f"relwork-ls: error: cannot write the output: {reason}\n")
            return 2
        return 0
    from .cli import main as cli_main

    return cli_main()


def discard_stdout() -> None:
    """After output failed: point stdout at the null device, so that Python's own flush
    at exit is quiet (the command line's errors use it too)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno() if sys.stdout is not None else 1)
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
