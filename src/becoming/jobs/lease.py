"""Leases: a running job belongs to one worker process for as long as that process says so.

The queue forgets a message as soon as a worker takes it, so a worker killed mid-job would
leave its job "running" forever. The job row is the source of truth instead:

- ``claim`` (in actions) marks a queued job running with this process's ``WORKER_ID`` and a
  ``heartbeat``, in one conditional UPDATE, so only one worker ever gets it;
- while the job runs, a ``Heartbeat`` thread renews the heartbeat every quarter lease;
- every worker runs a ``Sweeper`` that looks, every half lease, for running jobs whose
  heartbeat is older than a lease. The first time, it puts the job back in the queue with a
  note; the second time, it fails the job with a reason. Both are conditional UPDATEs on the
  expired lease, so two sweepers (or a late heartbeat) cannot both win. A job delivered
  twice still runs once: only one ``claim`` finds it queued.

A worker that was only slow, not dead, and lost its lease finds out when its heartbeat,
progress or result no longer match its id; nothing it writes after that lands.
"""

import datetime as dt
import logging
import os
import socket
import threading
import uuid

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)
# host:pid plus a token, since a restarted container often reuses the same pid.
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
MAX_ATTEMPTS = 2  # the first run and one retry
RETRIED = "retried after a worker stopped"


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)


def renew(job_id: int) -> bool:
    """Push this worker's lease on a job forward; False when the job is no longer ours."""
    return bool(Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, claimed_by=WORKER_ID)
                .update(heartbeat=timezone.now()))


def _expired(cutoff: dt.datetime):
    # A running job without a heartbeat predates leases: its worker is long gone.
    return Job.objects.filter(Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True),
                              status=Job.Status.RUNNING)


def _unsent(cutoff: dt.datetime):
    # A retried job is queued with heartbeat = when its message was sent; still queued a lease
    # later, the send may have failed (Redis down): send again. A second copy is harmless.
    return Job.objects.filter(status=Job.Status.QUEUED, attempts__gte=1, heartbeat__lt=cutoff)


def sweep() -> int:
    """Retry, or fail, every running job whose lease ran out; returns how many it moved.

    Jobs this process claimed are left alone: this process is alive, so are its jobs.
    """
    cutoff = timezone.now() - lease()
    moved = 0
    stale = _expired(cutoff).exclude(claimed_by=WORKER_ID)
    for pk, owner, attempts in stale.values_list("pk", "claimed_by", "attempts"):
        retry = attempts < MAX_ATTEMPTS
        moved += _requeue(pk, owner, cutoff) if retry else _give_up(pk, owner, cutoff)
    for pk in _unsent(cutoff).values_list("pk", flat=True):
        if _unsent(cutoff).filter(pk=pk).update(heartbeat=timezone.now()):
            _send(pk)
    return moved


def _requeue(pk: int, owner: str, cutoff: dt.datetime) -> int:
    note = f"{RETRIED} ({owner or 'unknown'})"
    moved = _expired(cutoff).filter(pk=pk, claimed_by=owner).update(
        status=Job.Status.QUEUED, claimed_by="", heartbeat=timezone.now(), message=note)
    if moved:
        log.warning("job %s: %s; queued again", pk, note)
        _send(pk)
    return moved


def _send(pk: int) -> None:
    from .tasks import run_job_task

    try:
        run_job_task(pk)
    except Exception:  # the row says it is queued; the next sweeps send it again
        log.exception("job %s: could not queue its retry", pk)


def _give_up(pk: int, owner: str, cutoff: dt.datetime) -> int:
    error = (f"The worker running this job ({owner or 'unknown'}) stopped before it finished, "
             f"and this was already its retry after a worker stopped, so it is not retried "
             f"again. The worker's log may say why (out of memory, a restart); run it again "
             f"once that is fixed.")
    moved = _expired(cutoff).filter(pk=pk, claimed_by=owner).update(
        status=Job.Status.FAILED, error=error, finished=timezone.now())
    if moved:
        log.error("job %s: worker %s stopped during its retry; failed", pk, owner)
    return moved


class _Ticker:
    """A daemon thread that calls ``tick`` every ``interval`` seconds until stopped."""

    def __init__(self, interval: float, name: str):
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def tick(self) -> None:
        raise NotImplementedError

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout=self.interval + 30)

    def _loop(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                close_old_connections()
                try:
                    self.tick()
                except Exception:  # e.g. SQLite busy under a long import: try next time
                    log.warning("%s failed; trying again", self.thread.name, exc_info=True)
        finally:
            connection.close()  # this thread's own connection


class Heartbeat(_Ticker):
    """Renews this worker's lease on one job while the job runs (a context manager)."""

    def __init__(self, job_id: int):
        super().__init__(settings.JOB_LEASE_SECONDS / 4, f"heartbeat-{job_id}")
        self.job_id = job_id

    def tick(self) -> None:
        if not renew(self.job_id):
            log.warning("job %s is no longer this worker's (%s)", self.job_id, WORKER_ID)
            self.stopped.set()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Sweeper(_Ticker):
    """Every half lease, retries or fails the jobs of workers that stopped (see ``sweep``).

    After a restart the first sweep comes half a lease in too: the stopped process's jobs
    expire only a lease after their last heartbeat anyway.
    """

    def __init__(self):
        super().__init__(settings.JOB_LEASE_SECONDS / 2, "job-sweeper")

    def tick(self) -> None:
        sweep()
