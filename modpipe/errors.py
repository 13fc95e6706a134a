"""One exception tree. Messages name the bad value and the fix; only the HTTP
layer turns these into responses (problem+json), only the CLI into exit codes."""

from __future__ import annotations


class ModpipeError(Exception):
    """Base of every error modpipe raises on purpose."""

    status = 500
    title = "Internal error"


class ConfigError(ModpipeError):
    """A setting is missing or wrong; raised at start-up, never later."""

    title = "Configuration error"


class InvalidInput(ModpipeError):
    """The caller sent something we cannot accept as it is."""

    status = 400
    title = "Invalid input"


class RejectedInput(ModpipeError):
    """The content itself cannot be processed safely (bomb, truncated, lying type,
    over the size or duration cap). The item ends ``rejected`` with this reason."""

    status = 422
    title = "Content rejected"


class RefusedCallback(InvalidInput):
    """A ``callback_url`` a webhook may not be sent to (SSRF): another scheme, a loopback, private,
    link-local or metadata address. Refused at ingest, and again at delivery after DNS."""

    status = 422
    title = "Callback URL refused"


class TooLarge(InvalidInput):
    status = 413
    title = "Payload too large"


class Unauthorized(ModpipeError):
    status = 401
    title = "Unauthorized"


class Forbidden(ModpipeError):
    status = 403
    title = "Forbidden"


class NotFound(ModpipeError):
    status = 404
    title = "Not found"


class Conflict(ModpipeError):
    status = 409
    title = "Conflict"


class Unavailable(ModpipeError):
    """A dependency (database, object store) failed the request; nothing was accepted, send it again."""

    status = 503
    title = "Service unavailable"


class RuleError(ModpipeError):
    """A rule file does not compile; carries the file and line."""

    title = "Rule error"

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message
