"""Queue jobs in a Becoming installation from outside its workers, as a separate process.

Run with the installation's environment (BECOMING_HOME, DATABASE_URL, REDIS_URL, ...) and
``DJANGO_SETTINGS_MODULE=jobs_settings``; prints the queued jobs' ids as JSON.

    python jobctl.py setup                     migrate the database, create the workspace
    python jobctl.py assess                    one real assessment job, on a small workspace
    python jobctl.py hold N RUNS [RELEASE|-] [PAUSE]   N `hold` jobs (see jobs_workload)
    ... --twice                                deliver every job's message twice
"""

import json
import sys


def workspace():
    from becoming.workspaces.actions import create_workspace
    from becoming.workspaces.models import Workspace

    return Workspace.objects.first() or create_workspace("Jobs test")


def setup():
    workspace()
    return []


def assess_jobs():
    from support import SMALL_MODEL

    from becoming.customers.actions import upsert_customer
    from becoming.jobs.actions import enqueue
    from becoming.transformation.actions import apply_model

    ws = workspace()
    upsert_customer(ws, "C-1", attributes={"plan": "pro"})
    apply_model(ws, SMALL_MODEL)
    return [enqueue(ws, "assess", {"as_of": "2026-01-31"})]


def hold_jobs(n, runs, release="-", pause="0"):
    from becoming.jobs.actions import enqueue

    params = {"runs": runs, "pause": float(pause), **({"release": release} if release != "-" else {})}
    ws = workspace()
    return [enqueue(ws, "hold", params) for _ in range(int(n))]


def main(argv):
    from becoming.cli import setup_django

    setup_django()  # migrates a new database: do it here, before workers start side by side
    twice = "--twice" in argv
    command, *args = [a for a in argv if a != "--twice"]
    commands = {"setup": setup, "assess": assess_jobs, "hold": hold_jobs}
    jobs = commands[command](*args)
    if twice:  # a second delivery of the same message, as a queue may do after a failover
        from becoming.jobs.tasks import run_job_task

        for job in jobs:
            run_job_task(job.pk)
    print(json.dumps([job.pk for job in jobs]))


if __name__ == "__main__":
    main(sys.argv[1:])
