"""``python -m messages add KEY SWEDISH ENGLISH``: add one string to both catalogues."""

from __future__ import annotations

import sys

from messages.edit import add


def main(argv: list[str]) -> int:
    """Run the command line; returns the exit status."""
    if len(argv) != 4 or argv[0] != "add":  # noqa: PLR2004
        print("usage: python -m messages add KEY SWEDISH ENGLISH", file=sys.stderr)
        return 2
    try:
        add(argv[1], {"sv": argv[2], "en": argv[3]})
    except ValueError as exc:
        print(f"messages: {exc}", file=sys.stderr)
        return 1
    print(f"added {argv[1]} to messages/sv.po and messages/en.po")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
