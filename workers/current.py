"""The runtime of this worker process, installed once at start by the command that runs workers."""

from __future__ import annotations

from modpipe.runtime import Runtime

_runtime: Runtime | None = None


def install(rt: Runtime) -> None:
    global _runtime
    _runtime = rt


def get() -> Runtime:
    if _runtime is None:
        raise RuntimeError("no runtime installed in this process; did you start it with `modpipe worker` or `modpipe serve`?")
    return _runtime
