"""Reading LSP messages from a byte stream, robust to what pygls' reader is not: a
``Content-Length`` that is wrong (too short or too long), headers glued to the end of a
previous body, and bodies that are not JSON. Every message is framed from a buffer, so the
stream resynchronises at the next header instead of wedging."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger(__name__)

_CONTENT_LENGTH = re.compile(rb"Content-Length:[ \t]*(\d+)", re.IGNORECASE)
_HEADER_END = b"\r\n\r\n"
# When a body is still incomplete after this long without data, a header inside what has
# arrived means the declared length was too long: the body ends there.
STALL_SECONDS = 0.5
MAX_HEADER_BYTES = 64 * 1024

ReadChunk = Callable[[], Awaitable[bytes]]


class MessageReader:
    """Frames messages from chunks of bytes; ``read_chunk()`` returns b"" at the end."""

    def __init__(self, read_chunk: ReadChunk) -> None:
        self._read_chunk = read_chunk
        self._buffer = bytearray()
        self._pending: asyncio.Future[bytes] | None = None
        self._ended = False

    async def _fill(self, timeout: float | None = None) -> bool:
        """Add the next chunk to the buffer; False on a timeout. A read that times out is
        kept for next time (a blocking read in a thread cannot be taken back)."""
        if self._ended:
            return False
        if self._pending is None:
            self._pending = asyncio.ensure_future(self._read_chunk())
        done, _ = await asyncio.wait({self._pending}, timeout=timeout)
        if not done:
            return False
        chunk = self._pending.result()
        self._pending = None
        if not chunk:
            self._ended = True
            return False
        self._buffer += chunk
        return True

    async def next_body(self) -> bytes | None:
        """The next message body (None at the end of the stream)."""
        while True:
            end = self._buffer.find(_HEADER_END)
            if end < 0:
                if len(self._buffer) > MAX_HEADER_BYTES:
                    del self._buffer[: -len(_HEADER_END)]  # garbage, no header in sight
                if not await self._fill():
                    return None
                continue
            header = bytes(self._buffer[:end])
            lengths = list(_CONTENT_LENGTH.finditer(header))
            if not lengths:
                del self._buffer[: end + len(_HEADER_END)]  # no length: skip to what follows
                continue
            length = int(lengths[-1].group(1))  # the last header (after any garbage)
            start = end + len(_HEADER_END)
            while len(self._buffer) < start + length:
                if await self._fill(STALL_SECONDS):
                    continue
                cut = self._next_header(start)
                if cut is not None:  # declared too long: the next message has begun
                    length = cut - start
                    break
                if self._ended:
                    return None
            body = bytes(self._buffer[start : start + length])
            del self._buffer[: start + length]
            return body

    def unread_after_header(self, body: bytes) -> bytes | None:
        """For a body that is not JSON: if another message's header begins inside it (the
        declared length was too long), give the part before it back, and put the rest back
        in front of the buffer to be read next; None when there is no such header."""
        for match in _CONTENT_LENGTH.finditer(body):
            if match.start() > 0 and body[match.start() - 1 : match.start()] == b"}":
                self._buffer[:0] = body[match.start() :]
                return body[: match.start()]
        return None

    def _next_header(self, start: int) -> int | None:
        """Where a header begins right after a JSON body ("}") in what has arrived."""
        for match in _CONTENT_LENGTH.finditer(self._buffer, start):
            if match.start() > start and self._buffer[match.start() - 1 : match.start()] == b"}":
                return match.start()
        return None


def parse_error_response() -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}


async def serve_messages(read_chunk: ReadChunk, protocol: Any, stopped: Callable[[], bool]) -> None:
    """Hand every message of the stream to ``protocol`` (a RelworkProtocol) until the
    stream ends or ``stopped()``. A body that is not JSON gets a Parse error response."""
    reader = MessageReader(read_chunk)
    while not stopped():
        body = await reader.next_body()
        if body is None:
            return
        data = _json(body)
        if data is _NOT_JSON:
            head = reader.unread_after_header(body)
            data = _json(head) if head is not None else _NOT_JSON
        if data is _NOT_JSON:
            logger.warning("ignored a message that is not JSON (%d bytes)", len(body))
            protocol.send_json(parse_error_response())
            continue
        try:
            protocol.handle_raw(data)
        except Exception:  # a bug must not end the session; log it and read on
            logger.exception("could not handle a message")


_NOT_JSON = object()


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _NOT_JSON
