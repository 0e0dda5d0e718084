"""Bearer tokens from a token file: constant-time comparison, reloaded on SIGHUP without a restart.

The file holds one token a line, ``NAME TOKEN`` (the name is who the token belongs to: it owns the
jobs it creates and appears in request logs) or a bare ``TOKEN`` (named ``token-`` plus the start
of its sha256). Blank lines and ``#`` comments are ignored. Like ssh's key files, a token file that
other users can read is refused, and so are tokens shorter than 16 characters. Tokens never reach a
log: only names and counts do.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import structlog

from scrubber.errors import SetupError

log = structlog.get_logger("scrubber.service.auth")

MIN_TOKEN_LENGTH = 16


@dataclass(frozen=True)
class Client:
    """Who a request comes from: the token's name (never the token)."""

    name: str


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def parse_tokens(text: str, source: str) -> dict[bytes, Client]:
    """Token digests -> clients; a bad line is a :class:`SetupError` naming the file and line."""
    tokens: dict[bytes, Client] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) > 2:
            raise SetupError(f"{source}: line {number}: expected 'NAME TOKEN' or 'TOKEN'")
        token = fields[-1]
        if len(token) < MIN_TOKEN_LENGTH:
            raise SetupError(f"{source}: line {number}: a token needs at least {MIN_TOKEN_LENGTH} characters")
        digest = _digest(token)
        name = fields[0] if len(fields) == 2 else f"token-{digest.hex()[:8]}"
        if digest in tokens:
            raise SetupError(f"{source}: line {number}: the same token appears twice")
        tokens[digest] = Client(name)
    if not tokens:
        raise SetupError(f"{source}: no tokens")
    return tokens


def read_token_file(path: Path) -> dict[bytes, Client]:
    """Read and check a token file (owner-only, at least one token)."""
    try:
        with open(path, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise SetupError(f"{path}: not a regular file")
            if mode & 0o077:
                raise SetupError(f"{path}: other users can read it; chmod 600 {path}")
            text = handle.read().decode("utf-8")
    except FileNotFoundError:
        raise SetupError(f"{path}: no such token file") from None
    except PermissionError:
        raise SetupError(f"{path}: permission denied") from None
    except UnicodeDecodeError:
        raise SetupError(f"{path}: not UTF-8 text") from None
    return parse_tokens(text, str(path))


class TokenStore:
    """The tokens in force. :meth:`reload` swaps them in whole, or keeps the old ones on an error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tokens = read_token_file(path)

    def __len__(self) -> int:
        return len(self._tokens)

    def reload(self) -> bool:
        """Read the file again (SIGHUP); a broken file leaves the tokens as they were."""
        try:
            tokens = read_token_file(self.path)
        except SetupError as error:
            log.error("auth.reload_failed", reason=str(error), kept=len(self._tokens))
            return False
        self._tokens = tokens
        log.info("auth.reloaded", tokens=len(tokens))
        return True

    def client_for(self, token: str) -> Client | None:
        """The client a presented token belongs to, or None.

        Every stored digest is compared, each in constant time, so neither a token's content nor its
        position in the file shows in the response time.
        """
        presented = _digest(token)
        found: Client | None = None
        for digest, client in self._tokens.items():
            if hmac.compare_digest(presented, digest):
                found = client
        return found


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
