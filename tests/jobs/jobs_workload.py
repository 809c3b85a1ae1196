"""A test-only Django app with one job kind whose timing the test controls.

Worker processes load it through ``jobs_settings`` (``DJANGO_SETTINGS_MODULE``), so the real
`becoming worker` runs it next to the real job kinds. ``hold`` records every run it starts
(so a test can count runs) and, given ``release``, waits until that file exists: the test can
then kill a worker while it is certainly in the middle of a job.
"""

import os
import time
from pathlib import Path

from django.apps import AppConfig

HOLD_LIMIT_S = 120  # a forgotten release must not keep a worker busy forever


class WorkloadConfig(AppConfig):
    name = "jobs_workload"
    label = "jobs_workload"

    def ready(self):
        from becoming import registry

        registry.add_job_kind("hold", "jobs_workload:hold")


def hold(job, progress, runs: str, release: str | None = None, pause: float = 0) -> dict:
    with open(runs, "a") as out:  # one short append per run: whole lines even from two workers
        out.write(f"{job.pk} {os.getpid()}\n")
    progress(0, 1, "holding")
    deadline = time.monotonic() + HOLD_LIMIT_S
    while release and not Path(release).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{release} never appeared")
        time.sleep(0.05)
    time.sleep(pause)  # a little work, so two workers both get some of a batch
    return {"pid": os.getpid()}
