"""Drive a server from ``create_server()`` in this process: JSON-RPC messages go through the
server's own protocol (parsing, structuring, dispatch) without pipes or a subprocess, so a
test controls exactly when each message arrives."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from lsprotocol import types

from relwork_ls.server.app import RelworkServer, create_server


class InProcessClient:
    """A minimal LSP client wired to a server's protocol object.

    Requests return the raw JSON result (or raise ``ResponseError``); notifications the
    server sends are kept in ``notifications``; requests the server sends to the client
    (registerCapability, configuration, progress) get ``None`` or ``[]`` back."""

    def __init__(self, server: RelworkServer | None = None) -> None:
        self.server = server or create_server()
        self.server.protocol.set_writer(self, include_headers=False)
        self.notifications: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self.configuration: dict[str, Any] = {}

    # -- the writer side: what the server sends -----------------------------------------

    def write(self, data: bytes) -> None:
        message = json.loads(data)
        if "method" in message and "id" in message:
            self._answer(message)
        elif "method" in message:
            self.notifications.append(message)
        else:
            future = self._pending.pop(message["id"], None)
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(ResponseError(message["error"]))
                else:
                    future.set_result(message.get("result"))

    def close(self) -> None:
        pass

    def _answer(self, request: dict[str, Any]) -> None:
        result: Any = None
        if request["method"] == types.WORKSPACE_CONFIGURATION:
            result = [self.configuration for _ in request["params"]["items"]]
        reply = {"jsonrpc": "2.0", "id": request["id"], "result": result}
        asyncio.get_running_loop().call_soon(self._deliver, reply)

    # -- the client side -------------------------------------------------------------------

    def _deliver(self, message: dict[str, Any]) -> None:
        protocol = self.server.protocol
        parsed = json.loads(json.dumps(message), object_hook=protocol.structure_message)
        protocol.handle_message(parsed)

    def _unstructure(self, params: Any) -> Any:
        return self.server.protocol._converter.unstructure(params)

    async def request(self, method: str, params: Any = None, timeout: float = 30) -> Any:
        msg_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = future
        message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = self._unstructure(params)
        self._deliver(message)
        return await asyncio.wait_for(future, timeout)

    def notify(self, method: str, params: Any = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = self._unstructure(params)
        self._deliver(message)

    async def initialize(
        self,
        root_uri: str,
        capabilities: types.ClientCapabilities,
        settings: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        result = await self.request(
            types.INITIALIZE,
            types.InitializeParams(
                capabilities=capabilities,
                workspace_folders=[types.WorkspaceFolder(uri=root_uri, name="ws")],
                initialization_options=settings,
            ),
        )
        self.notify(types.INITIALIZED, types.InitializedParams())
        return result

    async def settle(self, timeout: float = 60) -> None:
        """Wait until the server is quiet: no handler still running (``initialized`` waits
        for the client's configuration), no lint waiting, queued or running."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet = 0
        while quiet < 3:
            if loop.time() > deadline:
                raise TimeoutError("the server did not settle")
            await asyncio.sleep(0.005)
            running = any(not f.done() for f in self.server.protocol._request_futures.values())
            quiet = 0 if running or self.server.scheduler.busy else quiet + 1

    def published(self, uri: str) -> dict[str, Any] | None:
        """The latest diagnostics pushed for ``uri`` (params: uri, version, diagnostics)."""
        for message in reversed(self.notifications):
            method = message["method"]
            if (
                method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
                and message["params"]["uri"] == uri
            ):
                return message["params"]
        return None

    def open(self, uri: str, text: str, language: str = "markdown", version: int = 1) -> None:
        self.notify(
            types.TEXT_DOCUMENT_DID_OPEN,
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language, version=version, text=text
                )
            ),
        )

    def change(self, uri: str, version: int, *changes: Any) -> None:
        self.notify(
            types.TEXT_DOCUMENT_DID_CHANGE,
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=list(changes),
            ),
        )

    def shutdown(self) -> None:
        self.server.scheduler.shutdown()


class ResponseError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.code = error.get("code")
        self.error = error


def replace_range(
    start: tuple[int, int], end: tuple[int, int], text: str
) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(
        range=types.Range(
            start=types.Position(line=start[0], character=start[1]),
            end=types.Position(line=end[0], character=end[1]),
        ),
        text=text,
    )
