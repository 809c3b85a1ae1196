"""The lease rules on the job row, in this process: which jobs a sweep retries, fails or leaves
alone, and that a worker which lost its job writes nothing more to it."""

import datetime as dt

import pytest
from django.utils import timezone

from becoming.jobs import lease
from becoming.jobs.actions import Progress, claim
from becoming.jobs.models import Job

GONE = "gone-host:4242:abcdef"  # a worker process that no longer exists


@pytest.fixture
def sent(tmp_path):
    """The queue retries go to: a SQLite queue of this test's own (never a shared Redis)."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    saved = HUEY.storage
    HUEY.storage = SqliteStorage(name="lease-test", filename=str(tmp_path / "queue.sqlite3"))
    yield HUEY
    HUEY.storage = saved


def queued_ids(huey) -> list[int]:
    return [task.args[0] for task in huey.pending()]


def running_job(workspace, owner=GONE, attempts=1, age=dt.timedelta(hours=1)):
    return Job.objects.create(workspace=workspace, kind="assess", params={}, attempts=attempts,
                              status=Job.Status.RUNNING, claimed_by=owner,
                              heartbeat=timezone.now() - age)


def test_an_expired_job_is_queued_again_with_a_note(db, workspace, sent):
    job = running_job(workspace)
    assert lease.sweep() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.claimed_by == ""
    assert job.message == f"retried after a worker stopped ({GONE})"
    assert queued_ids(sent) == [job.pk]
    assert lease.sweep() == 0  # queued now: nothing more to do


def test_a_job_expired_on_its_retry_fails_with_a_reason(db, workspace, sent):
    job = running_job(workspace, attempts=2)
    assert lease.sweep() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished
    assert f"The worker running this job ({GONE}) stopped before it finished" in job.error
    assert queued_ids(sent) == []


def test_live_leases_are_left_alone(db, workspace, sent):
    fresh = running_job(workspace, age=dt.timedelta(seconds=1))
    ours = running_job(workspace, owner=lease.WORKER_ID)  # this process is alive, so is its job
    assert lease.sweep() == 0
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.RUNNING}
    assert fresh.pk != ours.pk and queued_ids(sent) == []


def test_a_retry_whose_message_was_lost_is_sent_again(db, workspace, sent):
    job = Job.objects.create(workspace=workspace, kind="assess", params={}, attempts=1,
                             heartbeat=timezone.now() - dt.timedelta(hours=1))
    lease.sweep()
    assert queued_ids(sent) == [job.pk]
    lease.sweep()  # sent a moment ago: not again yet
    assert queued_ids(sent) == [job.pk]


def test_a_worker_that_lost_its_job_writes_nothing_more(db, workspace):
    job = claim(Job.objects.create(workspace=workspace, kind="assess", params={}).pk)
    assert job.claimed_by == lease.WORKER_ID and job.attempts == 1 and job.heartbeat
    Job.objects.filter(pk=job.pk).update(claimed_by=GONE)  # another worker has it now
    Progress(job)(5, 10, "still going")
    assert not lease.renew(job.pk)
    job.refresh_from_db()
    assert (job.done, job.message) == (0, "")
