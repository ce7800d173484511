"""The ``relwork-ls`` command (also ``python -m relwork_ls``): ``--version`` is answered
before the command line and what it imports are loaded."""

from __future__ import annotations

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

        sys.stdout.write(f"relwork-ls {__version__}\n")
        return 0
    from .cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
