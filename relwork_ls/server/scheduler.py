"""When lints run, and where: debounced after edits, one at a time on a worker thread, each
on a snapshot taken when it starts; outcomes are accepted back on the event loop.

The worker thread is the only one that touches a folder's session (its caches); the event
loop only reads results it has accepted, so requests are answered while a lint runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..citations.kinds import document_kind
from ..editor.completion import CompletionTable
from ..editor.session import LintOutcome, RootSession, Snapshot
from .state import Root, ServerState

# Edits closer together than this are linted together (a paste, a multi-cursor edit or a
# completion sends several); the first edit after a quiet spell is linted at once.
DEBOUNCE_SECONDS = 0.03
FULL_LINT_SECONDS = 0.8  # every draft of the folder, once typing pauses
# A folder's lint gives way to edited drafts' lints, but not once its results (drift,
# bibliography checks) have been waited for this long: typing with short pauses must not
# keep them stale for ever.
FOLDER_PATIENCE_SECONDS = 4.0
logger = logging.getLogger(__name__)

Accepted = Callable[[Root, set[Path], LintOutcome], None]


@dataclass(frozen=True)
class _Job:
    root: Root
    session: RootSession
    drafts: tuple[Path, ...] | None  # None: the whole folder


class Scheduler:
    """Debounce timers, a queue of lints (single drafts before whole folders) and one
    worker thread."""

    def __init__(
        self, state: ServerState, accepted: Accepted, executor: Executor | None = None
    ) -> None:
        self.state = state
        self.accepted = accepted
        self._executor = executor or ThreadPoolExecutor(1, thread_name_prefix="relwork-lint")
        self._timers: dict[tuple[int, str], asyncio.TimerHandle] = {}
        self._waiting_drafts: dict[int, set[Path]] = {}
        self._ready_drafts: dict[int, tuple[Root, set[Path]]] = {}
        self._ready_folders: dict[int, Root] = {}
        self._running: _Job | None = None
        self._idle: list[asyncio.Future[None]] = []
        self._closed = False
        self._last_edit: dict[int, float] = {}  # by folder: when a draft was last edited
        # By folder: since when a lint of the whole folder has been due (until one is done).
        self._folder_due_since: dict[int, float] = {}
        # Told, on the loop, what a folder's lint is doing (the first index's progress).
        self.progress: Callable[[Root, str], None] | None = None

    # -- requests ------------------------------------------------------------------------

    def edited(self, root: Root, path: Path) -> None:
        """A document changed: relint it alone after a short pause in typing (once the folder
        has been linted whole), and the whole folder after a longer one."""
        if root.linted and document_kind(str(path)):
            self._waiting_drafts.setdefault(id(root), set()).add(path)
            now = asyncio.get_running_loop().time()
            last = self._last_edit.get(id(root))
            self._last_edit[id(root)] = now
            burst = last is not None and now - last < DEBOUNCE_SECONDS
            # At once still means after the messages already read: a burst that arrived
            # together is linted together.
            self._arm(root, "draft", DEBOUNCE_SECONDS if burst else 0.0, self._drafts_due)
        elif not root.linted and self._queued(root):
            return  # the folder's first lint has not started yet: it will see this text
        self._arm(root, "folder", FULL_LINT_SECONDS, self._folder_due)

    def lint_folder(self, root: Root, delay: float = 0.0) -> None:
        self._arm(root, "folder", delay, self._folder_due)

    def expedite(self, root: Root, folder: bool = False) -> None:
        """Run the drafts' lints waiting for a pause in typing now (a client asked for
        results), and the folder's with ``folder``."""
        kinds = [("draft", self._drafts_due)]
        if folder:
            kinds.append(("folder", self._folder_due))
        for kind, due in kinds:
            handle = self._timers.pop((id(root), kind), None)
            if handle is not None:
                handle.cancel()
                due(root)

    async def idle(self) -> None:
        """Wait until no lint is waiting, queued or running."""
        while not self._is_idle():
            await self._step()

    async def until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``condition()`` holds after some lint (or already does); False when it
        still does not after ``timeout`` seconds or with nothing left to run."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if self._is_idle():
                return False
            try:
                await asyncio.wait_for(self._step(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                return condition()
        return True

    async def first_lints(self, roots: list[Root]) -> AsyncIterator[Root]:
        """Yield each folder once its first lint is accepted (or has failed)."""
        remaining = list(roots)
        while remaining:
            finished = [r for r in remaining if r.linted or r.error or r not in self.state.roots]
            for root in finished:
                remaining.remove(root)
                yield root
            if remaining:
                if self._is_idle():
                    return
                await self._step()

    async def _step(self) -> None:
        """Wait for the next lint to finish (or for the queue to run dry)."""
        waiter = asyncio.get_running_loop().create_future()
        self._idle.append(waiter)
        await waiter

    @property
    def busy(self) -> bool:
        """Whether any lint is waiting, queued or running."""
        return not self._is_idle()

    def pending(self, root: Root) -> bool:
        """Whether a lint of ``root`` is waiting, queued or running."""
        return self._queued(root) or (self._running is not None and self._running.root is root)

    def _queued(self, root: Root) -> bool:
        return (
            any(key[0] == id(root) for key in self._timers)
            or id(root) in self._ready_drafts
            or id(root) in self._ready_folders
        )

    def shutdown(self) -> None:
        """Stop: nothing more is scheduled or started (a running lint is not waited for)."""
        self._closed = True
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self._ready_drafts.clear()
        self._ready_folders.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._wake()

    # -- machinery -----------------------------------------------------------------------

    def _arm(self, root: Root, kind: str, delay: float, due: Callable[[Root], None]) -> None:
        if self._closed:
            return
        key = (id(root), kind)
        if kind == "folder":
            self._folder_due_since.setdefault(id(root), asyncio.get_running_loop().time())
        handle = self._timers.pop(key, None)
        if handle is not None:
            handle.cancel()
        self._timers[key] = asyncio.get_running_loop().call_later(delay, self._fire, key, due, root)

    def _fire(self, key: tuple[int, str], due: Callable[[Root], None], root: Root) -> None:
        self._timers.pop(key, None)
        due(root)

    def _drafts_due(self, root: Root) -> None:
        paths = self._waiting_drafts.pop(id(root), set())
        if paths:
            _, ready = self._ready_drafts.setdefault(id(root), (root, set()))
            ready.update(paths)
        self._pump()

    def _folder_due(self, root: Root) -> None:
        self._ready_folders[id(root)] = root
        self._pump()

    def _is_idle(self) -> bool:
        if self._closed:
            return True
        return not (self._timers or self._ready_drafts or self._ready_folders or self._running)

    def _next_job(self) -> _Job | None:
        if self._ready_drafts:
            key = next(iter(self._ready_drafts))
            root, paths = self._ready_drafts.pop(key)
            return _Job(root, root.session, tuple(sorted(paths)))
        if self._ready_folders:
            key = next(iter(self._ready_folders))
            root = self._ready_folders.pop(key)
            return _Job(root, root.session, None)
        return None

    def _pump(self) -> None:
        while self._running is None and not self._closed:
            job = self._next_job()
            if job is None:
                break
            if job.root not in self.state.roots:
                continue
            snapshot = self.state.snapshot(job.root)
            drafts = list(job.drafts) if job.drafts is not None else None
            previous = {p: r for p in drafts or () if (r := job.root.files.get(p)) is not None}
            self._running = job
            loop = asyncio.get_running_loop()
            report = self._reporter(loop, job.root) if drafts is None else None
            # A folder's lint (not its first, nor one due for FOLDER_PATIENCE_SECONDS) gives
            # way to an edited draft's: that one's diagnostics are awaited, the folder's can
            # wait for the next pause in typing.
            waited = loop.time() - self._folder_due_since.get(id(job.root), loop.time())
            patient = waited < FOLDER_PATIENCE_SECONDS
            interrupt = (
                self._drafts_ready if drafts is None and job.root.linted and patient else None
            )
            future = loop.run_in_executor(
                self._executor, job.session.lint, snapshot, drafts, previous, report, interrupt
            )
            future.add_done_callback(partial(self._done, job, snapshot))
        if self._is_idle():
            self._wake()

    def _drafts_ready(self) -> bool:
        # Read on the worker thread: a dict's truth is read at once, and a stale answer
        # only delays the interruption to the next step.
        return bool(self._ready_drafts)

    def _wake(self) -> None:
        waiters, self._idle = self._idle, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _reporter(
        self, loop: asyncio.AbstractEventLoop, root: Root
    ) -> Callable[[str], None] | None:
        progress = self.progress
        if progress is None:
            return None

        def report(message: str) -> None:  # on the worker thread: hand it to the loop
            loop.call_soon_threadsafe(progress, root, message)

        return report

    def _warm(self, outcome: LintOutcome) -> None:
        """Build completion's search data on the worker, after the diagnostics are out (a
        completion asked for meanwhile builds it, or waits for it)."""
        for table in {id(t.search): t for t in outcome.tables.values()}.values():
            if not self._closed:
                self._executor.submit(_warm_quietly, table)

    def _done(self, job: _Job, snapshot: Snapshot, future: asyncio.Future[LintOutcome]) -> None:
        self._running = None
        try:
            outcome = future.result()
            if outcome.interrupted:  # again once typing pauses
                self._arm(job.root, "folder", FULL_LINT_SECONDS, self._folder_due)
            else:
                if job.drafts is None:
                    self._folder_due_since.pop(id(job.root), None)
                changed = self.state.accept(job.root, job.session, snapshot, outcome)
                self.accepted(job.root, changed, outcome)
                self._warm(outcome)
        except asyncio.CancelledError:
            pass
        except Exception:  # a bug must not take the server down; log it and go on
            logger.exception("relint failed")
        self._wake()
        self._pump()


def _warm_quietly(table: CompletionTable) -> None:
    try:
        table.warm()
    except Exception:  # a bug must not take the worker down; completion will say it
        logger.exception("building completion data failed")
