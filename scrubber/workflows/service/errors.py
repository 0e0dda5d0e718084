"""The one error shape of the API: ``{"error": {"code": ..., "message": ...}}`` for every status.

Routing errors (404, 405), validation errors (422), the service's own refusals and unexpected
failures (500) all answer with it, so a client parses one thing. Messages say what was wrong with
the request; they never quote the request body.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal",
    503: "unavailable",
}


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    """Only YYYY-MM-DD (pydantic alone also takes a datetime with a zero time)."""
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("a date is YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_day)]


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorDocument(BaseModel):
    """What every error response holds."""

    error: ErrorBody


class ApiError(Exception):
    """An error answer: status, a stable machine code, a one-line message, optional headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        if retry_after is not None:
            self.headers["Retry-After"] = str(retry_after)


def code_for(status: int) -> str:
    """The default machine code of an HTTP status."""
    return _CODES.get(status, "bad_request" if status < 500 else "internal")


def error_document(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
