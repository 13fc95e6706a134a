"""`python -m loadtest load|faults|fuzz [options]`: the load, fault and fuzz runs."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    runs = {"load": "loadtest.load", "faults": "loadtest.faults", "fuzz": "loadtest.fuzz"}
    if not argv or argv[0] not in runs:
        print(f"usage: python -m loadtest {{{'|'.join(runs)}}} [--short] [options]; --help on each", file=sys.stderr)
        return 2
    import importlib

    return importlib.import_module(runs[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
