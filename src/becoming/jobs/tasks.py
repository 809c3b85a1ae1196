from huey.contrib.djhuey import db_task


@db_task()
def run_job_task(job_id: int) -> None:
    # Imported here so that registering the task does not pull in every domain app.
    from becoming.jobs import registry  # noqa: F401  (registers the job kinds)
    from becoming.jobs.actions import run_job

    run_job(job_id)
