from huey.contrib.djhuey import db_task


@db_task()
def run_job_task(job_id: int) -> None:
    from becoming.jobs.actions import run_job

    run_job(job_id)
