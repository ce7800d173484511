"""Start the relwork-ls language server for the VS Code extension.

Run by the extension with the Python it chose:
  server.py --strategy bundled       the copy in ../libs (installed there when the .vsix was built)
  server.py --strategy environment   the relwork-ls installed in this interpreter's environment
Add --probe to print what would run (JSON) and exit instead of serving; other arguments
go to `relwork-ls serve` (the language client adds --stdio). The first line on stderr
says which copy runs, so the output channel shows it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

TOOL = os.path.dirname(os.path.abspath(__file__))
LIBS = os.path.join(os.path.dirname(TOOL), "libs")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strategy", choices=["bundled", "environment"], required=True)
    parser.add_argument("--probe", action="store_true")
    args, serve_arguments = parser.parse_known_args()
    if sys.version_info < (3, 10):
        version = ".".join(map(str, sys.version_info[:3]))
        sys.stderr.write(f"relwork-ls needs Python 3.10 or newer; this is {version}\n")
        return 3
    # Nothing from this folder is meant to be importable.
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != TOOL]
    if args.strategy == "bundled":
        sys.path.insert(0, LIBS)
    try:
        import relwork_ls
        from relwork_ls.cli import main as relwork_main
    except Exception as error:  # missing, or a compiled module built for another Python
        sys.stderr.write(f"relwork-ls cannot be imported ({args.strategy}): {error}\n")
        return 3
    description = {
        "strategy": args.strategy,
        "version": relwork_ls.__version__,
        "location": os.path.dirname(os.path.abspath(relwork_ls.__file__)),
        "python": sys.executable,
        "python_version": ".".join(map(str, sys.version_info[:3])),
    }
    if args.probe:
        print(json.dumps(description))
        return 0
    sys.stderr.write(
        f"relwork-ls {description['version']} ({args.strategy}) from {description['location']}"
        f", Python {description['python_version']} at {description['python']}\n"
    )
    sys.stderr.flush()
    return relwork_main(["serve", *serve_arguments])


if __name__ == "__main__":
    sys.exit(main())
