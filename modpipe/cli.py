"""The `modpipe` command. Every command honours MODPIPE_DATA_DIR and the other settings,
so a second command works on the same data as a running `serve`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading

from modpipe import logs
from modpipe.errors import ModpipeError
from modpipe.settings import Settings

log = logging.getLogger("modpipe")


def _settings(args) -> Settings:
    return Settings.from_env(data_dir=getattr(args, "data_dir", None))


def _runtime(args, *, with_broker: bool, migrate: bool = False):
    from modpipe.runtime import Runtime

    return Runtime.build(_settings(args), with_broker=with_broker, migrate=migrate)


def _wait_for_signal() -> None:
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()


def cmd_serve(args) -> int:
    """Everything embedded: migrations, embedded Redis (unless MODPIPE_REDIS_URL), workers, API."""
    import uvicorn

    from ingest.app import create_app
    from workers.run import WorkerGroup

    rt = _runtime(args, with_broker=True, migrate=True)
    workers = WorkerGroup(rt, threads=args.threads)
    workers.start()
    print(json.dumps({"serving": f"http://{args.host}:{args.port}", "data_dir": str(rt.settings.data_dir),
                      "database": rt.settings.database_url.split("@")[-1],
                      "redis": rt.settings.redis_url or "embedded"}), flush=True)
    try:
        uvicorn.run(create_app(rt), host=args.host, port=args.port, log_level="warning")
    finally:
        workers.stop()
        rt.close()
    return 0


def cmd_api(args) -> int:
    import uvicorn

    from ingest.app import create_app

    rt = _runtime(args, with_broker=True)
    try:
        uvicorn.run(create_app(rt), host=args.host, port=args.port, log_level="warning", workers=None)
    finally:
        rt.close()
    return 0


def cmd_worker(args) -> int:
    from modpipe.metrics import REGISTRY, WORKER_RESTARTS
    from workers.run import WorkerGroup

    rt = _runtime(args, with_broker=True)
    if args.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, addr=args.metrics_host, registry=REGISTRY)
    WORKER_RESTARTS.inc()
    workers = WorkerGroup(rt, threads=args.threads, sweeper=not args.no_sweeper)
    workers.start()
    print(json.dumps({"worker": "started", "threads": workers.worker.worker_threads}), flush=True)
    _wait_for_signal()
    workers.stop()
    rt.close()
    return 0


def cmd_migrate(args) -> int:
    from modpipe import migrate

    s = _settings(args)
    migrate.upgrade(s.database_url)
    print(json.dumps({"migrated": s.database_url.split("@")[-1]}))
    return 0


def cmd_org_create(args) -> int:
    from modpipe.accounts import create_org

    rt = _runtime(args, with_broker=False, migrate=True)
    org, key = create_org(rt.db, args.name)
    print(json.dumps({"org_id": org.id, "name": org.name, "api_key": key, "webhook_secret": org.webhook_secret},
                     ensure_ascii=False))
    return 0


def cmd_user_create(args) -> int:
    from modpipe.accounts import create_user

    rt = _runtime(args, with_broker=False, migrate=True)
    user, token = create_user(rt.db, args.username, args.role, org_id=args.org, password=args.password)
    print(json.dumps({"username": user.username, "role": user.role, "org_id": user.org_id, "token": token},
                     ensure_ascii=False))
    return 0


def cmd_scan(args) -> int:
    from modpipe import scan

    if not (args.jsonl or args.text is not None or args.paths):
        raise SystemExit("modpipe scan: give --jsonl (JSON lines on stdin), --text T, or one or more PATHs")
    if args.jobs < 1:
        raise SystemExit("modpipe scan: --jobs must be 1 or more")
    return scan.run(None, args.jsonl, args.paths, args.text, args.declared_aigc, jobs=args.jobs)


# Commands that live in other packages: name -> "module:function", each a main(argv) -> int.
# One table, imported only when the command runs.
DELEGATED = {
    ("bench", "rules"): "rules.bench:main",
    ("bench", "text"): "classifiers.text.bench:main",
    ("bench", "media"): "classifiers.media.bench:main",
    ("bench", "watermark"): "watermark.bench:main",
    ("bench", "review"): "review_queue.loadtest:main",
    ("bench", "scan"): "modpipe.bench_scan:main",
    ("train", None): "classifiers.text.train:main",
    ("export-training", None): "classifiers.text.export:main",
    ("audit", "verify"): "reports.cli:audit_main",
    ("retention", "purge"): "reports.cli:retention_main",
}


def run_delegated(target: str, argv: list[str]) -> int:
    import importlib

    module, func = target.split(":")
    return int(getattr(importlib.import_module(module), func)(argv) or 0)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="modpipe", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def with_data_dir(sp):
        sp.add_argument("--data-dir", help="data directory (default: MODPIPE_DATA_DIR or ./data)")
        return sp

    sp = with_data_dir(sub.add_parser("serve", help="run everything embedded in one command"))
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8000)
    sp.add_argument("--threads", type=int, default=None, help="worker threads (default: MODPIPE_WORKER_THREADS or 2)")
    sp.set_defaults(func=cmd_serve)

    sp = with_data_dir(sub.add_parser("api", help="run the HTTP API only (scaled shape)"))
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8000)
    sp.set_defaults(func=cmd_api)

    sp = with_data_dir(sub.add_parser("worker", help="run queue workers only (scaled shape)"))
    sp.add_argument("--threads", type=int, default=None)
    sp.add_argument("--metrics-port", type=int, default=None, help="serve /metrics on METRICS_HOST:PORT")
    sp.add_argument("--metrics-host", default="127.0.0.1")
    sp.add_argument("--no-sweeper", action="store_true", help="leave re-sending stuck items to other workers")
    sp.set_defaults(func=cmd_worker)

    sp = with_data_dir(sub.add_parser("migrate", help="bring the database schema up to date"))
    sp.set_defaults(func=cmd_migrate)

    org = sub.add_parser("org", help="organisations").add_subparsers(dest="org_command", required=True)
    sp = with_data_dir(org.add_parser("create", help="create an organisation and print its API key"))
    sp.add_argument("name")
    sp.set_defaults(func=cmd_org_create)

    user = sub.add_parser("user", help="staff users").add_subparsers(dest="user_command", required=True)
    sp = with_data_dir(user.add_parser("create", help="create a user and print a bearer token"))
    sp.add_argument("username")
    sp.add_argument("--role", required=True,
                    help="moderator | senior_moderator | compliance | admin | org_admin | org_member")
    sp.add_argument("--org", default=None, help="organisation id (org_admin and org_member only)")
    sp.add_argument("--password", default=None, help="password for the web pages (argon2-hashed)")
    sp.set_defaults(func=cmd_user_create)

    sp = with_data_dir(sub.add_parser("scan", help="moderate texts or files directly, same stages as the workers"))
    sp.add_argument("paths", nargs="*")
    sp.add_argument("--jsonl", action="store_true", help='read {"id","text"|"path"} JSON lines from stdin')
    sp.add_argument("--text", default=None)
    sp.add_argument("--declared-aigc", action="store_true")
    sp.add_argument("--jobs", type=int, default=1,
                    help="processes scanning at once, each with its own model (bulk input on several cores)")
    sp.set_defaults(func=cmd_scan)

    # Listed for --help; main() hands them to their packages before argparse runs.
    for (cmd, subcmd), target in DELEGATED.items():
        name = f"{cmd} {subcmd}" if subcmd else cmd
        if cmd not in sub.choices:
            sub.add_parser(cmd, help=f"{name}: see `modpipe {name} --help`" if not subcmd else
                           f"{cmd} ({', '.join(s for c, s in DELEGATED if c == cmd)})")
    return p


def main(argv: list[str] | None = None) -> int:
    logs.configure()
    argv = sys.argv[1:] if argv is None else argv
    for (cmd, sub), target in DELEGATED.items():
        if argv[:1] == [cmd] and (sub is None or argv[1:2] == [sub]):
            rest = argv[1:] if sub is None else argv[2:]
            try:
                return run_delegated(target, rest)
            except ModpipeError as e:
                print(f"modpipe: {e}", file=sys.stderr)
                return 2
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except ModpipeError as e:
        print(f"modpipe: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
