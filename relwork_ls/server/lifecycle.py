"""Initialization, the first index (with progress), settings, workspace folders, watched
files and shutdown."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from . import diagnostics
from .convert import path_of
from .state import Root, ServerState

if TYPE_CHECKING:
    from .app import RelworkServer

CONFIG_SECTION = "relwork"
PROGRESS_TOKEN = "relwork-index"
WATCHED = ("**/*.bib", "**/*.json", "**/*.bbl", "**/relwork.toml", "**/pyproject.toml")
WATCHED_DRAFTS = "**/*.{txt,md,tex,Rmd,qmd}"
CONFIG_FILES = ("relwork.toml", ".relwork.toml", "pyproject.toml")
POLL_SECONDS = 2.0  # how often files are looked at when the client does not watch them
logger = logging.getLogger(__name__)


def settings_from(value: Any) -> dict[str, Any]:
    """Our settings out of what a client sends (``{"relwork": {...}}`` or the table itself)."""
    if isinstance(value, dict):
        nested = value.get(CONFIG_SECTION, value)
        return nested if isinstance(nested, dict) else {}
    return {}


def folders_of(params: types.InitializeParams) -> list[Path]:
    """The workspace folders (or the root URI of older clients) as paths."""
    uris = [folder.uri for folder in params.workspace_folders or []]
    if not uris and params.root_uri:
        uris = [params.root_uri]
    return [path for path in map(path_of, uris) if path is not None]


def initialize(ls: RelworkServer, params: types.InitializeParams) -> None:
    ls.reset(ServerState(folders_of(params), settings_from(params.initialization_options)))
    if ls.publisher.pulls():
        diagnostics.register_pull(ls)


async def initialized(ls: RelworkServer, params: types.InitializedParams) -> None:
    try:
        if ls.supports("workspace", "did_change_watched_files", "dynamic_registration"):
            await _watch_files(ls)
        else:  # Neovim on Linux, among others: look at the files ourselves
            ls.watcher = asyncio.ensure_future(_poll_files(ls))
        if ls.supports("workspace", "configuration"):
            await _pull_configuration(ls)
        await _first_index(ls)
    except asyncio.CancelledError:
        # The server is stopping (the client went away during the first index): this
        # handler ends with it, quietly; pygls would log the cancellation as an error.
        return


async def _first_index(ls: RelworkServer) -> None:
    """Lint every folder, reporting progress as each is done; requests are answered
    meanwhile from what is ready."""
    progress = ls.supports("window", "work_done_progress")
    if progress:
        await ls.work_done_progress.create_async(PROGRESS_TOKEN)
        begin = types.WorkDoneProgressBegin(title="relwork-ls: indexing", percentage=0)
        ls.work_done_progress.begin(PROGRESS_TOKEN, begin)
    roots = list(ls.state.roots)
    done = [0]

    def report(root: Root, message: str) -> None:
        percentage = int(100 * done[0] / max(1, len(roots)))
        step = types.WorkDoneProgressReport(message=message, percentage=percentage)
        ls.work_done_progress.report(PROGRESS_TOKEN, step)

    ls.scheduler.progress = report if progress else None
    ls.lint_folders()
    async for _ in ls.scheduler.first_lints(roots):
        done[0] += 1
    ls.scheduler.progress = None
    if progress:
        ls.work_done_progress.end(PROGRESS_TOKEN, types.WorkDoneProgressEnd(message="indexed"))


async def _poll_files(ls: RelworkServer) -> None:
    """Every few seconds, relint the folders whose bibliographies or configuration changed
    on disk (a stat of each file the last lint read; saves check at once)."""
    while True:
        await asyncio.sleep(POLL_SECONDS)
        ls.relint_changed_on_disk()


async def _watch_files(ls: RelworkServer) -> None:
    watchers = [types.FileSystemWatcher(glob_pattern=p) for p in (*WATCHED, WATCHED_DRAFTS)]
    registration = types.Registration(
        id="relwork-watch",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception as error:  # the client refused: files are still relinted on save
        logger.warning("file watching not registered: %s", error)


async def _pull_configuration(ls: RelworkServer) -> None:
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=CONFIG_SECTION)])
        )
    except Exception:  # clients may refuse; the files' config still applies
        return
    if result and isinstance(result[0], dict) and result[0]:
        ls.state.reconfigure(result[0])


async def did_change_configuration(
    ls: RelworkServer, params: types.DidChangeConfigurationParams
) -> None:
    if ls.supports("workspace", "configuration"):
        await _pull_configuration(ls)
    else:
        ls.state.reconfigure(settings_from(params.settings))
    ls.lint_folders()


def did_change_folders(ls: RelworkServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    for folder in params.event.removed:
        path = path_of(folder.uri)
        if path is not None and ls.state.remove_root(path) is not None:
            ls.publisher.forget_folder(path)
    for folder in params.event.added:
        path = path_of(folder.uri)
        if path is not None:
            root = ls.state.add_root(path)
            ls.show_config_error(root)
            ls.scheduler.lint_folder(root)


def did_change_watched_files(ls: RelworkServer, params: types.DidChangeWatchedFilesParams) -> None:
    if any(Path(c.uri).name in CONFIG_FILES for c in params.changes):
        ls.state.reconfigure(ls.state.settings)
    ls.lint_folders()


def shutdown(ls: RelworkServer, params: None) -> None:
    ls.scheduler.shutdown()
    if ls.watcher is not None:
        ls.watcher.cancel()


def register(server: RelworkServer) -> None:
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(did_change_folders)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    server.feature(types.SHUTDOWN)(shutdown)
