"""pygls' protocol, adjusted: open documents are kept by the server itself (``documents``)
under LSP's line model, so pygls' own text documents are not maintained."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method


class RelworkProtocol(LanguageServerProtocol):
    """pygls' LanguageServerProtocol without its document bookkeeping.

    pygls applies every change to a TextDocument of its own, splitting lines with
    ``str.splitlines`` (which also breaks at form feeds, U+2028 and others, where LSP does
    not); our ``Documents`` apply them with LSP's line model instead."""

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

    def notify_json(self, method: str, params: dict[str, Any]) -> None:
        """Send a notification whose params are already plain JSON data (diagnostics of a
        long draft are converted once and kept that way: unstructuring thousands of them
        on every push costs more than the lint)."""
        self._send_data({"jsonrpc": self.VERSION, "method": method, "params": params})
