"""The server against a raw JSON-RPC client sending what editors should not: broken JSON,
wrong Content-Length headers, requests before ``initialize``, unknown methods, edits to
documents never opened, positions and params out of range, a 20 MB change, 5,000 open
documents, 10,000 pipelined completions with cancellations. Every request gets an answer
(a result or an LSP error, never a Python traceback), the server stays up, memory stays
bounded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from raw_lsp import RawClient, frame

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc"
)
REFS = """@article{chen2021codex, author = {Chen, Mark and Tworek, Jerry}, title = {Codex}, year = {2021}}
@article{xu2023a, author = {Xu, Can and Sun, Q. and Zheng, K.}, title = {WizardLM}, year = {2023}}
"""
DRAFT = "Codex (Chen and Tworek, 2021a) and (Xu et al., 2023).\nMore (Xu"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (tmp_path / "draft.md").write_text(DRAFT)
    return tmp_path


@pytest.fixture
def client(workspace: Path):
    raw = RawClient(cwd=workspace)
    yield raw
    assert raw.close() == 0, raw.stderr[-5000:].decode(errors="replace")
    assert b"Traceback" not in raw.stderr, raw.stderr[-3000:]


def hover_params(uri: str, line: int = 0, character: int = 8) -> dict:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def alive(client: RawClient, workspace: Path, msg_id: str) -> None:
    """The server still answers a real request with a result."""
    client.request(msg_id, "textDocument/hover", hover_params((workspace / "draft.md").as_uri()))
    assert "result" in client.response(msg_id)


def test_malformed_json_gets_a_parse_error_and_the_server_goes_on(client, workspace):
    client.initialize(workspace)
    client.write(frame(b'{"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "par'))
    client.write(frame(b"\xff\xfe not even text"))
    client.write(frame(b"[1, 2, 3]"))
    assert client.response(None)["error"]["code"] == -32700
    alive(client, workspace, "after")
    codes = sorted(m["error"]["code"] for m in client.responses[None])
    assert codes == [-32700, -32700, -32600]


@pytest.mark.parametrize("wrong", ["short", "long"])
def test_wrong_content_length_does_not_wedge_the_server(client, workspace, wrong):
    client.initialize(workspace)
    uri = (workspace / "draft.md").as_uri()
    body = (
        b'{"jsonrpc": "2.0", "id": "bad", "method": "textDocument/hover", "params": '
        + f'{{"textDocument": {{"uri": "{uri}"}}, "position": {{"line": 0, "character": 8}}}}}}'.encode()
    )
    length = len(body) - 10 if wrong == "short" else len(body) + 40
    client.write(frame(body, length))
    client.request("next", "textDocument/hover", hover_params(uri))
    assert "result" in client.response("next")
    if wrong == "short":  # the cut body is not JSON: it is answered with a parse error
        assert client.response(None)["error"]["code"] == -32700
    else:  # the body ends where the next header begins: both requests are answered
        assert "result" in client.response("bad")
    alive(client, workspace, "then")


def test_requests_before_initialize_are_refused_then_served(client, workspace):
    client.request(1, "textDocument/hover", hover_params((workspace / "draft.md").as_uri()))
    assert client.response(1)["error"]["code"] == -32002
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": "x", "languageId": "md", "version": 1, "text": ""}},
    )
    client.initialize(workspace)
    alive(client, workspace, 2)


def test_unknown_methods(client, workspace):
    client.initialize(workspace)
    client.request(1, "textDocument/noSuchThing", {})
    assert client.response(1)["error"]["code"] == -32601
    client.notify("$/noSuchNotification", {"x": 1})
    client.notify("workspace/whatever")
    alive(client, workspace, 2)


def test_changes_to_documents_never_opened(client, workspace):
    client.initialize(workspace)
    uri = (workspace / "ghost.md").as_uri()
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 5, "character": 0},
                        "end": {"line": 5, "character": 2},
                    },
                    "text": "x",
                }
            ],
        },
    )
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.request(1, "textDocument/hover", hover_params(uri))
    assert client.response(1)["result"] is None
    alive(client, workspace, 2)


def test_positions_out_of_range_and_params_of_the_wrong_type(client, workspace):
    client.initialize(workspace)
    uri = (workspace / "draft.md").as_uri()
    client.open(uri, DRAFT)
    client.request(1, "textDocument/hover", hover_params(uri, 10**6, 10**6))
    assert client.response(1)["result"] is None
    client.request(2, "textDocument/completion", hover_params(uri, 1, 10**6))
    assert "result" in client.response(2)
    for msg_id, params in [
        (3, hover_params(uri, -1, 0)),  # LSP positions are unsigned
        (4, {"textDocument": {"uri": uri}, "position": "here"}),
        (5, {"textDocument": 42}),
        (6, None),
    ]:
        client.request(msg_id, "textDocument/hover", params)
        error = client.response(msg_id)["error"]
        assert error["code"] == -32602 and "data" not in error, error
    alive(client, workspace, 7)


def test_requests_after_shutdown_are_refused(workspace):
    client = RawClient(cwd=workspace)
    client.initialize(workspace)
    client.request(1, "shutdown")
    client.response(1)
    client.request(2, "textDocument/hover", hover_params((workspace / "draft.md").as_uri()))
    assert client.response(2)["error"]["code"] == -32600
    client.notify("exit")
    assert client.process.wait(timeout=30) == 0


@pytest.mark.slow
@needs_proc
def test_a_20_mb_change(client, workspace):
    client.initialize(workspace)
    uri = (workspace / "big.md").as_uri()
    client.open(uri, "start\n")
    big = ("Codex (Chen and Tworek, 2021a) said so. " * 25 + "\n") * 20_000
    assert len(big) > 20_000_000
    started = time.monotonic()
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": big}]},
    )
    client.request(1, "textDocument/hover", hover_params(uri, 19_999, 10))
    assert "Codex" in client.response(1)["result"]["contents"]["value"]  # before its lint
    found = client.diagnostics(uri, version=2, timeout=120)
    # Either every citation is checked, or the scan hit its time limit and says so (RW009).
    codes = {d["code"] for d in found}
    assert codes == {"RW003"} and len(found) == 500_000 or codes == {"RW009"}
    assert time.monotonic() - started < 120
    alive(client, workspace, 2)
    assert client.rss_kb("VmHWM") < 1_500_000


@pytest.mark.slow
@needs_proc
def test_5000_open_documents(client, workspace):
    client.initialize(workspace)
    for number in range(5000):
        client.open(
            (workspace / f"d{number}.md").as_uri(), f"Doc {number} cites (Xu et al., 2023a).\n"
        )
    client.request(1, "textDocument/hover", hover_params((workspace / "d4999.md").as_uri(), 0, 22))
    assert "result" in client.response(1, timeout=120)
    alive(client, workspace, 2)
    assert client.rss_kb("VmHWM") < 600_000


@pytest.mark.slow
@needs_proc
def test_10000_pipelined_completions_with_cancellations(client, workspace):
    client.initialize(workspace)
    uri = (workspace / "draft.md").as_uri()
    client.open(uri, DRAFT)
    rss_before = client.rss_kb()
    params = {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 8}}
    for number in range(10_000):
        client.request(number, "textDocument/completion", params)
        if number % 3 == 0:
            client.notify("$/cancelRequest", {"id": number})
    client.response(9_999, timeout=300)
    deadline = time.monotonic() + 120
    while len(client.responses) < 10_000 and time.monotonic() < deadline:
        time.sleep(0.2)
    answered = {msg_id for msg_id in client.responses if isinstance(msg_id, int)}
    assert answered == set(range(10_000))
    assert all(len(replies) == 1 for replies in client.responses.values())
    cancelled = [m for r in client.responses.values() for m in r if "error" in m]
    assert all(m["error"]["code"] == -32800 for m in cancelled)
    alive(client, workspace, "after")
    assert client.rss_kb() - rss_before < 100_000


@pytest.mark.slow
@needs_proc
def test_5000_findings_on_one_long_line_keep_memory_bounded(client, workspace):
    """A 110 KB line with 5,000 findings: diagnostics must not keep a copy of the line per
    finding (that took 2.2 GB)."""
    client.initialize(workspace)
    uri = (workspace / "long.md").as_uri()
    line = "(Nobody et al., 1999) " * 5000
    client.open(uri, line + "\n")
    found = client.diagnostics(uri, version=1, timeout=300)
    assert len(found) == 5000 and {d["code"] for d in found} == {"RW001"}
    assert client.rss_kb("VmHWM") < 500_000
    alive(client, workspace, "still")


@pytest.mark.parametrize("delay", [0.0, 0.2])
def test_stdin_closed_during_the_first_index_ends_quietly(workspace, delay):
    """The editor goes away while the folder is being indexed: no traceback on stderr
    (pygls logged the cancelled ``initialized`` handler as an error)."""
    import json
    import subprocess
    import sys

    def message(payload: dict) -> bytes:
        body = json.dumps(payload).encode()
        return f"Content-Length: {len(body)}\r\n\r\n".encode() + body

    server = subprocess.Popen(
        [sys.executable, "-m", "relwork_ls", "serve"],
        cwd=workspace,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert server.stdin is not None and server.stderr is not None
    params = {"processId": None, "rootUri": workspace.as_uri(), "capabilities": {}}
    server.stdin.write(
        message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
    )
    server.stdin.write(message({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    server.stdin.flush()
    time.sleep(delay)
    server.stdin.close()
    stderr = server.stderr.read().decode()
    server.wait(timeout=30)
    assert "Traceback" not in stderr and "CancelledError" not in stderr, stderr
