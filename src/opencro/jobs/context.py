"""What a running job function receives: who asked, for which study, and a way to report progress."""

import time

from opencro.jobs.models import Job

PROGRESS_INTERVAL = 0.5  # seconds between progress writes; the last report is always written at the end


class JobContext:
    """Handed to `run(ctx, **params)`; `progress()` writes to the job row, at most every half second."""

    def __init__(self, job: Job, *, interval: float = PROGRESS_INTERVAL) -> None:
        self.job_id = job.pk
        self.user = job.created_by
        self.study = job.study
        self._interval = interval
        self._last_write = float("-inf")
        self._pending: dict | None = None

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report `done` of `total` steps; the page and the CLI show it as a bar."""
        self._pending = {
            "progress_done": max(0, int(done)),
            "progress_total": None if total is None else max(0, int(total)),
            "progress_message": message[:255],
        }
        now = time.monotonic()
        if now - self._last_write >= self._interval or (total is not None and done >= total):
            self.flush()
            self._last_write = now

    def flush(self) -> None:
        """Write the latest report, if any is unwritten."""
        if self._pending is not None:
            Job.objects.filter(pk=self.job_id).update(**self._pending)
            self._pending = None
