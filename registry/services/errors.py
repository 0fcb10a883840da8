"""Domain errors raised by services; views and the API map them to 403/404/409/422 or form errors."""
from __future__ import annotations


class DomainError(Exception):
    """Base class. ``message`` is a user-facing sentence (Chinese source string)."""

    status = 400

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist or is outside the user's scope (both answer 404)."""

    status = 404


class Forbidden(DomainError):
    """The user can see the object but may not do this to it."""

    status = 403


class Conflict(DomainError):
    """A duplicate, or the object changed since the user loaded it (409)."""

    status = 409

    def __init__(self, message: str = "", existing_id: int | None = None, field: str | None = None):
        super().__init__(message)
        self.existing_id = existing_id
        self.field = field


class ValidationFailed(DomainError):
    """Input broke a rule; ``errors`` maps field name to a list of messages (422)."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors
