"""Request bodies: checked for type and size, streamed to an owner-only spool file, hashed on the way.

A body is never held in memory whole and never logged. A declared ``Content-Length`` over the limit
is refused before a byte is read; a chunked body is counted as it arrives and refused once it
passes the limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

from scrubber.workflows.service.errors import ApiError

X12_MEDIA_TYPES = ("application/edi-x12", "text/plain", "application/octet-stream")


@dataclass(frozen=True)
class Upload:
    path: Path
    size: int
    sha256: str

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def check_media_type(header: str | None) -> None:
    """415 unless the body is declared as X12 (no Content-Type at all counts as octet-stream)."""
    if header is None or not header.strip():
        return
    media = header.split(";", 1)[0].strip().lower()
    if media not in X12_MEDIA_TYPES:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send the X12 file as {', '.join(X12_MEDIA_TYPES)}, not {media or 'an empty type'}",
        )


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"the body is larger than the limit of {limit} bytes")


async def spool_body(request: Request, directory: Path, limit: int) -> Upload:
    """Write the request body to a new owner-only file in ``directory``."""
    check_media_type(request.headers.get("content-type"))
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    fd, name = tempfile.mkstemp(prefix="body-", suffix=".x12", dir=directory)  # mode 0600
    digest = hashlib.sha256()
    size = 0
    try:
        with open(fd, "wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    return Upload(Path(name), size, digest.hexdigest())
