"""`becoming worker` as real processes: jobs queued by another process run, on the embedded
SQLite queue and on Redis; with two workers each job runs once; a worker killed mid-job
loses nothing (the job is retried once, then failed with a reason)."""

import datetime as dt
from collections import Counter

import pytest
from jobs_support import wait_until

FINISHED = ("done", "failed")
RETRIED = "retried after a worker stopped"
# Short leases keep these tests to seconds; the workload app provides the `hold` job kind.
QUICK = {"BECOMING_JOB_LEASE": "3", "DJANGO_SETTINGS_MODULE": "jobs_settings"}
redis_only = pytest.mark.parametrize("queue", ["redis"], indirect=True)


def finished(jobs_table, ids):
    rows = jobs_table(ids)
    return rows if all(r["status"] in FINISHED for r in rows.values()) else None


def holding(jobs_table, job_id, attempt):
    """The job's row once its `attempt`-th run is inside the work (not just claimed)."""
    row = jobs_table([job_id])[job_id]
    inside = row["status"] == "running" and row["message"] == "holding"
    return row if inside and row["attempts"] == attempt else None


def runs_of(path):
    """How many times each job started, from the `hold` jobs' own record."""
    return Counter(int(line.split()[0]) for line in path.read_text().splitlines())


def test_a_worker_process_runs_a_job_queued_elsewhere(jobctl, workers, jobs_table):
    [job_id] = jobctl("assess")
    workers.start(DJANGO_SETTINGS_MODULE="becoming.settings")  # the plain installation
    row = wait_until(lambda: finished(jobs_table, [job_id]), "the job finished", workers)[job_id]
    assert row["status"] == "done", row["error"]
    assert row["result"]["customers"] == 1


@redis_only
def test_two_workers_run_every_job_exactly_once(jobctl, workers, jobs_table, tmp_path):
    runs = tmp_path / "runs.log"
    jobctl("setup")
    workers.ready(workers.start(**QUICK), workers.start(**QUICK))
    ids = jobctl("hold", 20, runs, "-", 0.1, "--twice")  # every message delivered twice
    rows = wait_until(lambda: finished(jobs_table, ids), "every job finished", workers)
    # A second copy may still be in the queue when every row says done: wait for all 40.
    wait_until(lambda: workers.executed() == 2 * len(ids), "every message handled", workers)
    assert {r["status"] for r in rows.values()} == {"done"}
    assert runs_of(runs) == Counter(ids)  # none twice, none lost
    assert len({r["result"]["pid"] for r in rows.values()}) == 2  # both workers took some


@redis_only
def test_a_job_whose_worker_is_killed_is_retried_once_by_the_other(jobctl, workers, jobs_table,
                                                                    tmp_path):
    runs, release = tmp_path / "runs.log", tmp_path / "release"
    jobctl("setup")
    workers.ready(workers.start(**QUICK), workers.start(**QUICK))
    [job] = jobctl("hold", 1, runs, release)
    first = wait_until(lambda: holding(jobs_table, job, 1), "the job started", workers)
    stopped = workers.running(first["claimed_by"])
    workers.kill(stopped)  # SIGKILL: no chance to clean up
    again = wait_until(lambda: holding(jobs_table, job, 2), "the job was retried", workers)
    assert workers.running(again["claimed_by"]) is not stopped
    release.touch()
    row = wait_until(lambda: finished(jobs_table, [job]), "the job finished", workers)[job]
    assert row["status"] == "done", row["error"]
    assert row["result"]["retried"] == f"{RETRIED} ({first['claimed_by']})"
    assert runs_of(runs) == {job: 2}


@redis_only
def test_a_live_worker_keeps_its_job_past_the_lease(jobctl, workers, jobs_table, tmp_path):
    runs, release = tmp_path / "runs.log", tmp_path / "release"
    jobctl("setup")
    workers.ready(workers.start(**QUICK), workers.start(**QUICK))
    [job] = jobctl("hold", 1, runs, release)
    lease = dt.timedelta(seconds=int(QUICK["BECOMING_JOB_LEASE"]))

    def renewed_past_two_leases():
        row = holding(jobs_table, job, 1)
        return row if row and row["heartbeat"] > row["started"] + 2 * lease else None

    # Meanwhile the other worker swept several times: heartbeats kept the job from it.
    wait_until(renewed_past_two_leases, "the heartbeat renewed the lease", workers)
    release.touch()
    row = wait_until(lambda: finished(jobs_table, [job]), "the job finished", workers)[job]
    assert (row["status"], row["attempts"], "retried" in row["result"]) == ("done", 1, False)
    assert runs_of(runs) == {job: 1}


@redis_only
def test_a_job_whose_worker_is_killed_twice_fails_with_a_reason(jobctl, workers, jobs_table,
                                                                 tmp_path):
    runs, release = tmp_path / "runs.log", tmp_path / "release"  # never released
    jobctl("setup")
    [job] = jobctl("hold", 1, runs, release)
    for attempt in (1, 2):  # a worker takes the job, dies; a restarted one takes it again
        workers.start(**QUICK)
        row = wait_until(lambda a=attempt: holding(jobs_table, job, a), f"run {attempt}", workers)
        workers.kill(workers.running(row["claimed_by"]))
    workers.start(**QUICK)
    row = wait_until(lambda: finished(jobs_table, [job]), "the job finished", workers)[job]
    assert row["status"] == "failed"
    assert f"The worker running this job ({row['claimed_by']}) stopped" in row["error"]
    assert "not retried again" in row["error"]
    assert runs_of(runs) == {job: 2}
