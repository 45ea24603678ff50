"""``python -m dlnotes copy losses.mse``: print a function's standalone copy snippet."""

from __future__ import annotations

import argparse
import sys

from dlnotes.snippets import public_names, snippet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlnotes", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    copy = commands.add_parser("copy", help="print the standalone source of one function")
    copy.add_argument("name", help="module.function, e.g. losses.mse")
    commands.add_parser("list", help="list the functions that have snippets")
    args = parser.parse_args(argv)
    if args.command == "list":
        print("\n".join(public_names()))
        return 0
    try:
        text = snippet(args.name)
    except (TypeError, ValueError) as err:
        print(f"python -m dlnotes copy: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
