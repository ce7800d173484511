"""A raw JSON-RPC client for protocol tests: it writes whatever bytes a test gives it (bad
headers, broken JSON) to ``relwork-ls serve`` and records every message the server sends,
so "every request answered" is counted from what actually came back."""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


def frame(payload: dict[str, Any] | bytes, length: int | None = None) -> bytes:
    """A message with a Content-Length header (``length`` overrides the true one)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    size = len(body) if length is None else length
    return f"Content-Length: {size}\r\n\r\n".encode() + body


class RawClient:
    def __init__(self, cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "relwork_ls", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
        self.responses: dict[Any, list[dict[str, Any]]] = {}
        self.notifications: list[dict[str, Any]] = []
        self._arrivals: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()  # the reader thread answers server requests too
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # -- reading -------------------------------------------------------------------------

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                if line in (b"\r\n", b"\n"):
                    break
            message = json.loads(stream.read(length or 0))
            if "method" in message and "id" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                continue
            with self._lock:
                if "method" in message:
                    self.notifications.append(message)
                else:
                    self.responses.setdefault(message.get("id"), []).append(message)
            self._arrivals.put(message)

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr += line

    # -- writing -------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        with self._write_lock:
            self.process.stdin.write(data)
            self.process.stdin.flush()

    def send(self, payload: dict[str, Any]) -> None:
        self.write(frame(payload))

    def request(self, msg_id: Any, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    # -- waiting -------------------------------------------------------------------------

    def response(self, msg_id: Any, timeout: float = 60) -> dict[str, Any]:
        """The (first) response to ``msg_id``, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if msg_id in self.responses:
                    return self.responses[msg_id][0]
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise AssertionError(f"no response to {msg_id!r}; stderr: {self.stderr[-2000:]!r}")
            with contextlib.suppress(queue.Empty):
                self._arrivals.get(timeout=min(remaining, 0.5))

    def diagnostics(self, uri: str, version: int | None = None, timeout: float = 120) -> list:
        """The diagnostics pushed for ``uri`` (for ``version``, when given), waiting."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for message in reversed(self.notifications):
                    params = message.get("params") or {}
                    if (
                        message["method"] == "textDocument/publishDiagnostics"
                        and params.get("uri") == uri
                        and (version is None or params.get("version") == version)
                    ):
                        return params["diagnostics"]
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise AssertionError(
                    f"no diagnostics for {uri} v{version}: {self.stderr[-2000:]!r}"
                )
            with contextlib.suppress(queue.Empty):
                self._arrivals.get(timeout=min(remaining, 0.5))

    def initialize(self, root: Path, capabilities: dict[str, Any] | None = None) -> dict[str, Any]:
        self.request(
            "init",
            "initialize",
            {"processId": None, "rootUri": root.as_uri(), "capabilities": capabilities or {}},
        )
        reply = self.response("init")
        self.notify("initialized", {})
        return reply

    def open(self, uri: str, text: str, language: str = "markdown") -> None:
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}},
        )

    def rss_kb(self, field: str = "VmRSS") -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def close(self) -> int:
        """Shut the server down properly; its exit status."""
        if self.process.poll() is None:
            try:
                self.request("bye", "shutdown")
                self.response("bye", timeout=30)
                self.notify("exit")
                return self.process.wait(timeout=30)
            except (AssertionError, BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()
        return self.process.wait(timeout=30)
