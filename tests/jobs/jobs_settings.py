"""Becoming's settings plus the test workload app (see jobs_workload)."""

from becoming.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "jobs_workload.WorkloadConfig"]  # noqa: F405
