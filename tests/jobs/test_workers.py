"""`becoming worker` as real processes: jobs queued by another process run, on the embedded
SQLite queue and on Redis; with two workers each job runs once; a worker killed mid-job
loses nothing (the job is retried once, then failed with a reason)."""


from jobs_support import wait_until

FINISHED = ("done", "failed")


def finished(jobs_table, ids):
    rows = jobs_table(ids)
    return rows if all(r["status"] in FINISHED for r in rows.values()) else None


def test_a_worker_process_runs_a_job_queued_elsewhere(jobctl, workers, jobs_table):
    [job_id] = jobctl("assess")
    workers.start(DJANGO_SETTINGS_MODULE="becoming.settings")  # the plain installation
    row = wait_until(lambda: finished(jobs_table, [job_id]), "the job finished", workers)[job_id]
    assert row["status"] == "done", row["error"]
    assert row["result"]["customers"] == 1
