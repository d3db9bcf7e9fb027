"""Run a bulk import's database writes in a second thread, on the caller's connection and transaction.

An import of a million values spends about as long waiting for the database (COPY, index upkeep,
foreign-key checks) as it spends in Python reading and checking the file. `BackgroundWriter` lets
the two overlap: the importing thread prepares batch k+1 while a writer thread sends batch k. Both
threads use the *same* connection, one at a time, so everything stays in one transaction and an
error anywhere still rolls all of it back. The GIL is released while the writer waits for the
database, which is when the importing thread gets to work.

    with transaction.atomic(), BackgroundWriter() as writer:
        writer.submit(bulk_insert, Model, columns, rows)   # queued, runs in order
        found = writer.call(read_something)                # waits for the queue, returns the result
    # leaving the block waits for every write and re-raises the writer's error, if any

Jobs run strictly in submission order. At most `depth` jobs wait in the queue (the importing thread
then waits), so memory stays bounded. Unthreaded (`threaded=False`, or on SQLite by default, whose
driver gains less from it) jobs run at once in the caller's thread with the same interface.
"""

import queue
import threading
from collections.abc import Callable
from time import perf_counter as _clock
from types import TracebackType
from typing import Any, Self

from django.db import DEFAULT_DB_ALIAS, connections

_STOP = object()


class BackgroundWriter:
    """Queue of database jobs executed in order by one writer thread sharing the caller's connection."""

    def __init__(self, *, threaded: bool | None = None, depth: int = 2, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using
        self.connection = connections[using]
        self.threaded = self.connection.vendor == "postgresql" if threaded is None else threaded
        self._jobs: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        #: seconds the caller spent waiting for the writer (a full queue, `call`, `close`)
        self.waited = 0.0

    def __enter__(self) -> Self:
        if self.threaded:
            self.connection.inc_thread_sharing()
            self._thread = threading.Thread(target=self._run, name="opencro-writer", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:  # the caller failed: stop the writer before the caller's transaction rolls back
            self._stop(discard=True)

    def submit(self, job: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `job(*args, **kwargs)` after the jobs submitted before it; re-raise an earlier job's error."""
        self._raise()
        if not self.threaded:
            job(*args, **kwargs)
            return
        self._put((job, args, kwargs, None))

    def call(self, job: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `job` after everything queued and return its result (reads that must see the writes)."""
        self._raise()
        if not self.threaded:
            return job(*args, **kwargs)
        box: dict[str, Any] = {}
        done = threading.Event()
        self._put((job, args, kwargs, (box, done)))
        self._wait(done)
        self._raise()
        return box["result"]

    def close(self) -> None:
        """Wait for every queued job; re-raise the first error a job raised."""
        self._stop(discard=False)
        self._raise()

    # -- the writer thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        connections[self.using] = self.connection  # this thread's `connection` is the caller's
        try:
            while True:
                item = self._jobs.get()
                if item is _STOP:
                    return
                job, args, kwargs, reply = item
                if self._error is None:
                    try:
                        result = job(*args, **kwargs)
                        if reply is not None:
                            reply[0]["result"] = result
                    except BaseException as error:  # handed to the caller, raised there
                        self._error = error
                if reply is not None:
                    reply[1].set()
        finally:
            del connections[self.using]

    def _put(self, item: Any) -> None:
        try:
            self._jobs.put_nowait(item)
        except queue.Full:
            started = _clock()
            self._jobs.put(item)
            self.waited += _clock() - started

    def _wait(self, done: threading.Event) -> None:
        started = _clock()
        done.wait()
        self.waited += _clock() - started

    def _stop(self, *, discard: bool) -> None:
        if self._thread is None:
            return
        if discard:
            self._error = self._error or RuntimeError("the import stopped")  # queued jobs are skipped
        started = _clock()
        self._jobs.put(_STOP)
        self._thread.join()
        self.waited += _clock() - started
        self._thread = None
        self.connection.dec_thread_sharing()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error
