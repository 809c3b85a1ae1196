"""Background jobs: enqueue a named kind of work, run it with visible progress.

A job is a row (so pages and the CLI can poll its progress) plus a Huey task that carries only
the job's id. Work functions register themselves with `@job_kind("name")` and receive the Job
and a `Progress` callback; whatever they return (a dict) is stored as the job's result.
"""

import logging
import time
import traceback
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)
KINDS: dict[str, Callable] = {}
# Writing progress on every row would cost more than the work; at most this often.
PROGRESS_EVERY_S = 0.3


def job_kind(name: str):
    def register(fn):
        KINDS[name] = fn
        return fn

    return register


class Progress:
    """Callable that records progress on the job row, throttled to one write per interval."""

    def __init__(self, job: Job):
        self.job = job
        self.last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        self.job.done = done
        if total is not None:
            self.job.total = total
        if message is not None:
            self.job.message = message[:500]
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S or (total and done >= total):
            self.last = now
            Job.objects.filter(pk=self.job.pk).update(
                done=self.job.done, total=self.job.total, message=self.job.message
            )


def enqueue(workspace, kind: str, params: dict, user=None) -> Job:
    """Record a job and hand its id to the queue once the surrounding transaction commits."""
    from . import registry  # noqa: F401  (job kinds register on import)

    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(workspace=workspace, kind=kind, params=params, created_by=user)
    from .tasks import run_job_task

    transaction.on_commit(lambda: run_job_task(job.pk))
    return job


def claim(job_id: int) -> Job | None:
    """Mark a queued job running; None when another worker got it first or it is gone."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started=timezone.now()
    )
    return Job.objects.get(pk=job_id) if claimed else None


def run_job(job_id: int) -> Job | None:
    """Run one job to the end, recording success or a failure a person can read."""
    from . import registry  # noqa: F401

    job = claim(job_id)
    if job is None:
        return None
    try:
        result = KINDS[job.kind](job, Progress(job), **job.params) or {}
    except ValidationError as exc:
        _finish(job, Job.Status.FAILED, error="; ".join(exc.messages))
    except Exception as exc:  # a job must never die silently: keep the reason on the row
        log.exception("job %s failed", job.pk)
        _finish(job, Job.Status.FAILED, error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")
    else:
        _finish(job, Job.Status.DONE, result=result)
    job.refresh_from_db()
    return job


def _finish(job: Job, status: str, result: dict | None = None, error: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        status=status, result=result or {}, error=error, finished=timezone.now(),
        done=job.done if status == Job.Status.FAILED else max(job.done, job.total),
    )
