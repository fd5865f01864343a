"""The one error type services raise for bad input; views and the API render it."""
from __future__ import annotations


class InputError(Exception):
    """Bad input, with a message per field (already translated) and an optional code."""

    def __init__(self, fields: dict[str, str] | None = None, message: str | None = None,
                 code: str = "invalid", status: int = 422):
        self.fields = fields or {}
        self.message = message or "; ".join(str(v) for v in self.fields.values())
        self.code = code
        self.status = status
        super().__init__(self.message)
