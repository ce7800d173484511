"""pygls' protocol, adjusted: open documents are kept by the server itself (``documents``)
under LSP's line model; every request gets an answer (invalid params, requests before
``initialize`` or after ``shutdown``), error responses carry no Python traceback, and no
Future is kept per notification (pygls 2.1 keeps one: notes/pygls-notification-leak.md)."""

from __future__ import annotations

import asyncio
import json
import logging
from functools import partial
from typing import Any

from cattrs.errors import ClassValidationError
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    JsonRPCResponseMessage,
)
from pygls.protocol.language_server import lsp_method

logger = logging.getLogger(__name__)
SERVER_NOT_INITIALIZED = -32002


class RelworkProtocol(LanguageServerProtocol):
    """pygls' LanguageServerProtocol with the adjustments above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_received = False

    # -- document sync: ours, not pygls' ---------------------------------------------------
    # pygls applies every change to a TextDocument of its own, splitting lines with
    # ``str.splitlines`` (which also breaks at form feeds, U+2028 and others, where LSP does
    # not); our ``Documents`` apply them with LSP's line model instead.

    def _user_handler(self, method: str, params: Any) -> None:
        handler = self.fm.features.get(method)
        if handler is not None:
            handler(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self._user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        self._user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        self._user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)

    # -- messages --------------------------------------------------------------------------

    def send_json(self, message: dict[str, Any]) -> None:
        """Send a message that is already plain JSON data."""
        self._send_data(message)

    def notify_with_items(
        self, method: str, params: dict[str, Any], field: str, items: list[str]
    ) -> None:
        """Send a notification whose ``params[field]`` is a list of items already encoded
        as JSON text (ASCII). The diagnostics of a long draft are encoded once and reused:
        encoding thousands of them on every push took longer than the lint."""
        head = json.dumps({"jsonrpc": self.VERSION, "method": method, "params": params})
        body = f'{head[:-2]}, "{field}": [{",".join(items)}]}}}}'
        if self.writer is None:
            return
        header = f"Content-Length: {len(body)}\r\n\r\n" if self._include_headers else ""
        try:
            result = self.writer.write((header + body).encode(self.CHARSET))
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                asyncio.ensure_future(result)
        except BrokenPipeError:
            logger.error("the client closed the connection")

    def _error(self, msg_id: Any, code: int, message: str) -> None:
        self.send_json(
            {"jsonrpc": self.VERSION, "id": msg_id, "error": {"code": code, "message": message}}
        )

    def structure_message(self, data: dict[str, Any]) -> Any:
        """A message as lsprotocol types (pygls' rule), raising JsonRpcInvalidParams when
        it does not fit its method, with a one-line log instead of pygls' traceback."""
        if "jsonrpc" not in data:
            return data
        try:
            if "id" not in data:
                kind = self.get_message_type(data.get("method", "")) or JsonRPCNotification
            elif "error" in data:
                kind = types.ResponseErrorMessage
            elif "method" in data:
                kind = self.get_message_type(data["method"]) or JsonRPCRequestMessage
            else:
                kind = self._result_types.pop(data["id"], None) or JsonRPCResponseMessage
            return self._converter.structure(data, kind)
        except ClassValidationError as error:
            logger.warning("invalid params for %s: %s", data.get("method"), error)
            raise JsonRpcInvalidParams() from None
        except Exception as error:
            logger.warning("malformed message for %s: %s", data.get("method"), error)
            raise JsonRpcInvalidRequest() from None

    def handle_raw(self, data: Any) -> None:
        """Handle one parsed JSON message; a request whose params do not fit its method
        gets an InvalidParams error (pygls drops it, and the client waits forever)."""
        if not isinstance(data, dict) or data.get("jsonrpc") != self.VERSION:
            self._error(None, JsonRpcInvalidRequest.CODE, "Invalid Request")
            return
        is_request = "id" in data and "method" in data
        try:
            message = self.structure_message(data)
        except JsonRpcException as error:
            if is_request:
                self._error(data["id"], error.code, f"{error.message} for {data['method']}")
            else:
                logger.warning("ignored a notification with invalid params: %s", data.get("method"))
            return
        self.handle_message(message)

    def handle_message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        is_request = method is not None and hasattr(message, "id")
        if method == types.INITIALIZE:
            self.initialize_received = True
        elif not self.initialize_received and method not in (None, types.EXIT):
            if is_request:
                self._error(message.id, SERVER_NOT_INITIALIZED, "Server not initialized")
            return
        if self._shutdown and is_request and method != types.EXIT:
            self._error(message.id, JsonRpcInvalidRequest.CODE, "Server is shutting down")
            return
        super().handle_message(message)

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        """Responses without Python tracebacks (pygls puts one in an internal error's data)."""
        if error is not None and error.data is not None:
            error = types.ResponseError(code=error.code, message=error.message)
        super()._send_response(msg_id, result, error)

    # -- bookkeeping -----------------------------------------------------------------------

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        # pygls stores the Future of an async or generator handler under the message id and
        # removes it only for requests: notifications (and the steps of its own generator
        # handlers) would pile up, ~1.9 KB each. Forget each one once it is done.
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(partial(self._forget, msg_id))

    def _forget(self, msg_id: Any, future: Any) -> None:
        # Not at once: cancelling a Future runs this callback, and pygls cancels them while
        # iterating over the dict (on shutdown).
        try:
            asyncio.get_running_loop().call_soon(self._drop, msg_id, future)
        except RuntimeError:  # no loop running: nothing iterates either
            self._drop(msg_id, future)

    def _drop(self, msg_id: Any, future: Any) -> None:
        if self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        """A cancellation may arrive after the answer was sent: that is normal, not an
        error worth a log line (Neovim shows the server's stderr as errors)."""
        future = self._request_futures.pop(msg_id, None)
        if future is not None:
            future.cancel()
