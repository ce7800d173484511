"""The server also listens on TCP (``relwork-ls serve --tcp HOST:PORT``) and exits cleanly."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest


def _message(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _read(sock: socket.socket) -> dict:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    header, _, rest = data.partition(b"\r\n\r\n")
    length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
    while len(rest) < length:
        rest += sock.recv(4096)
    return json.loads(rest[:length])


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize(
    ("host", "written"),
    [
        ("127.0.0.1", "127.0.0.1"),
        pytest.param(
            "::1",
            "[::1]",
            marks=pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here"),
        ),
    ],
)
def test_tcp_initialize_shutdown_exit(tmp_path, host, written):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "relwork_ls", "serve", "--tcp", f"{written}:{port}"],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                sock = socket.create_connection((host, port), timeout=10)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with sock:
            sock.sendall(
                _message(
                    {
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "initialize",
                        "params": {
                            "processId": None,
                            "rootUri": tmp_path.as_uri(),
                            "capabilities": {},
                        },
                    }
                )
            )
            reply = _read(sock)
            assert reply["id"] == 1
            capabilities = reply["result"]["capabilities"]
            assert capabilities["hoverProvider"] and capabilities["completionProvider"]
            sock.sendall(_message({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
            sock.sendall(_message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
            while _read(sock).get("id") != 2:
                pass
            sock.sendall(_message({"jsonrpc": "2.0", "method": "exit"}))
        assert server.wait(timeout=20) == 0
    finally:
        if server.poll() is None:
            server.kill()
