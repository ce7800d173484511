"""The language server: ``create_server()`` builds one with every feature module registered;
``start_server()`` runs it over stdio or TCP."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
from pathlib import Path
from typing import BinaryIO

from lsprotocol import types
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..editor.live import changed_region
from ..editor.session import LintOutcome
from . import (
    code_actions,
    code_lens,
    completion,
    diagnostics,
    documents,
    hover,
    inlay_hints,
    lifecycle,
    links,
    navigation,
    rename,
    symbols,
)
from .convert import EditTarget, TextPositions, encoding_name
from .protocol import RelworkProtocol
from .scheduler import Scheduler
from .state import Root, ServerState, file_stamp
from .transport import serve_messages

logger = logging.getLogger(__name__)
FEATURES = (
    lifecycle,
    documents,
    diagnostics,
    completion,
    hover,
    navigation,
    rename,
    symbols,
    code_actions,
    code_lens,
    links,
    inlay_hints,
)


class RelworkServer(LanguageServer):
    """The server's state (``state``), its lint scheduler and diagnostics publisher."""

    protocol: RelworkProtocol

    def __init__(self) -> None:
        super().__init__("relwork-ls", __version__, protocol_cls=RelworkProtocol)
        self.state = ServerState()
        self.scheduler = Scheduler(self.state, self._accepted)
        self.publisher = diagnostics.Publisher(self)
        self._positions: dict[Path, TextPositions] = {}
        # Polls bibliographies on disk when the client cannot watch files (lifecycle.py).
        self.watcher: asyncio.Future[None] | None = None
        self._shown_config_errors: set[str] = set()

    @property
    def encoding(self) -> str:
        try:
            return encoding_name(self.workspace.position_encoding)
        except RuntimeError:  # not initialized: LSP's default
            return "utf-16"

    def reset(self, state: ServerState) -> None:
        """Start over with another state (initialize, new settings)."""
        self.scheduler.shutdown()
        self.state = state
        self.scheduler = Scheduler(self.state, self._accepted)

    def positions(self, path: str | Path) -> TextPositions | None:
        """Position conversions for a file's current text (kept while the text is the same)."""
        path = Path(path)
        text = self.state.text_of(path)
        if text is None:
            return None
        cached = self._positions.get(path)
        if cached is not None and cached.text is text and cached.encoding == self.encoding:
            return cached
        if len(self._positions) > 4096:
            self._positions.clear()
        positions = self._positions[path] = TextPositions(text, self.encoding)
        return positions

    def edit_target(self, path: str | Path, source: str | None = None) -> EditTarget | None:
        """Where edits computed on ``source`` (default: the current text) of a file apply:
        its positions and the version they were computed on. Edits on an older text carry
        that older version, so a client supporting versioned edits refuses them."""
        path = Path(path)
        positions = self.positions(path)
        if positions is None:
            return None
        current = self.state.documents.version(path)
        if source is None or source is positions.text or source == positions.text:
            return EditTarget(self.state.uri_of(path), positions, current)
        held = self.state.held(path)
        version = held[1].version if held is not None and held[1].text is source else None
        return EditTarget(self.state.uri_of(path), TextPositions(source, self.encoding), version)

    def current_range(self, path: str | Path, source: str, start: int, end: int):
        """The range of ``start..end`` of ``source`` (an earlier text of the file) in its
        current text; None when that part of the text has changed since."""
        positions = self.positions(path)
        if positions is None:
            return None
        if source is not positions.text and source != positions.text:
            moved = changed_region(source, positions.text).to_new(start, end)
            if moved is None:
                return None
            start, end = moved
        return positions.offset_range(start, end)

    def supports(self, *path: str) -> bool:
        """Whether a client capability (a path of attribute names) is set."""
        value: object = self.client_capabilities
        for name in path:
            value = getattr(value, name, None)
            if value is None:
                return False
        return bool(value)

    def lint_folders(self) -> None:
        for root in self.state.roots:
            self.show_config_error(root)
            self.scheduler.lint_folder(root)

    def relint_changed_on_disk(self) -> None:
        """Relint the folders whose bibliographies or configuration changed on disk."""
        for root in self.state.changed_on_disk():
            config = root.config.source
            if config is not None and root.stamps.get(config) != file_stamp(config):
                self.state.reconfigure(self.state.settings)
            root.stamps = {}  # until the next lint records them again
            self.scheduler.lint_folder(root)

    def show_config_error(self, root: Root) -> None:
        """Tell the user, once per message, why the configuration was not taken as given."""
        if root.config_error and root.config_error not in self._shown_config_errors:
            self._shown_config_errors.add(root.config_error)
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning, message=f"relwork-ls: {root.config_error}"
                )
            )

    def _accepted(self, root: Root, changed: set[Path], outcome: LintOutcome) -> None:
        if outcome.error:
            self.window_log_message(
                types.LogMessageParams(type=types.MessageType.Warning, message=outcome.error)
            )
        self.publisher.publish(changed)
        if outcome.complete and changed:
            # Citation counts (code lens) and resolved keys (inlay hints) follow the drafts;
            # a client that caches them is asked to ask again.
            if self.supports("workspace", "code_lens", "refresh_support"):
                self.workspace_code_lens_refresh(None)
            if self.supports("workspace", "inlay_hint", "refresh_support"):
                self.workspace_inlay_hint_refresh(None)

    # -- transports: pygls' own, with our message reader (transport.py) -------------------

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
        """Serve over stdin/stdout; the exit status is what the ``exit`` notification asks
        (0 after ``shutdown``, 1 without)."""
        self._stop_event = stop_event = threading.Event()
        source = stdin or sys.stdin.buffer
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        read = getattr(source, "read1", source.read)

        async def main() -> None:
            loop = asyncio.get_running_loop()
            pool = self.thread_pool
            await serve_messages(
                lambda: loop.run_in_executor(pool, read, 65536),
                self.protocol,
                stop_event.is_set,
            )

        try:
            asyncio.run(main())
        except BrokenPipeError:
            logger.error("the client closed the connection; shutting down")
        except SystemExit as leaving:
            return leaving.code if isinstance(leaving.code, int) else 0
        except KeyboardInterrupt:
            pass
        finally:
            self.scheduler.shutdown()
            self.shutdown()
        return 0

    def start_tcp(self, host: str, port: int) -> int:  # type: ignore[override]
        """Serve one client connecting to ``host:port``; the exit status as for stdio."""
        self._stop_event = stop_event = threading.Event()
        status = [0]

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)  # type: ignore[arg-type]
            try:
                await serve_messages(lambda: reader.read(65536), self.protocol, stop_event.is_set)
            except SystemExit as leaving:  # the client's "exit": stop listening, then exit
                status[0] = leaving.code if isinstance(leaving.code, int) else 0
            finally:
                self.shutdown()

        async def listen() -> None:
            self._server = await asyncio.start_server(connection, host, port)
            async with self._server:
                await self._server.serve_forever()

        try:
            asyncio.run(listen())
        except asyncio.CancelledError:
            pass
        finally:
            self.scheduler.shutdown()
        return status[0]


def create_server() -> RelworkServer:
    """A new server with every feature registered (no I/O until it is started)."""
    server = RelworkServer()
    for feature in FEATURES:
        feature.register(server)
    return server


def start_server(tcp: str | None = None) -> int:
    """Serve over stdio, or TCP when ``tcp`` is "HOST:PORT"."""
    logging.basicConfig(level=logging.WARNING)
    # The index holds millions of small objects; default GC thresholds would make full
    # collections (100+ ms pauses) frequent while typing.
    gc.set_threshold(200_000, 50, 100)
    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]  # an IPv6 address as URLs write it: [::1]:2087
        return server.start_tcp(host or "127.0.0.1", int(port))
    return server.start_io()
