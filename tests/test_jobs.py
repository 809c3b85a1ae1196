"""Background jobs on the real embedded queue (a Huey consumer in this process)."""

import datetime as dt
import time

import pytest

from becoming.customers.actions import upsert_customer
from becoming.jobs.actions import enqueue, run_job
from becoming.jobs.models import Job
from becoming.transformation.actions import apply_model


def wait_for(job, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job.pk} still {job.status} after {seconds}s")


@pytest.fixture
def consumer(transactional_db, settings, tmp_path):
    from huey.contrib.djhuey import HUEY

    from becoming.web.server import start_consumer

    HUEY.storage.flush_queue()
    running = start_consumer()
    yield running
    running.stop(graceful=True)


def test_assessment_job_runs_on_the_consumer(consumer, workspace, owner, small_model):
    upsert_customer(workspace, "C-1", attributes={"plan": "pro"})
    apply_model(workspace, small_model)
    job = enqueue(workspace, "assess", {"as_of": "2026-01-31"}, owner)
    done = wait_for(job)
    assert done.status == Job.Status.DONE, done.error
    assert done.result["customers"] == 1 and done.percent == 100
    assert done.started and done.finished and done.finished >= done.started


def test_failed_job_keeps_a_readable_reason(db, workspace):
    job = Job.objects.create(workspace=workspace, kind="assess", params={"as_of": "2026-01-31"})
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "no transformation model" in job.error


def test_a_job_runs_once(db, workspace, small_model):
    upsert_customer(workspace, "C-1", attributes={"plan": "pro"})
    apply_model(workspace, small_model)
    job = Job.objects.create(workspace=workspace, kind="assess", params={"as_of": "2026-01-31"})
    assert run_job(job.pk).status == Job.Status.DONE
    assert run_job(job.pk) is None  # already claimed: a second delivery does nothing
    assert workspace.snapshots.count() == 1


def test_demo_builds_a_believable_workspace(db):
    from becoming.assessments.models import StageChange
    from becoming.demo.build import build_demo
    from becoming.signals.actions import store_for

    workspace = build_demo(seed=3, today=dt.date(2026, 6, 30), accounts=80)
    assert workspace.customers.count() == 80 and workspace.contacts.count() >= 80
    snaps = list(workspace.snapshots.order_by("as_of"))
    assert len(snaps) == 13
    assert snaps[-1].summary["index"] > snaps[0].summary["index"]  # customers grow over the year
    assert StageChange.objects.filter(workspace=workspace).exists()
    kinds = {k: store_for(workspace).count(k) for k in ("event", "answer")}
    assert kinds["event"] > 80 * 100 and kinds["answer"] > 0
