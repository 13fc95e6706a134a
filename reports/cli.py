"""Command-line mains for compliance, wired by the lead into ``modpipe audit ...`` and
``modpipe retention ...``. Each prints one JSON object and returns the exit status."""

from __future__ import annotations

import argparse
import json
import sys


def _runtime(data_dir: str | None):
    from modpipe.runtime import Runtime
    from modpipe.settings import Settings

    return Runtime.build(Settings.from_env(data_dir=data_dir), with_broker=False, migrate=True)


def audit_main(argv: list[str] | None = None) -> int:
    """``modpipe audit verify``: walk the hash chain; exit 1 when it is broken, 0 when whole."""
    p = argparse.ArgumentParser(prog="modpipe audit", description="the hash-chained audit log")
    p.add_argument("command", nargs="?", default="verify", choices=["verify"])
    p.add_argument("--data-dir", default=None)
    args = p.parse_args(argv)
    from reports import audit

    rt = _runtime(args.data_dir)
    try:
        with rt.db.session() as s:
            result = audit.verify(s)
        with rt.db.session() as s:
            audit.record(s, "cli", "audit.verified", target="audit_log", ok=result.ok, checked=result.checked)
    finally:
        rt.close()
    print(json.dumps(result.to_dict()))
    return 0 if result.ok else 1


def retention_main(argv: list[str] | None = None) -> int:
    """``modpipe retention purge [--dry-run] [--now ISO]``: remove what the retention periods allow."""
    p = argparse.ArgumentParser(prog="modpipe retention", description="retention periods and purging")
    p.add_argument("command", nargs="?", default="purge", choices=["purge", "show"])
    p.add_argument("--dry-run", action="store_true", help="count what would go, remove nothing")
    p.add_argument("--now", default=None, help="pretend it is this ISO time (for checks)")
    p.add_argument("--data-dir", default=None)
    args = p.parse_args(argv)
    from dataclasses import asdict

    from reports.retention import purge

    rt = _runtime(args.data_dir)
    try:
        if args.command == "show":
            print(json.dumps({"retention_days": asdict(rt.settings.retention)}))
            return 0
        from reports.violations import parse_time

        now = parse_time(args.now, "--now")
        print(json.dumps(purge(rt, now=now, dry_run=args.dry_run)))
    finally:
        rt.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(audit_main())
