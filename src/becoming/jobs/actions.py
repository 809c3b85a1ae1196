"""Background jobs: enqueue a named kind of work, run it with visible progress.

A job is a row (so pages and the CLI can poll its progress) plus a Huey task that carries only
the job's id. Each app registers its kinds of work in its AppConfig.ready() with
`becoming.registry.add_job_kind(name, "module:function")`; the function receives the Job and a
`Progress` callback, and whatever it returns (a dict) is stored as the job's result.
"""

import logging
import re
import time
import traceback
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from becoming import registry
from becoming.tabular.read import TabularError, read_table

from .lease import RETRIED, WORKER_ID, Heartbeat
from .models import Job, Upload

log = logging.getLogger(__name__)
# Writing progress on every row would cost more than the work; at most this often.
PROGRESS_EVERY_S = 0.3


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
            # Only while the job is still ours: a worker that lost its lease writes nothing.
            Job.objects.filter(pk=self.job.pk, claimed_by=WORKER_ID).update(
                done=self.job.done, total=self.job.total, message=self.job.message
            )


def enqueue(workspace, kind: str, params: dict, user=None) -> Job:
    """Record a job and hand its id to the queue once the surrounding transaction commits."""
    if kind not in registry.JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(workspace=workspace, kind=kind, params=params, created_by=user)
    from .tasks import run_job_task

    transaction.on_commit(lambda: run_job_task(job.pk))
    return job


def claim(job_id: int) -> Job | None:
    """Mark a queued job running under this worker's lease; None when another worker got it
    first (a message delivered twice) or it is gone. One conditional UPDATE: atomic."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started=now, claimed_by=WORKER_ID, heartbeat=now,
        attempts=F("attempts") + 1,
    )
    return Job.objects.get(pk=job_id) if claimed else None


def run_job(job_id: int) -> Job | None:
    """Run one job to the end, recording success or a failure a person can read."""
    job = claim(job_id)
    if job is None:
        return None
    # The sweeper left why this is a second run in the message; progress will overwrite it.
    retried = job.message if job.attempts > 1 and job.message.startswith(RETRIED) else ""
    try:
        work = registry.resolve(registry.JOB_KINDS[job.kind])
        with Heartbeat(job.pk):
            result = work(job, Progress(job), **job.params) or {}
    except ValidationError as exc:
        _finish(job, Job.Status.FAILED, error="; ".join(exc.messages))
    except Exception as exc:  # a job must never die silently: keep the reason on the row
        log.exception("job %s failed", job.pk)
        _finish(job, Job.Status.FAILED, error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")
    else:
        _finish(job, Job.Status.DONE, result={**result, "retried": retried} if retried else result)
    job.refresh_from_db()
    return job


def _finish(job: Job, status: str, result: dict | None = None, error: str = "") -> None:
    finished = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, claimed_by=WORKER_ID).update(
        status=status, result=result or {}, error=error, finished=timezone.now(),
        done=job.done if status == Job.Status.FAILED else max(job.done, job.total),
    )
    if not finished:  # our lease ran out and the job was retried: that run's outcome counts
        log.warning("job %s: finished here after this worker (%s) lost it", job.pk, WORKER_ID)


def shown_job(workspace, raw_id: str | None, kinds: tuple[str, ...]) -> Job | None:
    """The job a page was sent back with (``?job=``), else one of ``kinds`` still under way."""
    jobs = Job.objects.filter(workspace=workspace)
    if raw_id and raw_id.isdigit():
        return jobs.filter(pk=int(raw_id)).first()
    return jobs.filter(kind__in=kinds, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()


# -- uploads: one flow for every import page -------------------------------------------------

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def upload_dir(workspace) -> Path:
    path = Path(settings.MEDIA_ROOT) / str(workspace.pk) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_upload(workspace, kind: str, file, user) -> Upload:
    """Keep an uploaded file under the workspace's uploads and record its columns.

    ``kind`` is a registered import kind. Raises ValidationError (and keeps nothing) when the
    file cannot be read as a table.
    """
    if kind not in registry.IMPORT_KINDS:
        raise ValidationError(f"unknown kind of import {kind!r}")
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024
    if file.size is not None and file.size > limit:
        raise ValidationError(
            f"{file.name}: {file.size / 1024 / 1024:,.0f} MB is more than this server takes "
            f"({settings.UPLOAD_MAX_MB} MB); import it with `becoming import` instead")
    remove_orphan_uploads(workspace)
    name = SAFE_NAME.sub("_", Path(file.name).name)[-120:] or "upload"
    path = upload_dir(workspace) / f"{uuid.uuid4().hex[:12]}-{name}"
    try:
        with open(path, "wb") as out:
            out.writelines(file.chunks())
        columns = read_table(path).column_names
        return Upload.objects.create(workspace=workspace, kind=kind, path=str(path),
                                     original_name=file.name, columns=columns, created_by=user)
    except TabularError as exc:
        path.unlink(missing_ok=True)
        raise ValidationError(str(exc)) from None
    except BaseException:
        path.unlink(missing_ok=True)  # nothing refers to it: keep no orphan
        raise


# A file younger than this may belong to an upload still being saved by another request.
ORPHAN_AGE_S = 3600


def remove_orphan_uploads(workspace) -> int:
    """Delete upload files no Upload row refers to (left by a killed request or server).

    Returns how many files were removed. Files of recorded uploads stay, so an import can be
    dry-run and run again.
    """
    folder = upload_dir(workspace)
    known = set(Upload.objects.filter(workspace=workspace).values_list("path", flat=True))
    cutoff = time.time() - ORPHAN_AGE_S
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and str(path) not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def mapping_form(upload: Upload, data=None):
    """The kind's column-mapping form for an upload, with guessed initial values."""
    kind = registry.IMPORT_KINDS[upload.kind]
    initial = registry.resolve(kind.guess)(upload.columns) if kind.guess else {}
    return registry.resolve(kind.form)(upload.columns, data, initial=initial)


def dry_run_import(upload: Upload, options: dict) -> dict:
    """Check every row of an upload as its import would, keeping nothing."""
    action = registry.resolve(registry.IMPORT_KINDS[upload.kind].action)
    return action(upload.workspace, upload.path, file_name=upload.original_name, dry_run=True,
                  **options)


def start_import(upload: Upload, options: dict, user) -> Job:
    """Queue the upload's import as a job (once: a second call returns the same job)."""
    if upload.job is None:
        upload.job = enqueue(upload.workspace, f"import_{upload.kind}",
                             {"path": upload.path, "file_name": upload.original_name, **options},
                             user)
        upload.save(update_fields=["job"])
    return upload.job
